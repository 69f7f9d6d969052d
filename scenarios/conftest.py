"""Fixtures the checks share: the gateway, a valid token, and the positive control that guards them."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from harness.config import Gateway, Target
from harness.deployment import Stack
from harness.outcome import PositiveControlFailed


@pytest.fixture(scope="session")
def gateway(target: Target) -> Gateway:
    if target.gateway is None:
        pytest.skip("the target declares no gateway")
    return target.gateway


@pytest.fixture(scope="session")
def valid_token(stack: Stack) -> SecretStr:
    """Wrapped, so pytest's `--debug` trace of fixture results shows `**********`, not the token."""
    return SecretStr(stack.token())


@pytest.fixture(scope="session")
def authorized_gateway(stack: Stack, gateway: Gateway, valid_token: SecretStr) -> Gateway:
    """Positive control: a valid token gets OK. Without it a refused forgery proves nothing, so the
    checks that use this fixture error instead of passing."""
    with stack.gateway(f"Bearer {valid_token.get_secret_value()}") as calls:
        result = calls.topology()
    if not result.ok:
        raise PositiveControlFailed(f"Topology with a valid token got {result.code.name}")
    return gateway
