"""Gateway emulator behaviour a client relies on, with raw gRPC calls: Zeebe's codes and messages for auth
mode identity, tenant validation, unknown keys and wrong states, retries, incidents and Operate's search."""

from __future__ import annotations

import asyncio
import time

import certifi
import grpc
import requests
from pyzeebe.proto import gateway_pb2

from harness.clients.bpmn import one_task_process, one_user_task_process
from harness.clients.gateway import GatewayCalls
from harness.deployment import Stack
from harness.probes import grpc_services
from harness.reference.profile import Profile
from harness.reference.zeebe import bpmn
from harness.reference.zeebe.auth import Authenticator

OPERATE_AUDIENCE = "operate-api"


def calls(stack: Stack, client: str | None, *, proxy: bool = False, token: str | None = None) -> GatewayCalls:
    assert stack.target.gateway is not None and stack.target.gateway.tenancy_address is not None
    bearer = token if token is not None else (stack.token(client) if client else None)
    return stack.gateway(None if bearer is None else f"Bearer {bearer}", tenancy=not proxy)


def operate_token(stack: Stack, client: str) -> str:
    credentials = stack.credentials(client)
    response = requests.post(stack.target.identity.token_url, timeout=10, verify=str(stack.target.ca_file),  # type: ignore[union-attr]
                             data={"grant_type": "client_credentials", "client_id": credentials.client_id,
                                   "client_secret": credentials.client_secret.get_secret_value(),
                                   "audience": OPERATE_AUDIENCE})
    response.raise_for_status()
    return str(response.json()["access_token"])


def search_incidents(stack: Stack, token: str | None, body: dict) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(f"{stack.target.operate.url}/v1/incidents/search", json=body, headers=headers,  # type: ignore[union-attr]
                         verify=str(stack.target.ca_file), timeout=10)


def started_job(zeebe: GatewayCalls, name: str, tenant: str, retries: int = 3) -> gateway_pb2.ActivatedJob:
    assert zeebe.deploy(one_task_process(name, f"{name}-job", retries), tenant).ok
    assert zeebe.start(name, tenant, '{"order": 7, "secretless": true}').ok
    reply = zeebe.activate(f"{name}-job", [tenant])
    assert reply.ok and len(reply.response) == 1, reply
    return reply.response[0]


def test_identity_mode_unauthenticated_messages(local_stack: Stack) -> None:
    with calls(local_stack, None) as anonymous:
        missing = anonymous.call("Topology", gateway_pb2.TopologyRequest())
    with calls(local_stack, None, token="not-a-jwt") as garbage:
        bad = garbage.call("Topology", gateway_pb2.TopologyRequest())
    assert (missing.code, missing.details) == (grpc.StatusCode.UNAUTHENTICATED,
                                               "Expected bearer token at header with key [Authorization], but found nothing")
    assert (bad.code, bad.details) == (grpc.StatusCode.UNAUTHENTICATED, "Failed to parse bearer token, see cause for details")


def test_health_answers_without_a_token_and_there_is_no_reflection(local_stack: Stack) -> None:
    """Zeebe's gateway registers grpc's health service beside the Gateway service, outside its interceptors
    (authentication among them), and no server reflection (camunda/camunda
    zeebe/gateway-grpc/src/main/java/io/camunda/zeebe/gateway/Gateway.java, `buildServer`): on the gateway
    checking tokens itself, health answers SERVING without a token and reflection is UNIMPLEMENTED."""
    gateway = local_stack.target.gateway
    assert gateway is not None and gateway.tenancy_address is not None
    with local_stack.channel(gateway.tenancy_address, True) as channel:
        health = grpc_services.health(channel)
        reflection = [grpc_services.reflection(channel, method).code for method in grpc_services.REFLECTION_METHODS]
    assert (health.code, health.detail) == (grpc.StatusCode.OK, "SERVING")
    assert reflection == [grpc.StatusCode.UNIMPLEMENTED] * len(grpc_services.REFLECTION_METHODS)


def test_token_in_the_path_is_an_unknown_method(local_stack: Stack) -> None:
    """A gateway checking tokens itself resolves the method from the whole HTTP/2 `:path`, so
    `Topology?access_token=...` is no method at all: UNIMPLEMENTED before any interceptor, not
    UNAUTHENTICATED (../shared/FIDELITY.md: grpc-java's method lookup by full path, an inference marked
    unconfirmed; grpcio behaves the same). AUTH-007 therefore accepts any refusal that is not a success."""
    with calls(local_stack, None) as anonymous:
        reply = anonymous.topology(query_token=local_stack.token())
    assert reply.code == grpc.StatusCode.UNIMPLEMENTED


def test_tenant_validation(local_stack: Stack) -> None:
    process = one_task_process("validation", "validation-job")
    with calls(local_stack, "bu_a") as zeebe:
        denied = zeebe.deploy(process, "tenant-b")
        missing = zeebe.deploy(process, "")
        illegal = zeebe.deploy(process, "tenant a!")
        too_long = zeebe.deploy(process, "t" * 32)
    assert denied.code == grpc.StatusCode.PERMISSION_DENIED
    assert denied.details == ("Expected to handle gRPC request DeployResource with tenant identifier 'tenant-b', "
                              "but tenant is not authorized to perform this request")
    assert (missing.code, illegal.code, too_long.code) == (grpc.StatusCode.INVALID_ARGUMENT,) * 3
    with calls(local_stack, "default", proxy=True) as single_tenant:
        disabled = single_tenant.deploy(process, "tenant-a")
        implicit = single_tenant.deploy(process, "")
        default = single_tenant.deploy(process, "<default>")
    assert disabled.code == grpc.StatusCode.INVALID_ARGUMENT
    assert disabled.details.endswith("with tenant identifier 'tenant-a', but multi-tenancy is disabled")
    assert implicit.ok and default.ok and implicit.response.tenantId == "<default>"


def test_multi_tenant_gateway_refuses_commands_without_a_tenant(local_stack: Stack) -> None:
    """With multi-tenancy on, a command naming no tenant is INVALID_ARGUMENT before any engine work, and a
    job activation naming none too: camunda/camunda
    `zeebe/gateway-grpc/src/main/java/io/camunda/zeebe/gateway/RequestMapper.java` (`ensureTenantIdSet`:
    "no tenant identifier was provided."; `ensureTenantIdsSet`: "no tenant identifiers were provided.",
    then each tenant alone), messages from `gateway/cmd/InvalidTenantRequestException.java`, mapped to
    INVALID_ARGUMENT by `GrpcErrorMapper`. This is why the secrets and load users name their client's tenant."""
    with calls(local_stack, "bu_a") as zeebe:
        deploy = zeebe.deploy(one_task_process("untenanted", "untenanted-job"), "")
        start = zeebe.start("untenanted", "")
        activate = zeebe.activate("untenanted-job", [])
        one_denied = zeebe.activate("untenanted-job", ["tenant-a", "tenant-b"])
    assert (deploy.code, deploy.details) == (grpc.StatusCode.INVALID_ARGUMENT, (
        "Expected to handle gRPC request DeployResource with tenant identifier '', but no tenant identifier "
        "was provided."))
    assert (start.code, start.details) == (grpc.StatusCode.INVALID_ARGUMENT, (
        "Expected to handle gRPC request CreateProcessInstance with tenant identifier '', but no tenant "
        "identifier was provided."))
    assert (activate.code, activate.details) == (grpc.StatusCode.INVALID_ARGUMENT, (
        "Expected to handle gRPC request ActivateJobs with tenant identifiers '[]', but no tenant identifiers "
        "were provided."))
    assert (one_denied.code, one_denied.details) == (grpc.StatusCode.PERMISSION_DENIED, (
        "Expected to handle gRPC request ActivateJobs with tenant identifier 'tenant-b', but tenant is not "
        "authorized to perform this request"))


def test_deploy_rejects_what_it_cannot_run(local_stack: Stack) -> None:
    script_task = one_task_process("scripted", "x").replace(b"serviceTask", b"scriptTask")
    with calls(local_stack, "default", proxy=True) as zeebe:
        reply = zeebe.deploy(script_task, "")
        garbage = zeebe.deploy(b"<not-bpmn", "")
        deployed = zeebe.deploy(one_task_process("versioned", "v"), "")
        again = zeebe.deploy(one_task_process("versioned", "v", retries=5), "")
    assert reply.code == grpc.StatusCode.INVALID_ARGUMENT and "'scriptTask' is not supported" in reply.details
    assert garbage.code == grpc.StatusCode.INVALID_ARGUMENT
    versions = [r.response.deployments[0].process.version for r in (deployed, again)]
    assert versions[1] == versions[0] + 1
    assert deployed.response.deployments[0].process.processDefinitionKey > 2 ** 51


def test_unknown_keys_and_wrong_states(local_stack: Stack) -> None:
    with calls(local_stack, "default", proxy=True) as zeebe:
        unknown = zeebe.call("CompleteJob", gateway_pb2.CompleteJobRequest(jobKey=2 ** 51 + 999_999))
        job = started_job(zeebe, "states", "<default>", retries=1)
        failed = zeebe.call("FailJob", gateway_pb2.FailJobRequest(jobKey=job.key, retries=0))
        complete_failed = zeebe.call("CompleteJob", gateway_pb2.CompleteJobRequest(jobKey=job.key))
        cancel_unknown = zeebe.call("CancelProcessInstance",
                                    gateway_pb2.CancelProcessInstanceRequest(processInstanceKey=12345))
        unknown_process = zeebe.start("no-such-process", "")
    assert unknown.code == grpc.StatusCode.NOT_FOUND and "no such job was found" in unknown.details
    assert failed.ok
    assert complete_failed.code == grpc.StatusCode.FAILED_PRECONDITION and "FAILED" in complete_failed.details
    assert cancel_unknown.code == grpc.StatusCode.NOT_FOUND
    assert unknown_process.code == grpc.StatusCode.NOT_FOUND


def test_retry_back_off_and_incident_lifecycle(local_stack: Stack) -> None:
    with calls(local_stack, "bu_a") as zeebe:
        job = started_job(zeebe, "lifecycle", "tenant-a", retries=2)
        assert job.retries == 2 and job.tenantId == "tenant-a"
        assert zeebe.call("FailJob", gateway_pb2.FailJobRequest(jobKey=job.key, retries=1, retryBackOff=400)).ok
        hidden = zeebe.activate("lifecycle-job", ["tenant-a"])
        time.sleep(0.5)
        retried = zeebe.activate("lifecycle-job", ["tenant-a"])
        assert hidden.ok and not hidden.response and len(retried.response) == 1
        assert zeebe.call("FailJob", gateway_pb2.FailJobRequest(jobKey=job.key, retries=0)).ok
        incidents = search_incidents(local_stack, operate_token(local_stack, "bu_a"),
                                     {"filter": {"jobKey": job.key, "state": "ACTIVE"}}).json()
        assert incidents["total"] == 1 and incidents["items"][0]["message"] == "No more retries left."
        assert incidents["items"][0]["type"] == "JOB_NO_RETRIES" and incidents["items"][0]["tenantId"] == "tenant-a"
        incident_key = incidents["items"][0]["key"]
        assert zeebe.call("UpdateJobRetries", gateway_pb2.UpdateJobRetriesRequest(jobKey=job.key, retries=1)).ok
        assert zeebe.call("ResolveIncident", gateway_pb2.ResolveIncidentRequest(incidentKey=incident_key)).ok
        again = zeebe.activate("lifecycle-job", ["tenant-a"])
        assert len(again.response) == 1
        assert zeebe.call("CompleteJob", gateway_pb2.CompleteJobRequest(jobKey=job.key)).ok
    other_view = search_incidents(local_stack, operate_token(local_stack, "bu_b"), {"filter": {"jobKey": job.key}})
    anonymous = search_incidents(local_stack, None, {})
    assert other_view.json()["total"] == 0
    assert anonymous.status_code == 401


def test_long_polling_job_timeout_and_fetch_variables(local_stack: Stack) -> None:
    with calls(local_stack, "default", proxy=True) as zeebe:
        assert zeebe.deploy(one_task_process("polling", "polling-job"), "").ok
        request = gateway_pb2.ActivateJobsRequest(type="polling-job", worker="w", timeout=300, maxJobsToActivate=1,
                                                  requestTimeout=2000, fetchVariable=["order"])
        started = time.monotonic()
        assert zeebe.start("polling", "", '{"order": 1, "other": 2}').ok
        first = [job for response in zeebe.stub.ActivateJobs(request, metadata=zeebe.metadata) for job in response.jobs]
        assert first[0].variables == '{"order": 1}'
        timed_out = [job for response in zeebe.stub.ActivateJobs(request, metadata=zeebe.metadata)
                     for job in response.jobs]
        waited = time.monotonic() - started
    assert [job.key for job in timed_out] == [first[0].key], "a job past its timeout is activatable again"
    assert 0.25 <= waited < 2.0


def test_uncaught_error_raises_an_incident(local_stack: Stack) -> None:
    with calls(local_stack, "default", proxy=True) as zeebe:
        job = started_job(zeebe, "throwing", "<default>")
        thrown = zeebe.call("ThrowError", gateway_pb2.ThrowErrorRequest(jobKey=job.key, errorCode="E1", errorMessage="no"))
        again = zeebe.call("ThrowError", gateway_pb2.ThrowErrorRequest(jobKey=job.key, errorCode="E1"))
    assert thrown.ok and again.code == grpc.StatusCode.FAILED_PRECONDITION


def test_variables_cancel_and_messages(local_stack: Stack) -> None:
    with calls(local_stack, "default", proxy=True) as zeebe:
        job = started_job(zeebe, "variables", "<default>")
        update = zeebe.call("SetVariables", gateway_pb2.SetVariablesRequest(
            elementInstanceKey=job.processInstanceKey, variables='{"order": 8}'))
        not_object = zeebe.call("SetVariables", gateway_pb2.SetVariablesRequest(
            elementInstanceKey=job.processInstanceKey, variables="[1]"))
        assert zeebe.call("CompleteJob", gateway_pb2.CompleteJobRequest(jobKey=job.key, variables='{"done": 1}')).ok
        waiting = started_job(zeebe, "cancelled", "<default>")
        cancel = zeebe.call("CancelProcessInstance", gateway_pb2.CancelProcessInstanceRequest(
            processInstanceKey=waiting.processInstanceKey))
        gone = zeebe.call("CompleteJob", gateway_pb2.CompleteJobRequest(jobKey=waiting.key))
        published = zeebe.call("PublishMessage", gateway_pb2.PublishMessageRequest(
            name="paid", correlationKey="order-8", timeToLive=60_000, messageId="m-1"))
        duplicate = zeebe.call("PublishMessage", gateway_pb2.PublishMessageRequest(
            name="paid", correlationKey="order-8", timeToLive=60_000, messageId="m-1"))
    assert update.ok and update.response.key > 0
    assert not_object.code == grpc.StatusCode.INVALID_ARGUMENT and not_object.details.endswith("but was 'ARRAY'")
    assert cancel.ok and gone.code == grpc.StatusCode.NOT_FOUND
    assert published.ok and published.response.tenantId == "<default>"
    assert duplicate.code == grpc.StatusCode.ALREADY_EXISTS


def test_activation_is_validated_like_the_broker(local_stack: Stack) -> None:
    with calls(local_stack, "default", proxy=True) as zeebe:
        reply = zeebe.activate("any", [], max_jobs=0)
    assert reply.code == grpc.StatusCode.INVALID_ARGUMENT
    assert reply.details.endswith("Expected to activate job batch with max jobs to activate to be greater than zero, "
                                  "but it was '0'")


def test_operate_authenticates_every_v1_path_before_routing(local_stack: Stack) -> None:
    """Operate's Spring Security chain authenticates its API paths before the dispatcher resolves a
    controller (Operate's webapp security configuration puts `/v1/**` behind authentication; unconfirmed in
    source, see harness/reference/zeebe/operate.py): a v1 route the emulator lacks is 401 without a token
    and 404 with one. Every answer carries Spring Security's default headers (docs.spring.io, Spring
    Security reference, "Default Security Headers")."""
    url = f"{local_stack.target.operate.url}/v1/process-instances/2251799813685249"  # type: ignore[union-attr]
    verify = str(local_stack.target.ca_file)
    anonymous = requests.get(url, verify=verify, timeout=10)
    known = requests.get(url, verify=verify, timeout=10,
                         headers={"Authorization": f"Bearer {operate_token(local_stack, 'default')}"})
    assert (anonymous.status_code, known.status_code) == (401, 404)
    for answer in (anonymous, known):
        assert answer.headers["X-Content-Type-Options"] == "nosniff" and answer.headers["X-Frame-Options"] == "DENY"
        assert answer.headers["Strict-Transport-Security"] == "max-age=31536000 ; includeSubDomains"


class GrantsOfIdentity:
    """Identity's `GET /api/tenants` for the tenant cache: the current grants of one client, and the tokens
    it was asked with."""

    def __init__(self) -> None:
        self.tenants = ["tenant-a"]
        self.asked_with: list[str] = []

    def get_json(self, url: str, token: str | None = None) -> list[dict[str, str]]:
        self.asked_with.append(str(token))
        return [{"tenantId": tenant, "name": tenant} for tenant in self.tenants]


def test_tenant_grants_are_cached_per_token() -> None:
    """Zeebe caches a caller's tenants under its token (camunda/camunda
    `zeebe/gateway/src/main/java/io/camunda/zeebe/gateway/impl/identity/IdentityTenantService.java`: a Guava
    `LoadingCache<String, List<Tenant>>` loaded by `getTenantsForToken(token)`, `expireAfterWrite` of the tenant
    cache TTL, 5 s by default): a new token of the same client sees a new grant at once, the token already
    cached keeps its answer until the TTL ends."""
    identity = {"ca_file": certifi.where(), "jwks_url": "https://identity.invalid/jwks",
                "tenants_url": "https://identity.invalid/api/tenants", "issuer": "https://identity.invalid",
                "audience": "zeebe-api", "tenant_ttl_s": 60}
    grants = Authenticator("identity", True, identity, Profile()).grants
    grants.http = GrantsOfIdentity()  # type: ignore[assignment]

    async def tenants(token: str) -> frozenset[str] | None:
        return await grants.for_token("bu-a", token)

    before = asyncio.run(tenants("token-1"))
    grants.http.tenants = ["tenant-a", "tenant-b"]  # type: ignore[attr-defined]
    cached, fresh = asyncio.run(tenants("token-1")), asyncio.run(tenants("token-2"))
    assert (before, cached) == (frozenset({"tenant-a"}),) * 2
    assert fresh == frozenset({"tenant-a", "tenant-b"})
    assert grants.http.asked_with == ["token-1", "token-2"]  # type: ignore[attr-defined]


def test_exporter_writes_a_jobs_history(local_stack: Stack) -> None:
    """Zeebe's JOB records as its Elasticsearch exporter writes them (`<prefix>_job_*`): FAILED carries the
    retries and `retryBackoff` asked for and `recurringTime` = its timestamp + the back-off, RECURRED_AFTER_BACKOFF
    follows when the back-off ends, COMPLETED at the end (camunda/camunda
    `zeebe/engine/.../processing/job/JobFailProcessor.java`, `JobRecurAfterBackoffProcessor.java`,
    `protocol-impl/.../value/job/JobRecord.java` property names)."""
    with calls(local_stack, "default", proxy=True) as zeebe:
        job = started_job(zeebe, "history", "<default>")
        assert zeebe.call("FailJob", gateway_pb2.FailJobRequest(jobKey=job.key, retries=2, retryBackOff=300)).ok
        time.sleep(0.5)
        again = zeebe.activate("history-job", ["<default>"])
        assert again.ok and [j.key for j in again.response] == [job.key]
        assert zeebe.call("CompleteJob", gateway_pb2.CompleteJobRequest(jobKey=job.key)).ok
    assert local_stack.target.search is not None
    session = requests.Session()
    session.auth = ("elastic", local_stack.environ[local_stack.target.search.password_env or ""])
    deadline, records = time.monotonic() + 10, []
    while time.monotonic() < deadline and not any(r["intent"] == "COMPLETED" for r in records):
        response = session.post(f"{local_stack.target.search.url}/zeebe-record_job_*/_search", timeout=10,
                                verify=str(local_stack.target.ca_file),
                                json={"query": {"term": {"key": job.key}}, "sort": [{"position": "asc"}]})
        records = [hit["_source"] for hit in response.json()["hits"]["hits"]]
        time.sleep(0.2)
    assert [r["intent"] for r in records] == ["CREATED", "FAILED", "RECURRED_AFTER_BACKOFF", "COMPLETED"]
    failed, recurred = records[1], records[2]
    assert (failed["valueType"], failed["value"]["retries"], failed["value"]["retryBackoff"]) == ("JOB", 2, 300)
    assert failed["value"]["recurringTime"] == failed["timestamp"] + 300
    assert recurred["timestamp"] >= failed["timestamp"] + 300


def test_a_user_task_is_camundas_own_or_a_job_of_the_user_task_type() -> None:
    """`zeebe:userTask` makes a Camunda user task the engine holds; without it the user task is job-based, a job
    of Protocol.USER_TASK_JOB_TYPE, "io.camunda.zeebe:userTask" (camunda/camunda
    zeebe/protocol/src/main/java/io/camunda/zeebe/protocol/Protocol.java: "Job type used for user tasks handled
    by Camunda Cloud Tasklist")."""
    native = bpmn.parse(one_user_task_process("approve"))[0].elements["task"]
    job_based = bpmn.parse(one_user_task_process("approve").replace(b"<zeebe:userTask />", b""))[0].elements["task"]
    assert (native.kind, job_based.kind, job_based.job_type) == ("userTask", "serviceTask", "io.camunda.zeebe:userTask")
