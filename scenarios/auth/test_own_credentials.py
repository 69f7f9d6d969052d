"""Services with their own users (Elasticsearch) refuse anonymous requests and challenge for credentials.

Optimize's security guide asks to secure Elasticsearch, which holds every tenant's process data; an
Elasticsearch that serves anonymous requests undoes every access control Optimize applies on top.
"""

from __future__ import annotations

import pytest

from harness.probes.endpoints import OwnCredentialsEndpoint
from harness.report.evidence import Evidence


@pytest.mark.check("AUTH-023")
def test_anonymous_request_refused(own_credentials_endpoint: OwnCredentialsEndpoint, evidence: Evidence) -> None:
    answer = own_credentials_endpoint.send(with_credentials=False)
    evidence.record(endpoint=own_credentials_endpoint.name, sent="no authorization header",
                    status=answer.status, www_authenticate=list(answer.challenges), detail=answer.detail[:200])
    assert answer.status == 401, \
        f"{own_credentials_endpoint.name}: a request without credentials got HTTP {answer.status}, not 401"
    assert answer.challenges, f"{own_credentials_endpoint.name}: the 401 carries no WWW-Authenticate challenge"
