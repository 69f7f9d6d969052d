"""Malformed tokens (AUTH-006): refused, and the endpoint keeps serving valid calls afterwards."""

from __future__ import annotations

import pytest

from harness.probes import jwt
from harness.probes.endpoints import Endpoint
from harness.report.evidence import Evidence
from scenarios.auth import expect


@pytest.mark.check("AUTH-006")
@pytest.mark.parametrize("forgery", [f.name for f in jwt.forgeries_of("AUTH-006")])
def test_malformed(endpoint: Endpoint, material: jwt.Material, forgery: str, evidence: Evidence) -> None:
    """Malformed tokens are refused as unauthenticated, and the endpoint keeps serving valid calls.
    The 64 KiB one may be cut off before any token check (nginx answers GOAWAY, an HTTP server 431 or
    400), so any refusal will do for it, as long as a valid call still gets through afterwards.
    """
    built = jwt.FORGERIES[forgery]
    answer = expect.send(endpoint, built.build(material), evidence, f"{forgery}: {built.description}")
    if forgery == "oversized":
        assert not answer.accepted, f"{endpoint.name}: a {built.description} token got {answer.status}"
    else:
        assert answer.unauthenticated, f"{endpoint.name}: {built.description}: got {answer.status}"
    after = endpoint.send(jwt.bearer(material.token))
    evidence.record(valid_call_after=after.status)
    assert after.accepted, f"{endpoint.name}: after a {forgery} token a valid call got {after.status}"
