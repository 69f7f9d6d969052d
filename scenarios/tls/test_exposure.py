"""Internal ports stay internal: the gateway behind the auth proxy is not reachable from where clients are
(Securing Zeebe's gRPC communication: brokers and the gateway on a private network, only the proxy exposed)."""

from __future__ import annotations

import pytest

from harness.config import Gateway
from harness.deployment import Stack


@pytest.mark.check("TLS-009")
def test_gateway_not_reachable_from_client_network(stack: Stack, gateway: Gateway, evidence) -> None:
    if stack.client_reachable is None:
        pytest.skip("this backend runs every service on one network (local processes share loopback), "
                    "so exposure cannot be tested here; use --target=docker or an external target")
    reachable = stack.client_reachable(gateway.direct_address)
    evidence.record(direct_address=gateway.direct_address, reachable_from_client_network=reachable)
    assert not reachable, f"the gateway's own port {gateway.direct_address} answers on the client network"
