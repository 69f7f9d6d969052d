"""Raw gRPC calls to a Zeebe gateway as one client, for the tenancy checks: every call's status, nothing
retried or wrapped (pyzeebe does both, and a check needs the exact status of one call)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Self

import grpc
from pyzeebe.proto import gateway_pb2, gateway_pb2_grpc

from harness.config import Target

CALL_TIMEOUT_S = 10
BPMN_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="definitions" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{process_id}" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="to_task" sourceRef="start" targetRef="task" />
    <bpmn:serviceTask id="task">
      <bpmn:extensionElements><zeebe:taskDefinition type="{job_type}" retries="{retries}" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="to_end" sourceRef="task" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def one_task_process(process_id: str, job_type: str, retries: int = 3) -> bytes:
    """A start event, one service task of `job_type`, an end event: the smallest process with a job."""
    return BPMN_TEMPLATE.format(process_id=process_id, job_type=job_type, retries=retries).encode()


@dataclasses.dataclass(frozen=True)
class Reply:
    code: grpc.StatusCode
    details: str
    response: Any = None

    @property
    def ok(self) -> bool:
        return self.code == grpc.StatusCode.OK


def tenancy_endpoint(target: Target) -> tuple[str, bool]:
    """The gateway endpoint that enforces tenants: the dedicated one if the target names it."""
    if target.gateway is None:
        raise ValueError("gateway: the target declares no gateway")
    if target.gateway.tenancy_address:
        return target.gateway.tenancy_address, True
    return target.gateway.address, target.gateway.tls


class ZeebeCalls:
    """One client's calls to one gateway endpoint, with its bearer token (None sends no header)."""

    def __init__(self, address: str, tls: bool, ca_file: Path | None, token: str | None) -> None:
        if tls:
            root = ca_file.read_bytes() if ca_file else None
            self.channel = grpc.secure_channel(address, grpc.ssl_channel_credentials(root_certificates=root))
        else:
            self.channel = grpc.insecure_channel(address)
        self.stub = gateway_pb2_grpc.GatewayStub(self.channel)
        self.metadata = [] if token is None else [("authorization", f"Bearer {token}")]

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.channel.close()

    def call(self, rpc: str, request: Any) -> Reply:
        try:
            response = getattr(self.stub, rpc)(request, metadata=self.metadata, timeout=CALL_TIMEOUT_S)
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
            stream = self.stub.ActivateJobs(request, metadata=self.metadata, timeout=CALL_TIMEOUT_S)
            jobs = [job for response in stream for job in response.jobs]
        except grpc.RpcError as error:
            return Reply(error.code(), error.details() or "")
        return Reply(grpc.StatusCode.OK, "", jobs)
