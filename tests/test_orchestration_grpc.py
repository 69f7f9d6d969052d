"""The Orchestration Cluster emulator's gRPC API with the real client and with raw calls: pyzeebe, unchanged,
over TLS with Basic credentials on the basic cluster and an OAuth token from Identity on the oidc one; and
each refusal with the product's status and words (camunda/camunda 8.8
zeebe/gateway-grpc/src/main/java/io/camunda/zeebe/gateway/interceptors/impl/AuthenticationInterceptor.java
and AuthenticationHandler.java).

No `from __future__ import annotations` here: pyzeebe finds a task's parameters by their annotation objects.
"""

import asyncio
from pathlib import Path
from typing import Any

import grpc
import pytest
from pyzeebe import ZeebeClient, ZeebeWorker, create_secure_channel
from pyzeebe.errors import UnknownGrpcStatusCodeError, ZeebeGatewayUnavailableError
from pyzeebe.proto import gateway_pb2

from harness.clients.bpmn import one_task_process
from harness.clients.gateway import GatewayCalls, Reply, basic_authorization
from harness.config import Orchestration
from harness.deployment import Stack
from tests.test_zeebe_pyzeebe import RUN_TIMEOUT_S, WORKER_POLL_MS, oauth_channel, with_worker


@pytest.fixture(scope="module")
def stack(cluster_stack: Stack) -> Stack:
    return cluster_stack


@pytest.fixture(scope="module")
def cluster(stack: Stack) -> Orchestration:
    spec = stack.target.orchestration
    assert spec is not None and spec.grpc_address and spec.oidc_grpc_address and spec.tenant
    return spec


def login(stack: Stack, cluster: Orchestration, user: str = "default") -> str:
    username, password = cluster.user_login(user, stack.environ)
    return basic_authorization(username, password.get_secret_value())


TOPOLOGY = gateway_pb2.TopologyRequest()


def raw(stack: Stack, address: str, authorization: str | None, rpc: str = "Topology", request: Any = TOPOLOGY) -> Reply:
    with GatewayCalls(stack.channel(address, True), authorization) as calls:
        return calls.call(rpc, request)


class BasicCredentials(grpc.AuthMetadataPlugin):
    """What a Java or Go client configured with basic auth sends on every call."""

    def __init__(self, authorization: str) -> None:
        self.authorization = authorization

    def __call__(self, context: grpc.AuthMetadataContext, callback: grpc.AuthMetadataPluginCallback) -> None:
        callback((("authorization", self.authorization),), None)


def test_pyzeebe_with_basic_credentials_deploys_and_runs_a_worker_in_its_tenant(
        stack: Stack, cluster: Orchestration, tmp_path: Path) -> None:
    bpmn = tmp_path / "grpc-order.bpmn"
    bpmn.write_bytes(one_task_process("grpc-order", "grpc-reserve"))
    tenant = cluster.tenant
    assert stack.target.ca_file is not None and cluster.grpc_address is not None and tenant is not None
    credentials = grpc.composite_channel_credentials(
        grpc.ssl_channel_credentials(stack.target.ca_file.read_bytes()),
        grpc.metadata_call_credentials(BasicCredentials(login(stack, cluster))))

    async def scenario() -> tuple[str, dict[str, Any]]:
        channel = create_secure_channel(cluster.grpc_address, channel_credentials=credentials)
        client = ZeebeClient(channel)
        worker = ZeebeWorker(channel, request_timeout=WORKER_POLL_MS, tenant_ids=[tenant])

        @worker.task(task_type="grpc-reserve")
        async def reserve(quantity: int) -> dict[str, Any]:
            return {"reserved": quantity}

        deployment = await client.deploy_resource(bpmn, tenant_id=tenant)
        result = await with_worker(worker, lambda: client.run_process_with_result(
            "grpc-order", {"quantity": 2}, timeout=RUN_TIMEOUT_S * 1000, tenant_id=tenant))
        await channel.close()
        return deployment.tenant_id, result.variables

    assert asyncio.run(scenario()) == (tenant, {"quantity": 2, "reserved": 2})


def test_pyzeebe_with_an_identity_token_is_a_client_principal_of_the_oidc_cluster(
        stack: Stack, cluster: Orchestration, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The token authenticates (topology answers), and the client it names holds no authorization there, so
    the engine refuses its deployment: OIDC clients are principals the cluster's authorizations judge."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(stack.target.ca_file))
    bpmn = tmp_path / "grpc-client.bpmn"
    bpmn.write_bytes(one_task_process("grpc-client", "grpc-client-job"))

    async def scenario() -> tuple[int, str]:
        channel = oauth_channel(stack, "bu_a", cluster.oidc_grpc_address)
        client = ZeebeClient(channel)
        try:
            topology = await client.topology()
            with pytest.raises((UnknownGrpcStatusCodeError, ZeebeGatewayUnavailableError, grpc.aio.AioRpcError)) \
                    as refused:
                await client.deploy_resource(bpmn, tenant_id="<default>")  # the oidc cluster checks tenants
        finally:
            await channel.close()
        return topology.cluster_size, str(refused.value)

    size, refusal = asyncio.run(scenario())
    assert size == 1
    assert "PERMISSION_DENIED" in refusal or "Insufficient permissions" in refusal, refusal


@pytest.mark.parametrize(("authorization", "code", "message"), [
    (None, "UNAUTHENTICATED", "Expected authentication information at header with key [authorization], but found nothing"),
    ("Bearer e30.e30.sig", "UNAUTHENTICATED", "Expected authentication information to start with 'Basic '"),
    (basic_authorization("harness", "not-the-password"), "UNAUTHENTICATED", "Invalid credentials"),
    (basic_authorization("demo", "demo"), "UNAUTHENTICATED", "Invalid credentials"),
])
def test_basic_cluster_refusals(stack: Stack, cluster: Orchestration, authorization: str | None, code: str,
                                message: str) -> None:
    assert cluster.grpc_address is not None
    assert raw(stack, cluster.grpc_address, login(stack, cluster)).ok, "the declared user gets in"
    reply = raw(stack, cluster.grpc_address, authorization)
    assert (reply.code.name, reply.details) == (code, message)


def test_oidc_cluster_refusals(stack: Stack, cluster: Orchestration) -> None:
    address = cluster.oidc_grpc_address
    assert address is not None and cluster.client is not None
    assert raw(stack, address, f"Bearer {stack.token(cluster.client, cluster.audience)}").ok
    for authorization, message in ((login(stack, cluster), "Expected authentication information to start with 'Bearer '"),
                                   ("Bearer e30.e30.sig", "Expected a valid token, see cause for details")):
        reply = raw(stack, address, authorization)
        assert (reply.code.name, reply.details) == ("UNAUTHENTICATED", message)


def test_tenants_and_authorizations_over_grpc(stack: Stack, cluster: Orchestration) -> None:
    """Missing tenant INVALID_ARGUMENT (RequestMapper), a tenant the caller is not assigned to PERMISSION_DENIED,
    and a command without the authorization PERMISSION_DENIED with the engine's rejection."""
    assert cluster.grpc_address is not None
    resource = gateway_pb2.Resource(name="grpc-authz.bpmn", content=one_task_process("grpc-authz", "grpc-authz-job"))

    def deploy(user: str, tenant: str) -> Reply:
        request = gateway_pb2.DeployResourceRequest(resources=[resource], tenantId=tenant)
        return raw(stack, cluster.grpc_address or "", login(stack, cluster, user), "DeployResource", request)

    assert deploy("default", cluster.tenant or "").ok
    missing = deploy("default", "")
    assert missing.code == grpc.StatusCode.INVALID_ARGUMENT and "no tenant identifier was provided" in missing.details
    assert deploy("tenant", cluster.foreign_tenant or "").code == grpc.StatusCode.PERMISSION_DENIED
    refused = deploy("unauthorized", "<default>")
    assert refused.code == grpc.StatusCode.PERMISSION_DENIED
    assert refused.details == ("Command 'CREATE' rejected with code 'FORBIDDEN': Insufficient permissions to "
                               "perform operation 'CREATE' on resource 'RESOURCE'")


def test_activate_jobs_hands_out_only_jobs_of_processes_the_caller_may_update(stack: Stack,
                                                                            cluster: Orchestration) -> None:
    """JobBatchCollector.java (camunda/camunda zeebe/engine/.../processing/job/): ActivateJobs skips, without a
    refusal, every job whose process the caller holds no PROCESS_DEFINITION:UPDATE_PROCESS_INSTANCE on; the
    gRPC API filters as the REST API does (tests/test_orchestration_authz.py)."""
    assert cluster.grpc_address is not None and cluster.granted_process is not None
    job_type = "grpc-job-filter"
    resource = gateway_pb2.Resource(name="grpc-job-filter.bpmn",
                                    content=one_task_process(cluster.granted_process, job_type))
    admin = login(stack, cluster)
    assert raw(stack, cluster.grpc_address, admin, "DeployResource",
               gateway_pb2.DeployResourceRequest(resources=[resource], tenantId="<default>")).ok
    assert raw(stack, cluster.grpc_address, admin, "CreateProcessInstance", gateway_pb2.CreateProcessInstanceRequest(
        bpmnProcessId=cluster.granted_process, version=-1, tenantId="<default>")).ok

    def activated(user: str) -> int:
        with GatewayCalls(stack.channel(cluster.grpc_address or "", True), login(stack, cluster, user)) as calls:
            reply = calls.activate(job_type, ["<default>"])
        assert reply.ok, reply.details
        return len(reply.response)

    assert activated("unauthorized") == 0
    assert activated("default") == 1
