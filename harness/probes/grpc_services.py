"""The gRPC services a gateway endpoint answers beside `gateway_protocol.Gateway`, asked without a token.

Zeebe's gateway registers two services on its port (zeebe/gateway-grpc/.../Gateway.java, `buildServer`): the
Gateway API behind its interceptors (authentication among them) and grpc's health service beside it, outside
them, so probes can reach it. It has no server reflection. Health without a token is therefore the product's
design (it says SERVING and nothing else); server reflection answering without a token is not: it lists
every service the port serves, a map for whoever reaches it, and shows that something beside the Gateway API
sits outside the token check.
"""

from __future__ import annotations

import dataclasses

import grpc
from grpc_health.v1 import health_pb2
from grpc_reflection.v1alpha import reflection_pb2

HEALTH_CHECK = "/grpc.health.v1.Health/Check"
# Both versions share one message format; servers register either or both.
REFLECTION_METHODS = ("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
                      "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo")
DEADLINE_S = 3.0


@dataclasses.dataclass(frozen=True)
class Answer:
    code: grpc.StatusCode
    detail: str  # what the service revealed: the services reflection lists, or the serving status


def health(channel: grpc.Channel) -> Answer:
    call = channel.unary_unary(HEALTH_CHECK, request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
                               response_deserializer=health_pb2.HealthCheckResponse.FromString)
    try:
        response = call(health_pb2.HealthCheckRequest(service=""), timeout=DEADLINE_S)
    except grpc.RpcError as error:
        return Answer(error.code(), "")
    return Answer(grpc.StatusCode.OK, health_pb2.HealthCheckResponse.ServingStatus.Name(response.status))


def reflection(channel: grpc.Channel, method: str) -> Answer:
    """Ask the reflection service at `method` to list the services; OK with their names if it answers."""
    call = channel.stream_stream(method, request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
                                 response_deserializer=reflection_pb2.ServerReflectionResponse.FromString)
    try:
        for response in call(iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=DEADLINE_S):
            if response.HasField("error_response"):
                return Answer(grpc.StatusCode.UNKNOWN, response.error_response.error_message)
            return Answer(grpc.StatusCode.OK, ", ".join(s.name for s in response.list_services_response.service))
    except grpc.RpcError as error:
        return Answer(error.code(), "")
    return Answer(grpc.StatusCode.OK, "")
