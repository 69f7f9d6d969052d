"""TLS on the gateway endpoint clients use (the auth proxy)."""

from __future__ import annotations

import pytest

from harness.clients import gateway as gateway_client
from harness.config import Gateway, Target


@pytest.mark.check("TLS-001")
def test_gateway_refuses_plaintext(target: Target, gateway: Gateway, valid_token: str, evidence) -> None:
    result = gateway_client.topology(gateway, target.ca_file, f"Bearer {valid_token}", plaintext=True)
    evidence.record(declared_tls=gateway.tls, plaintext_topology=result.code.name)
    assert gateway.tls, "the target declares the gateway endpoint without TLS"
    assert not result.ok, "a plaintext gRPC call to the gateway endpoint succeeded"
