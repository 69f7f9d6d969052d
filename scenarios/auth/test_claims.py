"""Claims of genuinely signed tokens: expired, not yet valid, for another audience, from another issuer.

These tokens cannot be forged; they come from the target's mint_token capability, or (AUTH-015) are the
genuine token of another client, so each check fails for the claim it tests and not for a bad signature.
"""

from __future__ import annotations

import time

import pytest

from harness.backends import Stack
from harness.clients.oauth import fetch_token
from harness.probes import jwt
from harness.probes.endpoints import Endpoint
from harness.report.evidence import Evidence
from scenarios.auth import expect
from scenarios.auth.conftest import Minter

EXPIRED_BY_S = 3600
NOT_BEFORE_IN_S = 3600
FOREIGN_AUDIENCE = "not-this-service"
FOREIGN_ISSUER = "https://127.0.0.1:9/auth/realms/attacker"


@pytest.mark.check("AUTH-002")
def test_expired_token(endpoint: Endpoint, mint: Minter, evidence: Evidence) -> None:
    now = int(time.time())
    token = mint({"exp": now - EXPIRED_BY_S, "iat": now - 2 * EXPIRED_BY_S, "nbf": now - 2 * EXPIRED_BY_S})
    expect.unauthenticated(endpoint, jwt.bearer(token), evidence,
                           f"a correctly signed token expired {EXPIRED_BY_S} s ago")


@pytest.mark.check("AUTH-012")
def test_not_yet_valid(endpoint: Endpoint, mint: Minter, evidence: Evidence) -> None:
    token = mint({"nbf": int(time.time()) + NOT_BEFORE_IN_S})
    expect.unauthenticated(endpoint, jwt.bearer(token), evidence,
                           f"a correctly signed token valid only in {NOT_BEFORE_IN_S} s")


@pytest.mark.check("AUTH-013")
def test_wrong_audience(endpoint: Endpoint, mint: Minter, evidence: Evidence) -> None:
    expect.refused(endpoint, jwt.bearer(mint({"aud": FOREIGN_AUDIENCE})), evidence,
                   f"a correctly signed token for audience {FOREIGN_AUDIENCE}")


@pytest.mark.check("AUTH-014")
def test_wrong_issuer(endpoint: Endpoint, mint: Minter, evidence: Evidence) -> None:
    expect.unauthenticated(endpoint, jwt.bearer(mint({"iss": FOREIGN_ISSUER})), evidence,
                           "a correctly signed token naming another issuer")


@pytest.mark.check("AUTH-015")
def test_token_of_another_service(stack: Stack, endpoint: Endpoint, evidence: Evidence) -> None:
    own = endpoint.audience or stack.target.clients[endpoint.client].audience
    others = [name for name, client in stack.target.clients.items() if client.audience != own]
    if not others:
        pytest.skip(f"the target declares no client with another audience than {own!r}")
    expect.refused(endpoint, jwt.bearer(fetch_token(stack, others[0])), evidence,
                   f"the genuine token of client {others[0]!r}, issued for another service")
