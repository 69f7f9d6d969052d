"""Services that take no Identity token (harness.probes.endpoints.ANONYMOUS_ONLY) refuse a call without
credentials, with the status the product documents: Elasticsearch 401 with a WWW-Authenticate challenge
(AUTH-023), Vault 403 (AUTH-030). Each registry entry names its check, so a new service is one entry.

Optimize's security guide asks to secure Elasticsearch, which holds every tenant's process data; an
Elasticsearch or Vault that serves anonymous requests undoes every access control in front of it.
"""

from __future__ import annotations

import pytest

from harness.probes.endpoints import ANONYMOUS_ONLY, AnonymousOnlyEndpoint
from harness.report.evidence import Evidence


@pytest.mark.parametrize("anonymous_only", [pytest.param(kind.name, id=kind.name, marks=pytest.mark.check(kind.check))
                                            for kind in ANONYMOUS_ONLY.values()], indirect=True)
def test_anonymous_request_refused(anonymous_only: AnonymousOnlyEndpoint, evidence: Evidence) -> None:
    answer = anonymous_only.send(with_credentials=False)
    evidence.record(endpoint=anonymous_only.name, sent="no authorization header", status=answer.status,
                    www_authenticate=list(answer.challenges), detail=answer.detail[:200])
    assert answer.status in anonymous_only.refusals, (f"{anonymous_only.name}: a request without credentials got "
                                                      f"HTTP {answer.status}, not {sorted(anonymous_only.refusals)}")
    if ANONYMOUS_ONLY[anonymous_only.name].challenge:
        assert answer.challenges, f"{anonymous_only.name}: the {answer.status} carries no WWW-Authenticate challenge"
