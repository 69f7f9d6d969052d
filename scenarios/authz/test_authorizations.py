"""The Orchestration Cluster's authorizations (Camunda 8.8+), judged through its own REST API v2.

With `camunda.security.authorizations.enabled` on, nothing is allowed unless granted (docs 8.8,
access-control/authorizations.md; the engine's AuthorizationCheckBehavior.java). Camunda 8 Run ships it
off, and then every user may deploy, which the docs equate with remote code execution. Each check first
proves that an authorized principal (the Target's admin login, or the user holding the grant) succeeds,
then that the principal without the permission is refused (the cast is the Target's users on a basic
cluster, its clients on an oidc one: scenarios/cluster.py): a principal with no authorizations cannot
deploy (AUTHZ-001), start or read instances (AUTHZ-002), or manage users, roles, tenants and
authorizations (AUTHZ-003); a grant on one process does not reach another (AUTHZ-004); searches show only
what the principal may read (AUTHZ-005); over gRPC too, it cannot deploy or start (AUTHZ-007); in oidc
mode a client with no authorizations cannot deploy (AUTHZ-008); and job activation hands it no job
(AUTHZ-009). AUTHZ-006 reports wildcard grants held by owners other than the
product's default roles, read with the admin's view: the 8.7->8.8 identity migration creates them.
"""

from __future__ import annotations

import secrets
from typing import Any

import grpc
import pytest

from harness.clients.bpmn import one_task_process
from harness.clients.gateway import GatewayCalls, Reply
from harness.clients.orchestration import OrchestrationRest, RestAnswer
from harness.deployment import Stack
from harness.outcome import positive
from harness.report.evidence import Evidence
from harness.waiting import poll
from scenarios.cluster import DEFAULT_TENANT, NOT_IN_TENANT, PROBE_JOB_TYPE, Cluster, Principal, seen

# A process no Target grants to its process user: the checks deploy it beside the granted one.
UNGRANTED_PROCESS = "harness-authz-ungranted"
# DefaultRoles.java (camunda/camunda zeebe/engine/.../identity/initialize): the roles the product creates
# with wildcard grants by design.
DEFAULT_ROLES = frozenset({"admin", "readonly-admin", "connectors", "app-integrations", "rpa"})
# Resource types whose ids scope access: a wildcard there is every process, decision or identity entity.
# RESOURCE:CREATE (deploying) takes no resource id, so it is granted on * or not at all, and is left out.
SCOPED_TYPES = frozenset({"PROCESS_DEFINITION", "DECISION_DEFINITION", "DECISION_REQUIREMENTS_DEFINITION",
                          "AUTHORIZATION", "USER", "ROLE", "GROUP", "TENANT", "MAPPING_RULE"})


@pytest.fixture(scope="module")
def nobody(stack: Stack) -> Cluster:
    return Cluster.of(stack, "unauthorized")


@pytest.fixture(scope="module")
def granted(stack: Stack) -> Cluster:
    return Cluster.of(stack, "process")


def granted_process(cluster: Cluster) -> str:
    process = cluster.spec.granted_process
    assert process, "the check declares its need for orchestration.granted_process"
    return process


@pytest.mark.check("AUTHZ-001")
def test_no_authorizations_cannot_deploy(nobody: Cluster, evidence: Evidence) -> None:
    nobody.deployed("admin", UNGRANTED_PROCESS)
    answer = nobody.deploy("unauthorized", UNGRANTED_PROCESS)
    nobody.tenant_refusal_ruled_out("unauthorized", answer)
    evidence.record(probes=[seen(nobody.user("unauthorized"), "POST /v2/deployments", answer)])
    assert answer.status == 403, (f"{nobody.user('unauthorized')!r}, holding no authorizations, deployed a process "
                                  f"(HTTP {answer.status}): deploying is remote code execution, and RESOURCE:CREATE "
                                  "is not enforced")


@pytest.mark.check("AUTHZ-002")
def test_no_authorizations_cannot_start_or_read_instances(nobody: Cluster, evidence: Evidence) -> None:
    process = granted_process(nobody)
    nobody.deployed("admin", process)
    key = nobody.started("admin", process)
    nobody.indexed({key})
    nobody.control(nobody.call("admin", "GET", f"/process-instances/{key}"), "the admin reading its instance")
    who = nobody.user("unauthorized")
    started = nobody.start("unauthorized", process)
    nobody.tenant_refusal_ruled_out("unauthorized", started)
    read = nobody.call("unauthorized", "GET", f"/process-instances/{key}")
    found = key in nobody.instance_keys("unauthorized")
    evidence.record(probes=[seen(who, "POST /v2/process-instances", started),
                            seen(who, f"GET /v2/process-instances/{key}", read)], search_shows_instance=found)
    let_through = [f"starting {process!r}: HTTP {started.status}"] if started.status != 403 else []
    let_through += [f"reading instance {key}: HTTP {read.status}"] if read.status not in (403, 404) else []
    let_through += [f"its search shows instance {key}"] if found else []
    assert not let_through, f"{who!r}, holding no authorizations, was let through: " + "; ".join(let_through)


def _management_probes(owner: Principal, users_api: bool) -> list[tuple[str, str, dict[str, Any], str]]:
    """(what, path, create body, the created entity's path given its answer's id field): one per kind; users
    only where the cluster manages its own (an oidc cluster's live in the identity provider)."""
    suffix = secrets.token_hex(4)
    users = [("users", "/users", {"username": f"harness-probe-{suffix}", "password": secrets.token_urlsafe(18),
                                  "name": "probe", "email": "probe@example.com"}, "username")]
    return [*(users if users_api else []),
            ("roles", "/roles", {"roleId": f"harness-probe-{suffix}", "name": "probe"}, "roleId"),
            ("tenants", "/tenants", {"tenantId": f"harness-probe-{suffix}", "name": "probe"}, "tenantId"),
            ("authorizations", "/authorizations", {"ownerId": owner.name, "ownerType": owner.owner_type,
                                                   "resourceId": "*", "resourceType": "PROCESS_DEFINITION",
                                                   "permissionTypes": ["CREATE_PROCESS_INSTANCE"]}, "authorizationKey")]


def _created(cluster: Cluster, role: str, path: str, body: dict[str, Any], id_field: str) -> tuple[Any, str | None]:
    """Create as `role`; (the answer, the created entity's path for the admin to delete, None if refused)."""
    answer = cluster.call(role, "POST", path, body)
    created = str(answer.data.get(id_field) or body.get(id_field) or "") if answer.ok else ""
    return answer, f"{path}/{created}" if created else None


@pytest.mark.check("AUTHZ-003")
def test_no_authorizations_cannot_manage_identity(nobody: Cluster, evidence: Evidence) -> None:
    """The probe for authorizations is a self-escalation: the principal grants itself every process."""
    who = nobody.user("unauthorized")
    probes, let_through = [], []
    for what, path, body, id_field in _management_probes(nobody.principals["unauthorized"], nobody.spec.auth != "oidc"):
        answer, created = _created(nobody, "admin", path, body, id_field)
        nobody.control(answer, f"the admin creating {what}")
        assert created is not None, f"the admin's {what} answer names no {id_field}"
        nobody.control(nobody.call("admin", "DELETE", created), f"the admin deleting the {what} it created")
        answer, created = _created(nobody, "unauthorized", path, body, id_field)
        probes.append(seen(who, f"POST /v2{path}", answer))
        if created is not None:
            nobody.call("admin", "DELETE", created)
        if answer.status != 403:
            let_through.append(f"POST /v2{path}: HTTP {answer.status}")
    evidence.record(probes=probes)
    assert not let_through, f"{who!r}, holding no authorizations, manages identity: " + "; ".join(let_through)


@pytest.mark.check("AUTHZ-004")
def test_process_grant_does_not_extend_to_another_process(granted: Cluster, evidence: Evidence) -> None:
    process = granted_process(granted)
    for deployed in (process, UNGRANTED_PROCESS):
        granted.deployed("admin", deployed)
    granted.started("process", process)
    answer = granted.start("process", UNGRANTED_PROCESS)
    granted.tenant_refusal_ruled_out("process", answer)
    evidence.record(probes=[seen(granted.user("process"), f"POST /v2/process-instances {UNGRANTED_PROCESS}", answer)])
    assert answer.status == 403, (f"{granted.user('process')!r}, granted {process!r} only, started {UNGRANTED_PROCESS!r} "
                                  f"(HTTP {answer.status}): its grant reaches beyond its process")


@pytest.mark.check("AUTHZ-005")
def test_search_returns_only_readable_instances(granted: Cluster, evidence: Evidence) -> None:
    process = granted_process(granted)
    for deployed in (process, UNGRANTED_PROCESS):
        granted.deployed("admin", deployed)
    own, other = granted.started("admin", process), granted.started("admin", UNGRANTED_PROCESS)
    granted.indexed({own, other})
    shown = granted.instance_keys("process")
    evidence.record(granted_instance=own, ungranted_instance=other, shown=sorted(shown & {own, other}))
    positive(own in shown, f"{granted.user('process')!r}'s search shows the instance of {process!r} it may read")
    assert other not in shown, (f"{granted.user('process')!r}'s search shows an instance of {UNGRANTED_PROCESS!r}, "
                                "a process it holds no grant on")


@pytest.mark.check("AUTHZ-006")
def test_no_wildcard_grants_beyond_default_roles(stack: Stack, evidence: Evidence) -> None:
    cluster = Cluster.of(stack)
    answer = cluster.control(cluster.call("admin", "POST", "/authorizations/search", {"page": {"limit": 1000}}),
                             "the admin searching authorizations")
    grants = answer.items
    positive(any(g.get("ownerType") == "ROLE" and g.get("ownerId") == "admin" for g in grants),
             "the admin's view shows the admin role's grants")
    wildcards = sorted(f"{g.get('ownerType')} {g.get('ownerId')}: {g.get('resourceType')} * "
                       f"{sorted(g.get('permissionTypes') or [])}" for g in grants
                       if g.get("resourceId") == "*" and g.get("resourceType") in SCOPED_TYPES
                       and not (g.get("ownerType") == "ROLE" and g.get("ownerId") in DEFAULT_ROLES))
    evidence.record(authorizations=len(grants), wildcard_grants=wildcards)
    assert not wildcards, "owners beyond the default roles hold wildcard grants: " + "; ".join(wildcards)


@pytest.mark.check("AUTHZ-007")
def test_no_authorizations_cannot_deploy_or_start_over_grpc(stack: Stack, evidence: Evidence) -> None:
    """The gRPC API reaches the same engine checks (GrpcErrorMapper: FORBIDDEN is PERMISSION_DENIED). The
    controls: the admin deploys over gRPC and the process user, holding CREATE_PROCESS_INSTANCE on the granted
    process, starts it, so a refusal that follows is about the unauthorized user's permissions."""
    cluster = Cluster.of(stack, "unauthorized", "process")
    process = granted_process(cluster)
    deployed = cluster.deploy_grpc("admin", process)
    positive(deployed.ok, f"the admin deploying {process!r} over gRPC got {deployed.code.name}: {deployed.details[:160]}")
    started = cluster.start_grpc("process", process)
    positive(started.ok, f"{cluster.user('process')!r} starting {process!r} over gRPC got {started.code.name}: "
                         f"{started.details[:160]}")
    who = cluster.user("unauthorized")
    refused = {"DeployResource": cluster.deploy_grpc("unauthorized", UNGRANTED_PROCESS),
               "CreateProcessInstance": cluster.start_grpc("unauthorized", process)}
    for reply in refused.values():
        positive(NOT_IN_TENANT not in reply.details, f"{who!r} was refused for its tenant, not its permissions "
                                                      f"({reply.details[:160]}): assign it to <default>")
    evidence.record(probes=[seen(who, rpc, reply) for rpc, reply in refused.items()])
    let_through = [f"{rpc}: {reply.code.name}" for rpc, reply in refused.items()
                   if reply.code != grpc.StatusCode.PERMISSION_DENIED]
    assert not let_through, (f"{who!r}, holding no authorizations, was not refused over gRPC: " + "; ".join(let_through))


@pytest.mark.check("AUTHZ-008")
def test_a_client_with_no_authorizations_cannot_deploy(stack: Stack, evidence: Evidence) -> None:
    """In oidc mode the API's callers are mostly clients (workers, integrations): a token names one
    (`client-id-claim`), and the cluster judges the client's own authorizations (AuthenticationHandler.Oidc
    puts the client id in the context; AuthorizationCheckBehavior checks owner type CLIENT). The control: the
    Target's admin client deploys the same process, over REST and (where declared) gRPC."""
    spec = stack.target.orchestration
    assert spec is not None and spec.client and spec.unauthorized_client, "the check declares these needs"
    url = spec.oidc_endpoint
    if url is None:
        pytest.skip("the target declares no cluster with the oidc method (orchestration.auth: oidc, or "
                    "orchestration.oidc_url)")
    rest = OrchestrationRest(url, stack.verify)
    process = one_task_process(UNGRANTED_PROCESS, PROBE_JOB_TYPE)
    tokens = {who: stack.token(client, spec.audience) for who, client in (("admin", spec.client),
                                                                         ("nobody", spec.unauthorized_client))}

    def deploy_rest(who: str) -> RestAnswer:
        return rest.deploy(f"{UNGRANTED_PROCESS}.bpmn", process, DEFAULT_TENANT, bearer=tokens[who])

    def deploy_grpc(who: str, address: str) -> Reply:
        with GatewayCalls(stack.channel(address, True), f"Bearer {tokens[who]}") as calls:
            return calls.deploy(process, DEFAULT_TENANT, f"{UNGRANTED_PROCESS}.bpmn")

    control = deploy_rest("admin")
    positive(control.ok, f"client {spec.client!r} deploying over REST got HTTP {control.status}: {control.detail[:160]}")
    refused: dict[str, RestAnswer | Reply] = {"POST /v2/deployments": deploy_rest("nobody")}
    address = spec.oidc_grpc_endpoint
    if address is not None:
        grpc_control = deploy_grpc("admin", address)
        positive(grpc_control.ok, f"client {spec.client!r} deploying over gRPC got {grpc_control.code.name}")
        refused["DeployResource"] = deploy_grpc("nobody", address)
    who = f"client {spec.unauthorized_client!r}"
    evidence.record(probes=[seen(who, call, answer) for call, answer in refused.items()],
                    grpc="probed" if address else "not probed: the target names no gRPC address of the oidc cluster")
    let_through = [f"{call}: {answer.status if isinstance(answer, RestAnswer) else answer.code.name}"
                   for call, answer in refused.items()
                   if not (answer.status == 403 if isinstance(answer, RestAnswer)
                           else answer.code == grpc.StatusCode.PERMISSION_DENIED)]
    assert not let_through, f"{who}, holding no authorizations, deployed a process: " + "; ".join(let_through)


# How long the admin's control may wait for the instance's job: the engine creates it a moment after the
# instance, and a job locked by an earlier activation comes back once its timeout has passed.
JOB_WAIT_S = 10.0


@pytest.mark.check("AUTHZ-009")
def test_no_authorizations_is_handed_no_job(nobody: Cluster, evidence: Evidence) -> None:
    """Job activation is filtered, not refused: the engine hands out only jobs of processes the caller holds
    PROCESS_DEFINITION:UPDATE_PROCESS_INSTANCE on (JobBatchCollector.java), so a principal with no
    authorizations gets none, over REST and over gRPC where the Target names orchestration.grpc_address, and
    with them the instances' variables. The control, where it got none: the admin's activation hands out
    the instance's job."""
    process = granted_process(nobody)
    nobody.deployed("admin", process)
    key = nobody.started("admin", process)
    who = nobody.user("unauthorized")

    def activation(role: str) -> RestAnswer:
        return nobody.activate(role, [DEFAULT_TENANT])

    rest = activation("unauthorized")
    nobody.tenant_refusal_ruled_out("unauthorized", rest)
    handed = [f"REST job of instance {job.get('processInstanceKey')}" for job in rest.data.get("jobs", ())] \
        if rest.ok else []
    probes = [seen(who, "POST /v2/jobs/activation", rest) | {"jobs": len(handed)}]
    if nobody.grpc_channel is not None:
        with nobody.grpc("unauthorized") as calls:
            reply = calls.activate(PROBE_JOB_TYPE, [DEFAULT_TENANT], max_jobs=100)
        grpc_jobs = [f"gRPC job of instance {job.processInstanceKey}" for job in (reply.response or ())]
        probes.append(seen(who, "ActivateJobs", reply) | {"jobs": len(grpc_jobs)})
        handed += grpc_jobs
    evidence.record(instance=key, probes=probes)
    if not handed:
        shown = poll(lambda: activation("admin"), lambda answer: key in {
            str(job.get("processInstanceKey")) for job in answer.data.get("jobs", ())}, JOB_WAIT_S)
        positive(shown.held, f"the admin's activation did not hand out instance {key}'s job within "
                             f"{JOB_WAIT_S:g} s (HTTP {shown.value.status})")
    assert not handed, (f"{who!r}, holding no authorizations, was handed {len(handed)} job(s) with their "
                        f"instances' variables: {handed[:3]}")
