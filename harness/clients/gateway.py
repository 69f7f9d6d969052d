"""A thin gRPC client of the Zeebe gateway, as a check needs it: one call, its status, nothing hidden.

pyzeebe's ZeebeClient retries and wraps errors; a check needs the raw gRPC status code of one call.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import grpc
from pyzeebe.proto import gateway_pb2, gateway_pb2_grpc

from harness.config import Gateway

CALL_TIMEOUT_S = 10


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
             plaintext: bool | None = None, timeout_s: float = CALL_TIMEOUT_S) -> CallResult:
    """Call Topology once with `authorization` as the header value (None sends no header)."""
    metadata = [] if authorization is None else [("authorization", authorization)]
    with channel(gateway, ca_file, plaintext=plaintext) as open_channel:
        try:
            gateway_pb2_grpc.GatewayStub(open_channel).Topology(
                gateway_pb2.TopologyRequest(), metadata=metadata, timeout=timeout_s)
        except grpc.RpcError as error:
            return CallResult(error.code(), error.details() or "")
    return CallResult(grpc.StatusCode.OK, "")
