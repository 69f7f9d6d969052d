"""Forged and misplaced credentials, from the registry (harness.probes.jwt.FORGERIES): each names the check
it belongs to, so a new forgery is one registry entry. Only Identity's published keys, used as RS256, may
verify a token, and only a well-formed `Authorization: Bearer <JWT>` header may carry it."""

from __future__ import annotations

import pytest

from harness.probes import jwt
from harness.probes.endpoints import Endpoint
from harness.report.evidence import Evidence
from scenarios.auth import expect

# AUTH-006 judges more than the refusal (test_malformed.py); every other forgery is judged here.
JUDGED_ELSEWHERE = frozenset({"AUTH-006"})


@pytest.mark.parametrize("forgery", [pytest.param(f.name, id=f.name, marks=pytest.mark.check(f.check))
                                     for f in jwt.FORGERIES.values() if f.check not in JUDGED_ELSEWHERE])
def test_forged_credential_is_refused(endpoint: Endpoint, material: jwt.Material, forgery: str,
                                      evidence: Evidence) -> None:
    built = jwt.FORGERIES[forgery]
    what = f"{forgery}: {built.description}"
    answer = expect.send(endpoint, built.build(material), evidence, what)
    if built.refusal == "anonymous":
        assert answer.status in endpoint.anonymous_refusals, \
            f"{endpoint.name}: {what}: got {answer.status}, not in {sorted(endpoint.anonymous_refusals)}"
    elif built.refusal == "not_served":
        assert not answer.accepted, f"{endpoint.name}: {what}: the call succeeded ({answer.status})"
    else:
        assert answer.unauthenticated, f"{endpoint.name}: {what}: got {answer.status}, not unauthenticated"
