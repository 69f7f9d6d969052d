"""TLS on the gateway endpoint clients use (the auth proxy)."""

from __future__ import annotations

import pytest

from harness.clients import gateway as gateway_client
from harness.config import Gateway, Target
from harness.probes import tls


@pytest.fixture(scope="module")
def gateway_scan(gateway: Gateway) -> tls.TlsScan:
    host, port = gateway.address.rsplit(":", 1)
    return tls.scan(host, int(port))


@pytest.mark.check("TLS-001")
def test_gateway_refuses_plaintext(target: Target, gateway: Gateway, valid_token: str, evidence) -> None:
    result = gateway_client.topology(gateway, target.ca_file, f"Bearer {valid_token}", plaintext=True)
    evidence.record(declared_tls=gateway.tls, plaintext_topology=result.code.name)
    assert gateway.tls, "the target declares the gateway endpoint without TLS"
    assert not result.ok, "a plaintext gRPC call to the gateway endpoint succeeded"


@pytest.mark.check("TLS-002")
def test_gateway_refuses_legacy_tls(gateway_scan: tls.TlsScan, evidence) -> None:
    evidence.record(endpoint=gateway_scan.endpoint, accepted_versions=list(gateway_scan.accepted_versions),
                    connectivity_error=gateway_scan.connectivity_error)
    assert gateway_scan.connectivity_error is None, f"no TLS handshake: {gateway_scan.connectivity_error}"
    legacy = [v for v in gateway_scan.accepted_versions if v in tls.LEGACY_VERSIONS]
    assert not legacy, f"legacy protocol versions accepted: {', '.join(legacy)}"
