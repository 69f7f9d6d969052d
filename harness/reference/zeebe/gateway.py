"""The gateway emulator's gRPC servicer.

Answers with Zeebe's shapes and status codes. RPCs not implemented yet fall through to the generated
base class, which answers UNIMPLEMENTED, exactly what a client of an older gateway would see.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from pyzeebe.proto import gateway_pb2, gateway_pb2_grpc

from harness.reference.runtime import HOST

GATEWAY_VERSION = "8.5.0"
SERVICE_NAME = "gateway_protocol.Gateway"
log = logging.getLogger("zeebe")


def token_fingerprint(metadata: tuple[tuple[str, str | bytes], ...]) -> str:
    """What the log says about a call's credential: absent, or a hash prefix, never the token."""
    for key, value in metadata:
        if key == "authorization":
            raw = value.encode() if isinstance(value, str) else value
            return "sha256:" + hashlib.sha256(raw).hexdigest()[:12]
    return "absent"


class CallLog(grpc.aio.ServerInterceptor):
    """Logs every call that reached the gateway, so a test can prove forged calls never did."""

    async def intercept_service(self, continuation: Callable[[grpc.HandlerCallDetails], Awaitable[Any]],
                                details: grpc.HandlerCallDetails) -> Any:
        # Only the method path: a client may put `?access_token=` into the HTTP/2 path, and tokens never
        # reach a log.
        method = details.method.partition("?")[0]
        log.info("call %s authorization=%s", method, token_fingerprint(tuple(details.invocation_metadata)))
        return await continuation(details)


class Gateway(gateway_pb2_grpc.GatewayServicer):
    def __init__(self, advertised_port: int) -> None:
        self.advertised_port = advertised_port

    async def Topology(self, request: gateway_pb2.TopologyRequest, context: grpc.aio.ServicerContext
                       ) -> gateway_pb2.TopologyResponse:
        partition = gateway_pb2.Partition(partitionId=1, role=gateway_pb2.Partition.LEADER,
                                          health=gateway_pb2.Partition.HEALTHY)
        broker = gateway_pb2.BrokerInfo(nodeId=0, host=HOST, port=self.advertised_port,
                                        partitions=[partition], version=GATEWAY_VERSION)
        return gateway_pb2.TopologyResponse(brokers=[broker], clusterSize=1, partitionsCount=1,
                                            replicationFactor=1, gatewayVersion=GATEWAY_VERSION)


async def serve(host: str, port: int) -> None:
    server = grpc.aio.server(interceptors=[CallLog()])
    gateway_pb2_grpc.add_GatewayServicer_to_server(Gateway(port), server)
    health_servicer = health.aio.HealthServicer()
    await health_servicer.set(SERVICE_NAME, health_pb2.HealthCheckResponse.SERVING)
    await health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    server.add_insecure_port(f"{host}:{port}")
    await server.start()
    log.info("gateway listening on %s:%d (plaintext, reachable only by the proxy)", host, port)
    await server.wait_for_termination()
