"""Internal ports stay internal: the gateway behind the auth proxy is not reachable from where clients are
(Securing Zeebe's gRPC communication: brokers and the gateway on a private network, only the proxy exposed)."""

from __future__ import annotations

import pytest

from harness.config import Gateway, Target
from harness.probes.exposure import tcp_reachable


@pytest.mark.check("TLS-009")
def test_gateway_not_reachable_directly(target: Target, gateway: Gateway, evidence) -> None:
    if gateway.direct_address is None:
        pytest.skip("the target declares no direct gateway address (gateway.direct_address) to probe")
    if target.shared_network:
        pytest.skip("this backend runs every service on the test process's own network (shared_network), "
                    "so the client network cannot be separated from the internal one")
    reachable, outcome = tcp_reachable(gateway.direct_address)
    evidence.record(direct_address=gateway.direct_address, outcome=outcome)
    assert not reachable, f"the gateway behind the proxy accepts connections from the client network " \
                          f"at {gateway.direct_address}"
