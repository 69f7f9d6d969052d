"""Every authenticated endpoint (the gateway through the auth proxy first) refuses calls without a valid
token; the endpoints come from the Target (harness.probes.endpoints.KINDS)."""

from __future__ import annotations

import time

import pytest

from harness.probes import jwt
from harness.probes.endpoints import Endpoint
from harness.report.evidence import Evidence
from scenarios.auth import expect
from scenarios.auth.conftest import Minter

EXPIRED_BY_S = 3600


@pytest.mark.check("AUTH-001")
def test_no_token(endpoint: Endpoint, evidence: Evidence) -> None:
    answer = expect.send(endpoint, jwt.Credential(None), evidence, "no authorization header")
    assert answer.status in endpoint.anonymous_refusals, \
        f"{endpoint.name}: no credentials got {answer.status}, not in {sorted(endpoint.anonymous_refusals)}"


@pytest.mark.check("AUTH-002")
def test_expired_token(endpoint: Endpoint, mint: Minter, evidence: Evidence) -> None:
    now = int(time.time())
    token = mint({"exp": now - EXPIRED_BY_S, "iat": now - 2 * EXPIRED_BY_S, "nbf": now - 2 * EXPIRED_BY_S})
    expect.unauthenticated(endpoint, jwt.bearer(token), evidence,
                           f"a correctly signed token expired {EXPIRED_BY_S} s ago")


@pytest.mark.check("AUTH-003")
@pytest.mark.parametrize("forgery", ["alg_none", "alg_none_signed"])
def test_alg_none(endpoint: Endpoint, material: jwt.Material, forgery: str, evidence: Evidence) -> None:
    expect.forgery(endpoint, material, forgery, evidence)
