"""Every RPC of Zeebe's `gateway_protocol.Gateway`, read from the proto descriptor pyzeebe ships.

An attacker picks the call, not the harness: a proxy that guards Topology but forwards ActivateJobs hands
jobs (and their variables) to anyone. The methods come from the descriptor, not a hand list, so an RPC a
new Zeebe adds is probed on upgrade. Each request is filled generically from its message type with values
that look real (a deployable BPMN for bytes, JSON for variables, keys of Zeebe's shape), so a call that
gets past authentication shows as something other than UNAUTHENTICATED instead of failing validation in a
way that could pass for a refusal.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import grpc
from google.protobuf.descriptor import Descriptor, FieldDescriptor, MethodDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass
from pyzeebe.proto import gateway_pb2

from harness.clients.bpmn import one_task_process
from harness.config import Target
from harness.outcome import positive

SERVICE = gateway_pb2.DESCRIPTOR.services_by_name["Gateway"]
# A key of Zeebe's shape (partition 1 in the top bits) that no real record will have.
PROBE_KEY = (1 << 51) | 0xFF_FFFF_FFFF
PROBE_NAME = "harness-surface-probe"
# A refused call answers at once; a call that got through may wait (long polling, an open job stream).
STREAM_DEADLINE_S = 2.0
# Nested messages are filled this deep (start instructions, migration mapping...); enough for a real shape.
MAX_DEPTH = 3


@dataclasses.dataclass(frozen=True)
class Rpc:
    """One method of the gateway service, as the descriptor declares it."""

    name: str
    path: str
    request_type: Descriptor
    response_type: Descriptor
    server_streaming: bool

    def request(self, tenant: str) -> Message:
        return fill(GetMessageClass(self.request_type)(), tenant)


def _rpc(method: MethodDescriptor) -> Rpc:
    return Rpc(method.name, f"/{SERVICE.full_name}/{method.name}", method.input_type, method.output_type,
               method.server_streaming)


RPCS: tuple[Rpc, ...] = tuple(_rpc(method) for method in SERVICE.methods)


def _scalar(field: FieldDescriptor, tenant: str) -> Any:
    name = field.name.lower()
    if field.type == FieldDescriptor.TYPE_BYTES:
        return one_task_process(PROBE_NAME, PROBE_NAME)
    if field.type == FieldDescriptor.TYPE_STRING:
        if "variables" in name:
            return '{"probe": true}'
        if "tenant" in name:
            return tenant
        if name == "name" and field.containing_type.name == "Resource":
            return f"{PROBE_NAME}.bpmn"
        return PROBE_NAME
    if field.type == FieldDescriptor.TYPE_BOOL:
        return False
    if field.type == FieldDescriptor.TYPE_ENUM:
        return field.enum_type.values[0].number
    if name.endswith("key"):
        return PROBE_KEY
    if "timeout" in name:
        return 500  # ms: a long poll that got through returns soon
    if name in ("version", "operationreference"):
        return -1 if name == "version" else 1
    return 1


def fill(message: Message, tenant: str, depth: int = 0) -> Message:
    """Every field of `message` set to a plausible value (one element for repeated ones), maps left empty.

    Of a oneof, only the first member is set: a second would silently replace it.
    """
    chosen_oneofs: set[str] = set()
    for field in message.DESCRIPTOR.fields:
        oneof = field.containing_oneof
        if oneof is not None:
            if oneof.name in chosen_oneofs:
                continue
            chosen_oneofs.add(oneof.name)
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            if depth >= MAX_DEPTH or field.message_type.GetOptions().map_entry:
                continue
            target = getattr(message, field.name).add() if field.is_repeated else getattr(message, field.name)
            fill(target, tenant, depth + 1)
            if not field.is_repeated:
                target.SetInParent()
        elif field.is_repeated:
            value = _scalar(field, tenant)
            if not (isinstance(value, str) and "tenant" in field.name.lower() and not value):
                getattr(message, field.name).append(value)
        else:
            setattr(message, field.name, _scalar(field, tenant))
    return message


@dataclasses.dataclass(frozen=True)
class Outcome:
    rpc: str
    code: grpc.StatusCode
    details: str

    @property
    def unauthenticated(self) -> bool:
        return self.code == grpc.StatusCode.UNAUTHENTICATED


def call(channel: grpc.Channel, rpc: Rpc, authorization: str | None, tenant: str,
         timeout_s: float = STREAM_DEADLINE_S) -> Outcome:
    """One call of `rpc` with `authorization` (None sends no header); a stream is read to its end or deadline."""
    metadata = [] if authorization is None else [("authorization", authorization)]
    serialize = GetMessageClass(rpc.request_type).SerializeToString
    deserialize = GetMessageClass(rpc.response_type).FromString
    try:
        if rpc.server_streaming:
            stream = channel.unary_stream(rpc.path, request_serializer=serialize, response_deserializer=deserialize)
            for _ in stream(rpc.request(tenant), metadata=metadata, timeout=timeout_s):
                pass
        else:
            unary = channel.unary_unary(rpc.path, request_serializer=serialize, response_deserializer=deserialize)
            unary(rpc.request(tenant), metadata=metadata, timeout=timeout_s)
    except grpc.RpcError as error:
        return Outcome(rpc.name, error.code(), error.details() or "")
    return Outcome(rpc.name, grpc.StatusCode.OK, "")


@dataclasses.dataclass(frozen=True)
class GrpcApi:
    """A gRPC endpoint serving the Gateway API with bearer tokens, and the Target client whose token it takes."""

    address: str
    tls: bool
    client: str = "default"
    audience: str | None = None  # None: the client's own


def gateway_endpoints(target: Target) -> dict[str, GrpcApi]:
    """The gateway through the proxy, the gateway checking tokens itself where the target names it, and the
    gRPC API of an Orchestration Cluster with the oidc method (8.8+)."""
    endpoints = {}
    gateway = target.gateway
    if gateway is not None:
        endpoints["gateway"] = GrpcApi(gateway.address, gateway.tls)
        if gateway.tenancy_address:
            endpoints["gateway.tenancy_address"] = GrpcApi(gateway.tenancy_address, True)
    cluster = target.orchestration
    if cluster is not None and cluster.oidc_grpc_endpoint and cluster.client:
        endpoints["orchestration.oidc_grpc_address"] = GrpcApi(cluster.oidc_grpc_endpoint, True, cluster.client,
                                                               cluster.audience)
    return endpoints


def walked_endpoints(target: Target) -> dict[str, GrpcApi]:
    """gateway_endpoints for a check that walks them: none is its broken positive control, never a pass (the
    catalog's need is met by an oidc cluster's gRPC address, but a token for it needs `orchestration.client`)."""
    endpoints = gateway_endpoints(target)
    positive(bool(endpoints), "no gRPC API to walk: the oidc cluster's gRPC address needs orchestration.client, "
                              "the Target client whose tokens it takes")
    return endpoints
