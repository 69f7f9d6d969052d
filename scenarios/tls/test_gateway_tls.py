"""TLS on the gateway endpoint clients use (the auth proxy)."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from harness.config import Gateway
from harness.deployment import Stack


@pytest.mark.check("TLS-001")
def test_gateway_refuses_plaintext(stack: Stack, gateway: Gateway, valid_token: SecretStr, evidence) -> None:
    with stack.gateway(f"Bearer {valid_token.get_secret_value()}", plaintext=True) as calls:
        result = calls.topology()
    evidence.record(declared_tls=gateway.tls, plaintext_topology=result.code.name)
    assert gateway.tls, "the target declares the gateway endpoint without TLS"
    assert not result.ok, "a plaintext gRPC call to the gateway endpoint succeeded"
