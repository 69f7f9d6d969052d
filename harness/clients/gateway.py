"""Raw gRPC calls to a Zeebe gateway, as checks need them: each call's exact status, nothing hidden.

pyzeebe's ZeebeClient retries and wraps errors; a check needs the status of one call. Open it through
`Stack.gateway(...)` / `Stack.gateway_as(client)`, which pick the endpoint and the channel's trust.
"""

from __future__ import annotations

import base64
import dataclasses
from typing import Any, Self
from urllib.parse import urlencode

import grpc
from pyzeebe.proto import gateway_pb2, gateway_pb2_grpc

CALL_TIMEOUT_S = 10
TOPOLOGY_PATH = "/gateway_protocol.Gateway/Topology"


def basic_authorization(username: str, password: str) -> str:
    """The `authorization` value for HTTP Basic, which Camunda 8.8+'s gRPC API takes as its REST API does
    (AuthenticationHandler.BasicAuth: base64 of `user:password`, UTF-8)."""
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


@dataclasses.dataclass(frozen=True)
class Reply:
    code: grpc.StatusCode
    details: str
    response: Any = None

    @property
    def ok(self) -> bool:
        return self.code == grpc.StatusCode.OK


class PendingCall:
    """A call under way (grpc's future), for a check that waits on it while watching something else, and
    stops waiting once that shows the call can no longer end well."""

    def __init__(self, future: grpc.Future) -> None:
        self.future = future

    def done(self) -> bool:
        return self.future.done()

    def cancel(self) -> None:
        self.future.cancel()

    def reply(self) -> Reply:
        """The call's outcome, waiting for it; CANCELLED where `cancel` ended it."""
        try:
            response = self.future.result()
        except grpc.FutureCancelledError:
            return Reply(grpc.StatusCode.CANCELLED, "cancelled by the check")
        except grpc.RpcError as error:
            return Reply(error.code(), error.details() or "")
        return Reply(grpc.StatusCode.OK, "", response)


class GatewayCalls:
    """One caller's calls over one channel, with `authorization` as the header value (None sends none)."""

    def __init__(self, channel: grpc.Channel, authorization: str | None, timeout_s: float = CALL_TIMEOUT_S) -> None:
        self.channel = channel
        self.stub = gateway_pb2_grpc.GatewayStub(channel)
        self.metadata = [] if authorization is None else [("authorization", authorization)]
        self.timeout_s = timeout_s

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.channel.close()

    def call(self, rpc: str, request: Any, timeout_s: float | None = None) -> Reply:
        """One call with the channel's deadline, or `timeout_s` for a call that waits on purpose."""
        try:
            response = getattr(self.stub, rpc)(request, metadata=self.metadata, timeout=timeout_s or self.timeout_s)
        except grpc.RpcError as error:
            return Reply(error.code(), error.details() or "")
        return Reply(grpc.StatusCode.OK, "", response)

    def pending(self, rpc: str, request: Any, timeout_s: float) -> PendingCall:
        """One call that waits on purpose, started without blocking the caller."""
        return PendingCall(getattr(self.stub, rpc).future(request, metadata=self.metadata, timeout=timeout_s))

    def topology(self, query_token: str | None = None) -> Reply:
        """The cheapest authenticated call. `query_token` appends `?access_token=` to the call's HTTP/2
        path, as a client that puts the token into the URL would; a gateway must not authenticate it."""
        if query_token is None:
            return self.call("Topology", gateway_pb2.TopologyRequest())
        path = f"{TOPOLOGY_PATH}?{urlencode({'access_token': query_token})}"
        call = self.channel.unary_unary(path, request_serializer=gateway_pb2.TopologyRequest.SerializeToString,
                                        response_deserializer=gateway_pb2.TopologyResponse.FromString)
        try:
            response = call(gateway_pb2.TopologyRequest(), metadata=self.metadata, timeout=self.timeout_s)
        except grpc.RpcError as error:
            return Reply(error.code(), error.details() or "")
        return Reply(grpc.StatusCode.OK, "", response)

    def deploy(self, process: bytes, tenant: str, name: str = "process.bpmn") -> Reply:
        return self.call("DeployResource", gateway_pb2.DeployResourceRequest(
            resources=[gateway_pb2.Resource(name=name, content=process)], tenantId=tenant))

    def start(self, process_id: str, tenant: str, variables: str = "{}") -> Reply:
        return self.call("CreateProcessInstance", gateway_pb2.CreateProcessInstanceRequest(
            bpmnProcessId=process_id, version=-1, variables=variables, tenantId=tenant))

    def activate(self, job_type: str, tenants: list[str], *, request_timeout_ms: int = -1,
                 max_jobs: int = 32) -> Reply:
        """ActivateJobs; the reply's `response` is the list of activated jobs (all stream messages)."""
        request = gateway_pb2.ActivateJobsRequest(type=job_type, worker="harness-check", timeout=30_000,
                                                  maxJobsToActivate=max_jobs, requestTimeout=request_timeout_ms,
                                                  tenantIds=tenants)
        try:
            stream = self.stub.ActivateJobs(request, metadata=self.metadata, timeout=self.timeout_s)
            jobs = [job for response in stream for job in response.jobs]
        except grpc.RpcError as error:
            return Reply(error.code(), error.details() or "")
        return Reply(grpc.StatusCode.OK, "", jobs)
