"""A thin gRPC client of the Zeebe gateway, as a check needs it: one call, its status, nothing hidden.

pyzeebe's ZeebeClient retries and wraps errors; a check needs the raw gRPC status code of one call.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from urllib.parse import urlencode

import grpc
from pyzeebe.proto import gateway_pb2

from harness.config import Gateway

CALL_TIMEOUT_S = 10
TOPOLOGY_PATH = "/gateway_protocol.Gateway/Topology"


@dataclasses.dataclass(frozen=True)
class CallResult:
    code: grpc.StatusCode
    details: str

    @property
    def ok(self) -> bool:
        return self.code == grpc.StatusCode.OK


def channel(gateway: Gateway, ca_file: Path | None, *, plaintext: bool | None = None) -> grpc.Channel:
    """A channel to the gateway through the proxy; `plaintext` overrides what the target declares."""
    use_tls = gateway.tls if plaintext is None else not plaintext
    if not use_tls:
        return grpc.insecure_channel(gateway.address)
    root = ca_file.read_bytes() if ca_file else None
    return grpc.secure_channel(gateway.address, grpc.ssl_channel_credentials(root_certificates=root))


def topology(gateway: Gateway, ca_file: Path | None, authorization: str | None, *,
             plaintext: bool | None = None, query_token: str | None = None,
             timeout_s: float = CALL_TIMEOUT_S) -> CallResult:
    """Call Topology once with `authorization` as the header value (None sends no header).

    `query_token` appends `?access_token=` to the call's HTTP/2 path, as a client that puts the token
    into the URL would; a gateway must not authenticate such a call.
    """
    metadata = [] if authorization is None else [("authorization", authorization)]
    path = TOPOLOGY_PATH if query_token is None else f"{TOPOLOGY_PATH}?{urlencode({'access_token': query_token})}"
    with channel(gateway, ca_file, plaintext=plaintext) as open_channel:
        call = open_channel.unary_unary(path, request_serializer=gateway_pb2.TopologyRequest.SerializeToString,
                                        response_deserializer=gateway_pb2.TopologyResponse.FromString)
        try:
            call(gateway_pb2.TopologyRequest(), metadata=metadata, timeout=timeout_s)
        except grpc.RpcError as error:
            return CallResult(error.code(), error.details() or "")
    return CallResult(grpc.StatusCode.OK, "")
