"""Orchestration Cluster emulator conformance with Camunda's own client: camunda-orchestration-sdk 10,
unchanged, configured only through its documented variables (CAMUNDA_REST_ADDRESS, CAMUNDA_AUTH_STRATEGY,
CAMUNDA_BASIC_AUTH_USERNAME / _PASSWORD, CAMUNDA_CLIENT_ID / _SECRET, CAMUNDA_OAUTH_URL,
CAMUNDA_TOKEN_AUDIENCE, CAMUNDA_MTLS_CA_PATH), over TLS: Basic on the basic cluster, OAuth client
credentials from Identity on the oidc one."""

from __future__ import annotations

from pathlib import Path

import pytest
from camunda_orchestration_sdk import CamundaClient
from camunda_orchestration_sdk.errors import UnauthorizedError
from camunda_orchestration_sdk.models import (
    IncidentSearchQuery,
    IncidentSearchQueryFilter,
    JobActivationRequest,
    JobCompletionRequest,
    JobCompletionRequestVariables,
    JobFailRequest,
    MessagePublicationRequest,
    ProcessCreationById,
    ProcessDefinitionSearchQuery,
    ProcessDefinitionSearchQueryFilter,
    ProcessInstanceCreationInstructionBaseVariables,
    ProcessInstanceSearchQuery,
    ProcessInstanceSearchQueryFilter,
    UserTaskCompletionRequest,
    UserTaskCompletionRequestVariables,
    UserTaskSearchQuery,
    UserTaskSearchQueryFilter,
    VariableSearchQuery,
    VariableSearchQueryFilter,
)

from harness.clients.bpmn import one_task_process, one_user_task_process
from harness.deployment import Stack


@pytest.fixture(scope="module")
def stack(cluster_stack: Stack) -> Stack:
    return cluster_stack


def client_from(variables: dict[str, str], stack: Stack, monkeypatch: pytest.MonkeyPatch) -> CamundaClient:
    """A client built the way a user builds one: from the environment."""
    for name, value in {**variables, "CAMUNDA_MTLS_CA_PATH": str(stack.target.ca_file),
                        "CAMUNDA_TOKEN_DISK_CACHE_DISABLE": "true"}.items():
        monkeypatch.setenv(name, value)
    return CamundaClient()


def sdk(stack: Stack, monkeypatch: pytest.MonkeyPatch, password: str | None = None) -> CamundaClient:
    cluster = stack.target.orchestration
    assert cluster is not None and cluster.login_user is not None
    return client_from({"CAMUNDA_REST_ADDRESS": cluster.url, "CAMUNDA_AUTH_STRATEGY": "BASIC",
                        "CAMUNDA_BASIC_AUTH_USERNAME": cluster.login_user.username,
                        "CAMUNDA_BASIC_AUTH_PASSWORD": password or stack.environ[cluster.login_user.password_env],
                        # the basic cluster checks tenants (multi-tenancy.checks-enabled): requests name one
                        "CAMUNDA_TENANT_ID": "<default>"},
                       stack, monkeypatch)


def oauth_sdk(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> CamundaClient:
    cluster, identity = stack.target.orchestration, stack.target.identity
    assert cluster is not None and cluster.oidc_url and cluster.client and cluster.audience and identity is not None
    credentials = stack.credentials(cluster.client)
    return client_from({"CAMUNDA_REST_ADDRESS": cluster.oidc_url, "CAMUNDA_AUTH_STRATEGY": "OAUTH",
                        "CAMUNDA_CLIENT_ID": credentials.client_id,
                        "CAMUNDA_CLIENT_SECRET": credentials.client_secret.get_secret_value(),
                        "CAMUNDA_OAUTH_URL": identity.token_url, "CAMUNDA_TOKEN_AUDIENCE": cluster.audience,
                        # the oidc cluster checks tenants too
                        "CAMUNDA_TENANT_ID": "<default>"},
                       stack, monkeypatch)


def test_topology_and_the_authenticated_user(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    with sdk(stack, monkeypatch) as client:
        topology = client.get_topology()
        assert topology.cluster_size == 1 and topology.brokers[0].partitions[0].partition_id == 1
        me = client.get_authentication()
        assert me.username == "harness" and me.roles == ["admin"]


def test_deploy_start_and_search_an_instance(stack: Stack, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    resource = tmp_path / "sdk-conformance.bpmn"
    resource.write_bytes(one_task_process("sdk-conformance", "sdk-job"))
    with sdk(stack, monkeypatch) as client:
        deployment = client.deploy_resources_from_files([resource])
        process = deployment.processes[0]
        assert process.process_definition_id == "sdk-conformance" and process.resource_name == resource.name
        created = client.create_process_instance(data=ProcessCreationById(process_definition_id="sdk-conformance"))
        assert created.process_definition_key == process.process_definition_key
        found = client.search_process_instances(data=ProcessInstanceSearchQuery(
            filter_=ProcessInstanceSearchQueryFilter(process_definition_id="sdk-conformance")))
        assert [item.process_instance_key for item in found.items] == [created.process_instance_key]
        assert found.page.total_items == 1 and str(found.items[0].state) == "ACTIVE"


def test_a_wrong_password_is_the_sdks_unauthorized_error(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    with sdk(stack, monkeypatch, password="not-the-password") as client, pytest.raises(UnauthorizedError):
        client.get_topology()


def test_oauth_client_credentials_from_identity_deploy_and_start(stack: Stack, monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path: Path) -> None:
    resource = tmp_path / "sdk-oauth.bpmn"
    resource.write_bytes(one_task_process("sdk-oauth", "sdk-job"))
    with oauth_sdk(stack, monkeypatch) as client:
        assert client.get_topology().brokers[0].partitions[0].role == "leader"
        assert client.get_authentication().username == stack.credentials("default").client_id
        client.deploy_resources_from_files([resource])
        created = client.create_process_instance(data=ProcessCreationById(process_definition_id="sdk-oauth"))
        assert created.process_definition_id == "sdk-oauth"


def test_a_worker_activates_completes_and_fails_jobs(stack: Stack, monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    """Jobs over REST on the gateway emulator's engine: a completed job ends its instance, a job failed with
    no retries left raises an incident; the incident, the variables and the definition are found by the SDK's
    searches."""
    resource = tmp_path / "sdk-worker.bpmn"
    resource.write_bytes(one_task_process("sdk-worker", "sdk-worker-job", retries=1))
    with sdk(stack, monkeypatch) as client:
        client.deploy_resources_from_files([resource])
        keys = [client.create_process_instance(data=ProcessCreationById(
            process_definition_id="sdk-worker",
            variables=ProcessInstanceCreationInstructionBaseVariables.from_dict({"order": n}))).process_instance_key
                for n in (1, 2)]
        activated = client.activate_jobs(data=JobActivationRequest(
            type_="sdk-worker-job", timeout=30_000, max_jobs_to_activate=5, worker="sdk", request_timeout=2_000))
        jobs = {job.process_instance_key: job for job in activated.jobs}
        assert set(jobs) == set(keys) and jobs[keys[0]].variables.to_dict() == {"order": 1}
        client.complete_job(jobs[keys[0]].job_key, data=JobCompletionRequest(
            variables=JobCompletionRequestVariables.from_dict({"done": True})))
        client.fail_job(jobs[keys[1]].job_key, data=JobFailRequest(retries=0, error_message="no stock"))
        found = client.search_process_instances(data=ProcessInstanceSearchQuery(
            filter_=ProcessInstanceSearchQueryFilter(process_definition_id="sdk-worker")))
        states = {item.process_instance_key: (str(item.state), item.has_incident) for item in found.items}
        assert states == {keys[0]: ("COMPLETED", False), keys[1]: ("ACTIVE", True)}
        incidents = client.search_incidents(data=IncidentSearchQuery(
            filter_=IncidentSearchQueryFilter(process_instance_key=keys[1]))).items
        assert [(i.error_type, i.error_message, i.job_key) for i in incidents] == [
            ("JOB_NO_RETRIES", "no stock", jobs[keys[1]].job_key)]
        variables = client.search_variables(data=VariableSearchQuery(
            filter_=VariableSearchQueryFilter(process_instance_key=keys[0]))).items
        assert {v.name: v.value for v in variables} == {"order": "1", "done": "true"}
        definitions = client.search_process_definitions(data=ProcessDefinitionSearchQuery(
            filter_=ProcessDefinitionSearchQueryFilter(process_definition_id="sdk-worker"))).items
        assert [(d.version, d.tenant_id) for d in definitions] == [(1, "<default>")]


def test_a_user_task_is_found_and_completed(stack: Stack, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    resource = tmp_path / "sdk-approval.bpmn"
    resource.write_bytes(one_user_task_process("sdk-approval"))
    with sdk(stack, monkeypatch) as client:
        client.deploy_resources_from_files([resource])
        key = client.create_process_instance(data=ProcessCreationById(
            process_definition_id="sdk-approval")).process_instance_key
        tasks = client.search_user_tasks(data=UserTaskSearchQuery(
            filter_=UserTaskSearchQueryFilter(process_instance_key=key))).items
        assert [(str(t.state), t.element_id) for t in tasks] == [("CREATED", "task")]
        client.complete_user_task(tasks[0].user_task_key, data=UserTaskCompletionRequest(
            variables=UserTaskCompletionRequestVariables.from_dict({"approved": True})))
        found = client.search_process_instances(data=ProcessInstanceSearchQuery(
            filter_=ProcessInstanceSearchQueryFilter(process_definition_id="sdk-approval"))).items
        assert [str(item.state) for item in found] == ["COMPLETED"]


def test_a_message_is_published(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    with sdk(stack, monkeypatch) as client:
        published = client.publish_message(data=MessagePublicationRequest(name="order-paid", correlation_key="o-1",
                                                                          time_to_live=60_000))
        assert published.tenant_id == "<default>" and int(published.message_key) > 0
