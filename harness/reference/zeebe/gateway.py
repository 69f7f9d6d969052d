"""The gateway emulator's gRPC servicer.

Answers with Zeebe's shapes and status codes. RPCs not implemented fall through to the generated base
class, which answers UNIMPLEMENTED, exactly what a client of an older gateway would see. One process may
serve several listeners (auth mode `none` behind the proxy, auth mode `identity` with multi-tenancy) over
one engine, as several gateways share one cluster.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from pyzeebe.proto import gateway_pb2, gateway_pb2_grpc

from harness.reference.runtime import HOST
from harness.reference.zeebe import tenancy
from harness.reference.zeebe.auth import authorization_of
from harness.reference.zeebe.engine import Engine, Job, Rejection, parse_variables

GATEWAY_VERSION = "8.5.0"
SERVICE_NAME = "gateway_protocol.Gateway"
DEFAULT_RESULT_TIMEOUT_S = 10.0
log = logging.getLogger("zeebe")


def token_fingerprint(metadata: tuple[tuple[str, str | bytes], ...]) -> str:
    """What the log says about a call's credential: absent, or a hash prefix, never the token."""
    for key, value in metadata:
        if key == "authorization":
            raw = value.encode() if isinstance(value, str) else value
            return "sha256:" + hashlib.sha256(raw).hexdigest()[:12]
    return "absent"


class Authentication(Protocol):
    """Who calls, from the `authorization` metadata: zeebe.auth.Authenticator (8.3-8.7, tokens checked against
    Identity) or the Orchestration Cluster's own (8.8+). `mode` and `multi_tenancy` are for the log."""

    mode: str
    multi_tenancy: bool

    async def caller(self, authorization: str | None) -> tenancy.Caller: ...


class Permissions(Protocol):
    """Authorizations the engine checks before a command (Camunda 8.8+); the 8.3-8.7 gateway has none."""

    def require(self, caller: tenancy.Caller, rpc: str, process_id: str | None) -> None:
        """Raise a Rejection unless `caller` may run `rpc` (on the process `process_id`, where it has one)."""

    def job_processes(self, caller: tenancy.Caller) -> frozenset[str] | None:
        """The process ids whose jobs `caller` may activate; None for all."""


class CallLog(grpc.aio.ServerInterceptor):
    """Logs every call that reached the gateway, so a test can prove forged calls never did."""

    async def intercept_service(self, continuation: Callable[[grpc.HandlerCallDetails], Awaitable[Any]],
                                details: grpc.HandlerCallDetails) -> Any:
        # Only the method path: a client may put `?access_token=` into the HTTP/2 path, and tokens never
        # reach a log.
        method = details.method.partition("?")[0]
        log.info("call %s authorization=%s", method, token_fingerprint(tuple(details.invocation_metadata)))
        return await continuation(details)


def command(method: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """Authenticate the call, run it, and turn a Rejection into the gRPC status Zeebe would send."""

    @functools.wraps(method)
    async def handler(self: Gateway, request: Any, context: grpc.aio.ServicerContext) -> Any:
        try:
            caller = await self.auth.caller(authorization_of(context))
            return await method(self, request, caller)
        except Rejection as rejection:
            await context.abort(rejection.code, rejection.message)

    return handler


def _activated(job: Job, fetch: list[str]) -> gateway_pb2.ActivatedJob:
    variables = job.instance.variables
    if fetch:
        variables = {name: variables[name] for name in fetch if name in variables}
    definition = job.instance.definition
    return gateway_pb2.ActivatedJob(
        key=job.key, type=job.element.job_type, processInstanceKey=job.instance.key,
        bpmnProcessId=definition.process.bpmn_process_id, processDefinitionVersion=definition.version,
        processDefinitionKey=definition.key, elementId=job.element.id, elementInstanceKey=job.element_instance_key,
        customHeaders=json.dumps(dict(job.element.headers)), worker=job.worker, retries=job.retries,
        deadline=job.deadline_ms, variables=json.dumps(variables), tenantId=job.instance.tenant_id)


def _validate_activation(request: gateway_pb2.ActivateJobsRequest) -> None:
    """The broker's job batch checks, in its order and words."""
    prefix = "Command 'ACTIVATE' rejected with code 'INVALID_ARGUMENT': Expected to activate job batch with"
    if request.maxJobsToActivate <= 0:
        reason = f"max jobs to activate to be greater than zero, but it was '{request.maxJobsToActivate}'"
    elif request.timeout <= 0:
        reason = f"timeout to be greater than zero, but it was '{request.timeout}'"
    elif not request.type:
        reason = "type to be present, but it was blank"
    else:
        return
    raise Rejection(grpc.StatusCode.INVALID_ARGUMENT, f"{prefix} {reason}")


def _topology(advertised_port: int) -> gateway_pb2.TopologyResponse:
    partition = gateway_pb2.Partition(partitionId=1, role=gateway_pb2.Partition.LEADER,
                                      health=gateway_pb2.Partition.HEALTHY)
    broker = gateway_pb2.BrokerInfo(nodeId=0, host=HOST, port=advertised_port, partitions=[partition],
                                    version=GATEWAY_VERSION)
    return gateway_pb2.TopologyResponse(brokers=[broker], clusterSize=1, partitionsCount=1, replicationFactor=1,
                                        gatewayVersion=GATEWAY_VERSION)


class Gateway(gateway_pb2_grpc.GatewayServicer):
    def __init__(self, advertised_port: int, engine: Engine, auth: Authentication,
                 permissions: Permissions | None = None) -> None:
        self.advertised_port, self.engine, self.auth, self.permissions = advertised_port, engine, auth, permissions
        # The one-broker cluster never changes: built once, as Topology is the load bench's hot path.
        self.topology = _topology(advertised_port)

    async def Topology(self, request: gateway_pb2.TopologyRequest, context: grpc.aio.ServicerContext
                       ) -> gateway_pb2.TopologyResponse:
        try:
            await self.auth.caller(authorization_of(context))
        except Rejection as rejection:
            await context.abort(rejection.code, rejection.message)
        return self.topology

    @command
    async def DeployResource(self, request: gateway_pb2.DeployResourceRequest, caller: tenancy.Caller
                             ) -> gateway_pb2.DeployResourceResponse:
        self._require(caller, "DeployResource", None)
        tenant = tenancy.tenant_for("DeployResource", request.tenantId, caller)
        definitions = self.engine.deploy([(r.name, r.content) for r in request.resources], tenant)
        return gateway_pb2.DeployResourceResponse(key=self.engine.next_key(), tenantId=tenant, deployments=[
            gateway_pb2.Deployment(process=gateway_pb2.ProcessMetadata(
                bpmnProcessId=d.process.bpmn_process_id, version=d.version, processDefinitionKey=d.key,
                resourceName=d.resource_name, tenantId=d.tenant_id)) for d in definitions])

    def _require(self, caller: tenancy.Caller, rpc: str, process_id: str | None) -> None:
        if self.permissions is not None:
            self.permissions.require(caller, rpc, process_id)

    def _start(self, rpc: str, request: gateway_pb2.CreateProcessInstanceRequest, caller: tenancy.Caller,
               with_result: bool = False) -> Any:
        tenant = tenancy.tenant_for(rpc, request.tenantId, caller)
        definition = self.engine.find_definition(request.processDefinitionKey, request.bpmnProcessId,
                                                 request.version, tenant, caller.tenants)
        self._require(caller, rpc, definition.process.bpmn_process_id)
        return self.engine.create_instance(definition, parse_variables(request.variables), with_result)

    @command
    async def CreateProcessInstance(self, request: gateway_pb2.CreateProcessInstanceRequest, caller: tenancy.Caller
                                    ) -> gateway_pb2.CreateProcessInstanceResponse:
        instance = self._start("CreateProcessInstance", request, caller)
        definition = instance.definition
        return gateway_pb2.CreateProcessInstanceResponse(
            processDefinitionKey=definition.key, bpmnProcessId=definition.process.bpmn_process_id,
            version=definition.version, processInstanceKey=instance.key, tenantId=instance.tenant_id)

    @command
    async def CreateProcessInstanceWithResult(self, request: gateway_pb2.CreateProcessInstanceWithResultRequest,
                                              caller: tenancy.Caller
                                              ) -> gateway_pb2.CreateProcessInstanceWithResultResponse:
        instance = self._start("CreateProcessInstanceWithResult", request.request, caller, with_result=True)
        timeout_s = request.requestTimeout / 1000 if request.requestTimeout > 0 else DEFAULT_RESULT_TIMEOUT_S
        assert instance.result is not None
        try:
            variables = await asyncio.wait_for(asyncio.shield(instance.result), timeout_s)
        except TimeoutError:
            raise Rejection(grpc.StatusCode.DEADLINE_EXCEEDED, "Time out between gateway and broker: Request "
                            f"timed out after PT{timeout_s:g}S") from None
        if request.fetchVariables:
            variables = {name: variables[name] for name in request.fetchVariables if name in variables}
        definition = instance.definition
        return gateway_pb2.CreateProcessInstanceWithResultResponse(
            processDefinitionKey=definition.key, bpmnProcessId=definition.process.bpmn_process_id,
            version=definition.version, processInstanceKey=instance.key, variables=json.dumps(variables),
            tenantId=instance.tenant_id)

    async def ActivateJobs(self, request: gateway_pb2.ActivateJobsRequest, context: grpc.aio.ServicerContext
                           ) -> AsyncIterator[gateway_pb2.ActivateJobsResponse]:
        try:
            caller = await self.auth.caller(authorization_of(context))
            tenants = tenancy.tenants_for("ActivateJobs", list(request.tenantIds), caller)
            _validate_activation(request)
            processes = None if self.permissions is None else self.permissions.job_processes(caller)
            jobs = await self.engine.activate_waiting(request.type, request.worker, request.timeout,
                                                      request.maxJobsToActivate, tenants, request.requestTimeout,
                                                      processes)
        except Rejection as rejection:
            await context.abort(rejection.code, rejection.message)
        if jobs:
            yield gateway_pb2.ActivateJobsResponse(jobs=[_activated(job, list(request.fetchVariable))
                                                         for job in jobs])

    @command
    async def CompleteJob(self, request: gateway_pb2.CompleteJobRequest, caller: tenancy.Caller
                          ) -> gateway_pb2.CompleteJobResponse:
        self.engine.complete(request.jobKey, parse_variables(request.variables), caller.tenants)
        return gateway_pb2.CompleteJobResponse()

    @command
    async def FailJob(self, request: gateway_pb2.FailJobRequest, caller: tenancy.Caller) -> gateway_pb2.FailJobResponse:
        self.engine.fail(request.jobKey, request.retries, request.errorMessage, request.retryBackOff,
                         parse_variables(request.variables), caller.tenants)
        return gateway_pb2.FailJobResponse()

    @command
    async def ThrowError(self, request: gateway_pb2.ThrowErrorRequest, caller: tenancy.Caller
                         ) -> gateway_pb2.ThrowErrorResponse:
        self.engine.throw_error(request.jobKey, request.errorCode, request.errorMessage, caller.tenants)
        return gateway_pb2.ThrowErrorResponse()

    @command
    async def UpdateJobRetries(self, request: gateway_pb2.UpdateJobRetriesRequest, caller: tenancy.Caller
                               ) -> gateway_pb2.UpdateJobRetriesResponse:
        self.engine.update_retries(request.jobKey, request.retries, caller.tenants)
        return gateway_pb2.UpdateJobRetriesResponse()

    @command
    async def ResolveIncident(self, request: gateway_pb2.ResolveIncidentRequest, caller: tenancy.Caller
                              ) -> gateway_pb2.ResolveIncidentResponse:
        self.engine.resolve_incident(request.incidentKey, caller.tenants)
        return gateway_pb2.ResolveIncidentResponse()

    @command
    async def SetVariables(self, request: gateway_pb2.SetVariablesRequest, caller: tenancy.Caller
                           ) -> gateway_pb2.SetVariablesResponse:
        key = self.engine.set_variables(request.elementInstanceKey, parse_variables(request.variables), caller.tenants)
        return gateway_pb2.SetVariablesResponse(key=key)

    @command
    async def CancelProcessInstance(self, request: gateway_pb2.CancelProcessInstanceRequest, caller: tenancy.Caller
                                    ) -> gateway_pb2.CancelProcessInstanceResponse:
        self.engine.cancel(request.processInstanceKey, caller.tenants)
        return gateway_pb2.CancelProcessInstanceResponse()

    @command
    async def PublishMessage(self, request: gateway_pb2.PublishMessageRequest, caller: tenancy.Caller
                             ) -> gateway_pb2.PublishMessageResponse:
        tenant = tenancy.tenant_for("PublishMessage", request.tenantId, caller)
        key = self.engine.publish(request.name, request.correlationKey, request.timeToLive, request.messageId,
                                  parse_variables(request.variables), tenant)
        return gateway_pb2.PublishMessageResponse(key=key, tenantId=tenant)


async def start_listener(engine: Engine, auth: Authentication, address: str, advertised_port: int,
                         tls: dict[str, str] | None, reflection_on: bool = False,
                         permissions: Permissions | None = None) -> grpc.aio.Server:
    """One gateway listener on `address` (host:port, 127.0.0.1 or all addresses in a container, or a
    `unix-abstract:` socket behind a TLS front): plaintext behind the proxy, or TLS when given a certificate.
    Topology names `advertised_port`, where clients reach it.

    Like Zeebe's gateway (zeebe/gateway-grpc/.../Gateway.java, `buildServer`), the health service sits beside
    the Gateway service outside its auth interceptors, and there is no server reflection; grpc_reflection_open
    adds reflection, outside the token check as health is."""
    server = grpc.aio.server(interceptors=[CallLog()])
    gateway_pb2_grpc.add_GatewayServicer_to_server(Gateway(advertised_port, engine, auth, permissions), server)
    health_servicer = health.aio.HealthServicer()
    await health_servicer.set(SERVICE_NAME, health_pb2.HealthCheckResponse.SERVING)
    await health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    if reflection_on:
        reflection.enable_server_reflection((SERVICE_NAME, health.SERVICE_NAME, reflection.SERVICE_NAME), server)
    if tls:
        # Read once at start, before serving: nothing else runs on the loop yet.
        pair = (Path(tls["key_file"]).read_bytes(), Path(tls["cert_file"]).read_bytes())
        server.add_secure_port(address, grpc.ssl_server_credentials([pair]))
    else:
        server.add_insecure_port(address)
    await server.start()
    log.info("gateway listening on %s (auth mode %s, multi-tenancy %s, %s)", address, auth.mode,
             "enabled" if auth.multi_tenancy else "disabled", "TLS" if tls else "plaintext, behind a TLS front")
    return server
