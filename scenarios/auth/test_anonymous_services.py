"""Services that take no Identity token (harness.probes.endpoints.ANONYMOUS_ONLY) refuse a call without
credentials, with the status the product documents: Elasticsearch 401 with a WWW-Authenticate challenge
(AUTH-023), Vault 403 (AUTH-030).

Optimize's security guide asks to secure Elasticsearch, which holds every tenant's process data; an
Elasticsearch or Vault that serves anonymous requests undoes every access control in front of it.
"""

from __future__ import annotations

import pytest

from harness.probes.endpoints import AnonymousAnswer, AnonymousOnlyEndpoint
from harness.report.evidence import Evidence


def anonymous_call(endpoint: AnonymousOnlyEndpoint, evidence: Evidence) -> AnonymousAnswer:
    answer = endpoint.send(with_credentials=False)
    evidence.record(endpoint=endpoint.name, sent="no authorization header", status=answer.status,
                    www_authenticate=list(answer.challenges), detail=answer.detail[:200])
    assert answer.status in endpoint.refusals, \
        f"{endpoint.name}: a request without credentials got HTTP {answer.status}, not {sorted(endpoint.refusals)}"
    return answer


@pytest.mark.check("AUTH-023")
def test_anonymous_request_challenged(anonymous_only: AnonymousOnlyEndpoint, evidence: Evidence) -> None:
    answer = anonymous_call(anonymous_only, evidence)
    assert answer.challenges, f"{anonymous_only.name}: the 401 carries no WWW-Authenticate challenge"


@pytest.mark.check("AUTH-030")
def test_no_credentials(anonymous_only: AnonymousOnlyEndpoint, evidence: Evidence) -> None:
    anonymous_call(anonymous_only, evidence)
