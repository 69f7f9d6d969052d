"""No gRPC service beside the Gateway API answers on the gateway's endpoints without a token (AUTH-042).

Zeebe serves grpc's health service outside its auth interceptors on purpose (probes need it) and no server
reflection (zeebe/gateway-grpc/.../Gateway.java, `buildServer`), so health answering is recorded, not judged,
while reflection answering without a token is the finding: it maps the port's services for anyone and shows a
service outside the token check, whether the gateway or a proxy in front of it let it through.
"""

from __future__ import annotations

import grpc
import pytest

from harness.deployment import Stack
from harness.outcome import positive
from harness.probes import gateway_surface, grpc_services
from harness.report.evidence import Evidence


@pytest.mark.check("AUTH-042")
def test_no_grpc_service_beside_the_gateway_api_answers_without_a_token(stack: Stack, evidence: Evidence) -> None:
    topology = next(rpc for rpc in gateway_surface.RPCS if rpc.name == "Topology")
    seen: dict[str, dict[str, str]] = {}
    listed: dict[str, str] = {}
    for endpoint, api in gateway_surface.walked_endpoints(stack.target).items():
        with stack.channel(api.address, api.tls) as channel:
            control = gateway_surface.call(channel, topology, f"Bearer {stack.token(api.client, api.audience)}",
                                           stack.target.clients[api.client].tenant)
            positive(control.code == grpc.StatusCode.OK,
                     f"positive control: Topology on {endpoint} with a valid token answered {control.code.name}")
            health = grpc_services.health(channel)
            seen[endpoint] = {"health": f"{health.code.name} {health.detail}".strip()}
            for method in grpc_services.REFLECTION_METHODS:
                answer = grpc_services.reflection(channel, method)
                seen[endpoint][method] = answer.code.name
                if answer.code == grpc.StatusCode.OK:
                    listed[f"{endpoint} {method}"] = answer.detail
    evidence.record(sent="no authorization header", statuses=seen, reflection_lists=listed,
                    note="health without a token is Zeebe's design (probes), recorded only")
    assert not listed, f"server reflection answers without a token: {listed}"
