"""Fixtures the checks share: the gateway, a valid token, and the positive control that guards them."""

from __future__ import annotations

import pytest

from harness.backends import Stack
from harness.clients import gateway as gateway_client
from harness.clients.oauth import fetch_token
from harness.config import Gateway, Target
from harness.outcome import PositiveControlFailed


@pytest.fixture(scope="session")
def gateway(target: Target) -> Gateway:
    if target.gateway is None:
        pytest.skip("the target declares no gateway")
    return target.gateway


@pytest.fixture(scope="session")
def valid_token(stack: Stack) -> str:
    return fetch_token(stack)


@pytest.fixture(scope="session")
def authorized_gateway(target: Target, gateway: Gateway, valid_token: str) -> Gateway:
    """Positive control: a valid token gets OK. Without it a refused forgery proves nothing, so the
    checks that use this fixture error instead of passing."""
    result = gateway_client.topology(gateway, target.ca_file, f"Bearer {valid_token}")
    if not result.ok:
        raise PositiveControlFailed(f"Topology with a valid token got {result.code.name}")
    return gateway
