"""The gateway, through the auth proxy, refuses every call without a valid token."""

from __future__ import annotations

import time

import grpc
import pytest

from harness.backends import Stack
from harness.clients import gateway as gateway_client
from harness.clients.oauth import mint_token
from harness.config import Gateway, Target
from harness.probes import jwt

EXPIRED_BY_S = 3600


def _assert_unauthenticated(result: gateway_client.CallResult, evidence, what: str) -> None:
    evidence.record(sent=what, grpc_status=result.code.name, grpc_message=result.details)
    assert result.code == grpc.StatusCode.UNAUTHENTICATED, f"{what}: got {result.code.name}, not UNAUTHENTICATED"


@pytest.mark.check("AUTH-001")
def test_no_token(target: Target, authorized_gateway: Gateway, evidence) -> None:
    result = gateway_client.topology(authorized_gateway, target.ca_file, None)
    _assert_unauthenticated(result, evidence, "no authorization header")


@pytest.mark.check("AUTH-002")
def test_expired_token(stack: Stack, authorized_gateway: Gateway, evidence) -> None:
    if "mint_token" not in stack.target.capabilities:
        pytest.skip("the target lacks the mint_token capability: no genuinely signed expired token to send")
    now = int(time.time())
    token = mint_token(stack, {"exp": now - EXPIRED_BY_S, "iat": now - 2 * EXPIRED_BY_S,
                               "nbf": now - 2 * EXPIRED_BY_S})
    result = gateway_client.topology(authorized_gateway, stack.target.ca_file, f"Bearer {token}")
    _assert_unauthenticated(result, evidence, f"a correctly signed token expired {EXPIRED_BY_S} s ago")


@pytest.mark.check("AUTH-003")
def test_alg_none(target: Target, authorized_gateway: Gateway, valid_token: str, evidence) -> None:
    result = gateway_client.topology(authorized_gateway, target.ca_file, f"Bearer {jwt.alg_none(valid_token)}")
    _assert_unauthenticated(result, evidence, "the valid token's claims under alg none, unsigned")
