"""The Orchestration Cluster emulator pins the product's authorizations and tenants.

Sources (camunda/camunda): zeebe/engine/.../processing/identity/AuthorizationCheckBehavior.java (the
FORBIDDEN reasons: `Insufficient permissions to perform operation '%s' on resource '%s'`, with
`, required resource identifiers are one of '%s'` for id-scoped checks; a new resource in an unassigned
tenant FORBIDDEN, an existing one NOT_FOUND), zeebe/engine/.../identity/initialize/DefaultRoles.java (the
admin role holds every permission on `*`, and admin, connectors, app-integrations and rpa are members of
`<default>`), service/.../ErrorMapper.java (`Command '%s' rejected with code '%s': %s`, and `Unauthorized
to perform operation ...` for reads on secondary storage), zeebe/gateway-rest/.../GatewayErrorMapper.java
(the title is the status name, FORBIDDEN -> 403), security/.../ConfiguredAuthorization.java
(`initialization.authorizations`), zeebe/gateway-rest's controller tests (400 INVALID_ARGUMENT
"Expected to handle request Create Process Instance with multi-tenancy enabled, but no tenant identifier
was provided.", and "Expected to handle request Deploy Resources with tenant identifier '...', but
multi-tenancy is disabled" with checks off); camunda/camunda#29250 (a foreign tenant's object is not
found, which the product's process instance tests pin as 404 NOT_FOUND "Process Instance with key '%s' not
found"); docs 8.8 components/concepts/access-control/authorizations.md (resource and permission types,
owners, `*` only, no deny rules).
"""

from __future__ import annotations

import time
import warnings
from typing import Any

with warnings.catch_warnings():  # starlette announces a move to httpx2; httpx is what is installed
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from harness.clients.bpmn import one_task_process, one_user_task_process
from harness.clients.orchestration import OrchestrationRest
from harness.deployment import Stack
from harness.reference.orchestration.api import OrchestrationApi
from harness.reference.orchestration.authorizations import Access
from harness.reference.orchestration.security import Security
from harness.reference.orchestration.tenants import Tenancy
from harness.reference.zeebe.engine import Engine
from tests.test_orchestration import StubKeys, token

ADMIN = ("admin-user", "admin-password")
ALICE = ("alice", "alice-password")
BOB = ("bob", "bob-password")


def cluster(authorizations: bool = True, checks: bool = False, unprotected: bool = False,
            grants: tuple[dict[str, Any], ...] = (), tenants: tuple[dict[str, Any], ...] = ()) -> TestClient:
    settings = {"authentication": {"method": "basic", "unprotected-api": unprotected},
                "authorizations": {"enabled": authorizations}, "multi-tenancy": {"checks-enabled": checks},
                "initialization": {"users": [{"username": u, "password": p} for u, p in (ADMIN, ALICE, BOB)],
                                   "defaultRoles": {"admin": {"users": [ADMIN[0]]}},
                                   "authorizations": list(grants), "tenants": list(tenants)}}
    security = Security.from_config(settings)
    access = Access.from_config(settings, security.directory)
    api = OrchestrationApi(Engine(), security, ("127.0.0.1", 8080), access, Tenancy.from_config(settings, access.identities))
    return TestClient(api.app())


def grant(user: str, resource_type: str, resource_id: str, *permissions: str) -> dict[str, Any]:
    return {"ownerType": "USER", "ownerId": user, "resourceType": resource_type, "resourceId": resource_id,
            "permissions": list(permissions)}


def deploy(client: TestClient, auth: tuple[str, str] | None, process: str, tenant: str | None = None) -> Any:
    data = {"tenantId": tenant} if tenant is not None else None
    return client.post("/v2/deployments", auth=auth, data=data,
                       files={"resources": (f"{process}.bpmn", one_task_process(process, "t"))})


def start(client: TestClient, auth: tuple[str, str], process: str, tenant: str | None = None) -> Any:
    return client.post("/v2/process-instances", auth=auth,
                       json={"processDefinitionId": process, **({"tenantId": tenant} if tenant else {})})


def keys(client: TestClient, auth: tuple[str, str]) -> set[str]:
    answer = client.post("/v2/process-instances/search", auth=auth, json={})
    assert answer.status_code == 200
    return {item["processInstanceKey"] for item in answer.json()["items"]}


def test_deploying_needs_resource_create_and_the_refusal_is_the_engines_forbidden() -> None:
    client = cluster()
    assert deploy(client, ADMIN, "p").status_code == 200, "the admin role holds every permission on *"
    refused = deploy(client, ALICE, "p")
    assert refused.status_code == 403 and refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["title"] == "FORBIDDEN"
    assert refused.json()["detail"] == ("Command 'CREATE' rejected with code 'FORBIDDEN': Insufficient permissions to "
                                        "perform operation 'CREATE' on resource 'RESOURCE'")


def test_a_process_grant_is_scoped_to_its_id_and_star_is_every_process() -> None:
    client = cluster(grants=(grant(ALICE[0], "PROCESS_DEFINITION", "x", "CREATE_PROCESS_INSTANCE",
                                   "READ_PROCESS_INSTANCE"),
                             grant(BOB[0], "PROCESS_DEFINITION", "*", "CREATE_PROCESS_INSTANCE")))
    for process in ("x", "y"):
        deploy(client, ADMIN, process)
    assert start(client, ALICE, "x").status_code == 200
    refused = start(client, ALICE, "y")
    assert refused.status_code == 403
    assert refused.json()["detail"].endswith("Insufficient permissions to perform operation 'CREATE_PROCESS_INSTANCE' "
                                             "on resource 'PROCESS_DEFINITION', required resource identifiers are "
                                             "one of '[*, y]'")
    assert start(client, BOB, "y").status_code == 200


def test_searches_are_filtered_and_a_get_without_read_is_forbidden() -> None:
    client = cluster(grants=(grant(ALICE[0], "PROCESS_DEFINITION", "x", "READ_PROCESS_INSTANCE"),))
    for process in ("x", "y"):
        deploy(client, ADMIN, process)
    own, other = (start(client, ADMIN, p).json()["processInstanceKey"] for p in ("x", "y"))
    assert keys(client, ADMIN) == {own, other}
    assert keys(client, ALICE) == {own}
    assert keys(client, BOB) == set()
    refused = client.get(f"/v2/process-instances/{other}", auth=ALICE)
    assert refused.status_code == 403
    assert refused.json()["detail"] == ("Unauthorized to perform operation 'READ_PROCESS_INSTANCE' on resource "
                                        "'PROCESS_DEFINITION'")


def test_authorizations_disabled_lets_everyone_do_everything_and_an_unprotected_api_checks_nothing() -> None:
    assert deploy(cluster(authorizations=False), ALICE, "p").status_code == 200
    assert deploy(cluster(unprotected=True), None, "p").status_code == 200


def test_authorizations_are_managed_through_the_api_by_those_who_may() -> None:
    client = cluster()
    body = {"ownerId": ALICE[0], "ownerType": "USER", "resourceId": "*", "resourceType": "RESOURCE",
            "permissionTypes": ["CREATE"]}
    assert client.post("/v2/authorizations", auth=ALICE, json=body).status_code == 403, "no self-escalation"
    assert client.post("/v2/authorizations/search", auth=ALICE, json={}).json()["items"] == []
    created = client.post("/v2/authorizations", auth=ADMIN, json=body)
    assert created.status_code == 201
    key = created.json()["authorizationKey"]
    assert deploy(client, ALICE, "p").status_code == 200
    admin_view = client.post("/v2/authorizations/search", auth=ADMIN, json={"filter": {"ownerId": "admin"}}).json()
    assert {g["resourceId"] for g in admin_view["items"]} == {"*"} and len(admin_view["items"]) > 10
    assert client.delete(f"/v2/authorizations/{key}", auth=ADMIN).status_code == 204
    assert deploy(client, ALICE, "p").status_code == 403
    unsupported = client.post("/v2/authorizations", auth=ADMIN, json={**body, "permissionTypes": ["READ_USER_TASK"]})
    assert unsupported.status_code == 400 and unsupported.json()["title"] == "INVALID_ARGUMENT"


def test_users_roles_and_tenants_need_their_permissions_and_roles_carry_grants() -> None:
    client = cluster()
    for path, body in (("/v2/users", {"username": "eve", "password": "pw"}), ("/v2/roles", {"roleId": "r", "name": "r"}),
                       ("/v2/tenants", {"tenantId": "t", "name": "t"})):
        refused = client.post(path, auth=ALICE, json=body)
        assert refused.status_code == 403 and "Insufficient permissions to perform operation 'CREATE'" in \
            refused.json()["detail"]
        assert client.post(path, auth=ADMIN, json=body).status_code == 201
    assert client.put(f"/v2/roles/admin/users/{ALICE[0]}", auth=ALICE).status_code == 403
    assert client.put(f"/v2/roles/admin/users/{ALICE[0]}", auth=ADMIN).status_code == 204
    assert deploy(client, ALICE, "p").status_code == 200, "the admin role's grants reach its members"
    assert client.get("/v2/authentication/me", auth=ALICE).json()["roles"] == ["admin"]


def test_groups_carry_grants_to_their_members() -> None:
    client = cluster()
    assert client.post("/v2/groups", auth=ADMIN, json={"groupId": "ops", "name": "Ops"}).status_code == 201
    assert client.put(f"/v2/groups/ops/users/{ALICE[0]}", auth=ADMIN).status_code == 204
    body = {"ownerId": "ops", "ownerType": "GROUP", "resourceId": "*", "resourceType": "RESOURCE",
            "permissionTypes": ["CREATE"]}
    assert client.post("/v2/authorizations", auth=ADMIN, json=body).status_code == 201
    assert deploy(client, ALICE, "p").status_code == 200
    assert deploy(client, BOB, "p").status_code == 403


def test_a_mapping_rule_gives_matching_tokens_its_role_and_tenant() -> None:
    """An OIDC client is named by `client-id-claim`; a mapping rule matching a claim of its token (a list
    claim containing the value too) brings the roles and tenants the rule is a member of."""
    settings = {"authentication": {"method": "oidc", "oidc": {"client-id-claim": "azp"}},
                "multi-tenancy": {"checks-enabled": True}}
    security = Security.from_config(settings, StubKeys())
    access = Access.from_config(settings, security.directory)
    client = TestClient(OrchestrationApi(Engine(), security, ("127.0.0.1", 8443), access,
                                         Tenancy.from_config(settings, access.identities)).app())
    admin = {"Authorization": f"Bearer {token(azp='root')}"}
    access.roles["admin"].members["clients"].add("root")
    rule = {"mappingRuleId": "ops-rule", "name": "ops", "claimName": "groups", "claimValue": "ops"}
    assert client.post("/v2/mapping-rules", headers=admin, json=rule).status_code == 201
    worker = {"Authorization": f"Bearer {token(azp='worker', groups=['staff', 'ops'])}"}
    stranger = {"Authorization": f"Bearer {token(azp='stranger', groups=['staff'])}"}
    def deploy_as(headers: dict[str, str]) -> int:
        return client.post("/v2/deployments", headers=headers, data={"tenantId": "<default>"},
                           files={"resources": ("p.bpmn", one_task_process("p", "t"))}).status_code

    assert deploy_as(worker) == 403
    assert client.put("/v2/roles/admin/mapping-rules/ops-rule", headers=admin).status_code == 204
    assert deploy_as(worker) == 200 and deploy_as(stranger) == 403
    me = client.get("/v2/authentication/me", headers=worker).json()
    assert me["roles"] == ["admin"] and [t["tenantId"] for t in me["tenants"]] == ["<default>"]
    assert client.get("/v2/authentication/me", headers=stranger).json()["roles"] == []


def test_tenant_checks_missing_foreign_and_not_found() -> None:
    tenants = ({"tenantId": "tenant-a", "users": [ALICE[0], ADMIN[0]]}, {"tenantId": "tenant-b", "users": [ADMIN[0]]})
    client = cluster(checks=True, grants=(grant(ALICE[0], "RESOURCE", "*", "CREATE"),
                                          grant(ALICE[0], "PROCESS_DEFINITION", "*", "CREATE_PROCESS_INSTANCE",
                                                "READ_PROCESS_INSTANCE")), tenants=tenants)
    missing = deploy(client, ALICE, "p")
    assert missing.status_code == 400 and missing.json()["detail"] == (
        "Expected to handle request Deploy Resources with multi-tenancy enabled, but no tenant identifier was provided.")
    foreign = deploy(client, ALICE, "p", "tenant-b")
    assert foreign.status_code == 403 and foreign.json()["detail"] == (
        "Command 'CREATE' rejected with code 'FORBIDDEN': Expected to perform operation 'CREATE' on resource "
        "'RESOURCE' for tenant 'tenant-b', but user is not assigned to this tenant")
    assert deploy(client, ADMIN, "p", "tenant-b").status_code == 200
    assert deploy(client, ALICE, "p", "tenant-a").status_code == 200
    theirs = start(client, ADMIN, "p", "tenant-b").json()["processInstanceKey"]
    mine = start(client, ALICE, "p", "tenant-a").json()["processInstanceKey"]
    assert start(client, ALICE, "p", "tenant-b").status_code == 403
    hidden = client.get(f"/v2/process-instances/{theirs}", auth=ALICE)
    assert hidden.status_code == 404 and hidden.json()["title"] == "NOT_FOUND"
    assert hidden.json()["detail"] == f"Process Instance with key '{theirs}' not found"
    assert client.get(f"/v2/process-instances/{mine}", auth=ALICE).status_code == 200
    assert keys(client, ALICE) == {mine} and keys(client, ADMIN) == {mine, theirs}
    assert client.put(f"/v2/tenants/tenant-b/users/{ALICE[0]}", auth=ADMIN).status_code == 204
    assert keys(client, ALICE) == {mine, theirs}
    assert client.delete(f"/v2/tenants/tenant-b/users/{ALICE[0]}", auth=ADMIN).status_code == 204
    assert keys(client, ALICE) == {mine}


def test_definition_variable_and_incident_searches_are_narrowed_and_publishing_needs_message_create() -> None:
    """The query services filter by the authorized resource ids (never refuse a search); a message publication
    is a command the engine checks (MESSAGE:CREATE)."""
    client = cluster(grants=(grant(ALICE[0], "PROCESS_DEFINITION", "mine", "READ_PROCESS_DEFINITION",
                                   "READ_PROCESS_INSTANCE"),))
    for process in ("mine", "theirs"):
        assert deploy(client, ADMIN, process).status_code == 200
        assert client.post("/v2/process-instances", auth=ADMIN,
                           json={"processDefinitionId": process, "variables": {"secret": process}}).status_code == 200

    def found(path: str, auth: tuple[str, str], field: str) -> list[Any]:
        answer = client.post(f"/v2/{path}/search", auth=auth, json={})
        assert answer.status_code == 200
        return sorted(item[field] for item in answer.json()["items"])

    assert found("process-definitions", ADMIN, "processDefinitionId") == ["mine", "theirs"]
    assert found("process-definitions", ALICE, "processDefinitionId") == ["mine"]
    assert found("variables", ADMIN, "value") == ['"mine"', '"theirs"']
    assert found("variables", ALICE, "value") == ['"mine"']
    refused = client.post("/v2/messages/publication", auth=ALICE, json={"name": "m", "correlationKey": "k"})
    assert refused.status_code == 403 and refused.json()["detail"] == (
        "Command 'PUBLISH' rejected with code 'FORBIDDEN': Insufficient permissions to perform operation 'CREATE' on "
        "resource 'MESSAGE'")
    assert client.post("/v2/messages/publication", auth=ADMIN, json={"name": "m", "correlationKey": "k"}).status_code == 200


def test_user_tasks_need_read_and_update_user_task_and_another_tenants_is_not_found() -> None:
    tenants = ({"tenantId": "tenant-a", "users": [ALICE[0], ADMIN[0], BOB[0]]}, {"tenantId": "tenant-b", "users": [ADMIN[0]]})
    client = cluster(checks=True, tenants=tenants, grants=(
        grant(ALICE[0], "PROCESS_DEFINITION", "*", "READ_USER_TASK", "UPDATE_USER_TASK"),
        grant(BOB[0], "PROCESS_DEFINITION", "*", "READ_USER_TASK")))
    for tenant in ("tenant-a", "tenant-b"):
        assert client.post("/v2/deployments", auth=ADMIN, data={"tenantId": tenant}, files={
            "resources": ("approve.bpmn", one_user_task_process("approve"))}).status_code == 200
        assert start(client, ADMIN, "approve", tenant).status_code == 200

    def tasks(auth: tuple[str, str]) -> dict[str, str]:
        answer = client.post("/v2/user-tasks/search", auth=auth, json={})
        return {item["tenantId"]: item["userTaskKey"] for item in answer.json()["items"]}

    mine, theirs = tasks(ADMIN)["tenant-a"], tasks(ADMIN)["tenant-b"]
    assert tasks(ALICE) == tasks(BOB) == {"tenant-a": mine}
    hidden = client.post(f"/v2/user-tasks/{theirs}/completion", auth=ALICE, json={})
    assert hidden.status_code == 404 and hidden.json()["title"] == "NOT_FOUND"
    refused = client.post(f"/v2/user-tasks/{mine}/completion", auth=BOB, json={})
    assert refused.status_code == 403 and "'UPDATE_USER_TASK' on resource 'PROCESS_DEFINITION'" in refused.json()["detail"]
    assert client.post(f"/v2/user-tasks/{mine}/completion", auth=ALICE, json={"variables": {"ok": True}}).status_code == 204
    assert tasks(ALICE) == {"tenant-a": mine}  # a completed task stays, COMPLETED
    again = client.post(f"/v2/user-tasks/{mine}/completion", auth=ALICE, json={})
    assert again.status_code == 404


def test_job_activation_draws_only_from_the_callers_tenants() -> None:
    """The security property, whichever way the product words it: no job of a tenant the caller is not
    assigned to is handed out; an activation naming no tenant is refused, as the gRPC gateway's
    (RequestMapper.ensureTenantIdsSet) is (the REST wording is UNCONFIRMED)."""
    tenants = ({"tenantId": "tenant-a", "users": [ALICE[0], ADMIN[0]]}, {"tenantId": "tenant-b", "users": [ADMIN[0]]})
    client = cluster(checks=True, tenants=tenants,
                     grants=(grant(ALICE[0], "PROCESS_DEFINITION", "p", "UPDATE_PROCESS_INSTANCE"),))
    for tenant in ("tenant-a", "tenant-b"):
        assert deploy(client, ADMIN, "p", tenant).status_code == 200
        assert start(client, ADMIN, "p", tenant).status_code == 200

    def activate(auth: tuple[str, str], tenant_ids: list[str] | None) -> Any:
        body = {"type": "t", "timeout": 1000, "maxJobsToActivate": 10, "requestTimeout": -1,
                **({"tenantIds": tenant_ids} if tenant_ids is not None else {})}
        return client.post("/v2/jobs/activation", auth=auth, json=body)

    assert activate(ALICE, None).status_code == 400
    assert activate(ALICE, ["tenant-b"]).json()["jobs"] == []
    assert [job["tenantId"] for job in activate(ALICE, ["tenant-a", "tenant-b"]).json()["jobs"]] == ["tenant-a"]
    assert [job["tenantId"] for job in activate(ADMIN, ["tenant-b"]).json()["jobs"]] == ["tenant-b"]


def test_job_activation_hands_out_only_jobs_of_processes_the_caller_may_update() -> None:
    """JobBatchCollector.java (zeebe/engine/.../processing/job/): getAllAuthorizedScopes for
    PROCESS_DEFINITION:UPDATE_PROCESS_INSTANCE, then every job whose bpmnProcessId is neither `*` nor one of
    them is skipped; no refusal. Over REST and the cluster's gRPC alike (the engine does it)."""
    client = cluster(grants=(grant(ALICE[0], "PROCESS_DEFINITION", "granted", "UPDATE_PROCESS_INSTANCE"),
                             grant(BOB[0], "PROCESS_DEFINITION", "*", "UPDATE_PROCESS_INSTANCE")))
    for process in ("granted", "other"):
        assert deploy(client, ADMIN, process).status_code == 200
        assert start(client, ADMIN, process).status_code == 200

    def activated(auth: tuple[str, str]) -> list[str]:
        answer = client.post("/v2/jobs/activation", auth=auth, json={
            "type": "t", "timeout": 1, "maxJobsToActivate": 10, "requestTimeout": -1})
        assert answer.status_code == 200
        return sorted(job["processDefinitionId"] for job in answer.json()["jobs"])

    assert activated(ALICE) == ["granted"]
    time.sleep(0.01)  # the 1 ms lock has passed
    assert activated(BOB) == ["granted", "other"]


def test_with_tenant_checks_off_only_the_default_tenant_is_taken() -> None:
    client = cluster(checks=False)
    refused = deploy(client, ADMIN, "p", "tenant-a")
    assert refused.status_code == 400 and refused.json()["detail"].endswith("but multi-tenancy is disabled")
    assert deploy(client, ADMIN, "p").json()["tenantId"] == "<default>"


def test_each_reference_weakness_switches_exactly_its_setting() -> None:
    """The reference stack's basic cluster (harness/reference/services/orchestration.py): secure is
    authorizations and tenant checks on with the cast's narrow grants; each weakness changes one thing."""
    from harness.reference.profile import Profile
    from harness.reference.services.orchestration import CAST, PASSWORD_ENV, security

    passwords = {env: "pw" for env in (PASSWORD_ENV, *(env for _, env in CAST.values()))}
    secure = security(Profile(), passwords)
    assert secure["authorizations"] == {"enabled": True} and secure["multi-tenancy"] == {"checks-enabled": True}
    changed = {weakness: security(Profile(frozenset({weakness})), passwords) for weakness in (
        "authorizations_disabled", "mt_checks_disabled", "wildcard_grants", "tenant_assignment_too_broad")}
    assert changed["authorizations_disabled"] == {**secure, "authorizations": {"enabled": False}}
    assert changed["mt_checks_disabled"] == {**secure, "multi-tenancy": {"checks-enabled": False}}
    widened = [g for g in changed["wildcard_grants"]["initialization"]["authorizations"]
               if g not in secure["initialization"]["authorizations"]]
    assert [(g["ownerId"], g["resourceType"], g["resourceId"]) for g in widened] == [
        (CAST["process"][0], "PROCESS_DEFINITION", "*")]
    broad = changed["tenant_assignment_too_broad"]["initialization"]["tenants"]
    assert [t for t in broad if t not in secure["initialization"]["tenants"]] == [
        {"tenantId": "tenant-b", "name": "tenant-b", "users": ["harness", CAST["tenant"][0]]}]


def test_tenant_assignments_through_the_clusters_own_api(cluster_stack: Stack) -> None:
    """`assign_tenant` drives the cluster's TenantController paths (`PUT`/`DELETE /v2/tenants/{t}/users/{u}`)
    as the Target's admin login; repeating either is a no-op. The tenant user's own view
    (`/v2/authentication/me` with its credentials) shows each change on its next request."""
    spec = cluster_stack.target.orchestration
    assert spec is not None and spec.tenant_user and spec.foreign_tenant
    username, password = spec.user_login(spec.tenant_user, cluster_stack.environ)
    rest = OrchestrationRest(str(spec.url), cluster_stack.verify)

    def tenants() -> list[str]:
        me = rest.call("GET", "/authentication/me", basic=(username, password.get_secret_value()))
        return sorted(t["tenantId"] for t in me.data["tenants"])

    assignments = cluster_stack.capabilities.tenant_assignments()
    before = tenants()
    assert spec.foreign_tenant not in before
    for _ in range(2):
        assignments.set_assignment("users", username, spec.foreign_tenant, assigned=True)
    assert tenants() == sorted([*before, spec.foreign_tenant])
    for _ in range(2):
        assignments.set_assignment("users", username, spec.foreign_tenant, assigned=False)
    assert tenants() == before


def test_a_repeated_tenant_assignment_is_a_conflict_and_a_repeated_removal_not_found(cluster_stack: Stack) -> None:
    """TenantCreateProcessor.java rejects creating an existing tenant (ALREADY_EXISTS), TenantAddEntityProcessor.java rejects assigning a member already assigned (ALREADY_EXISTS) and
    TenantRemoveEntityProcessor.java removing one not assigned (NOT_FOUND), camunda/camunda
    zeebe/engine/src/main/java/io/camunda/zeebe/engine/processing/tenant/; RestErrorMapper.java (zeebe/
    gateway-rest) answers the rejections 409 and 404 with "Command '<intent>' rejected with code '<type>':
    <reason>". The `assign_tenant` adapter counts both as done."""
    spec = cluster_stack.target.orchestration
    assert spec is not None and spec.tenant_user and spec.foreign_tenant
    username = spec.users[spec.tenant_user].username
    admin = spec.basic_auth(cluster_stack.environ)
    assert admin is not None
    rest = OrchestrationRest(str(spec.url), cluster_stack.verify)
    path = f"/tenants/{spec.foreign_tenant}/users/{username}"
    login = (admin[0], admin[1].get_secret_value())
    again = rest.call("POST", "/tenants", basic=login, body={"tenantId": spec.foreign_tenant, "name": "again"})
    assert (again.status, again.title, again.detail) == (
        409, "ALREADY_EXISTS", (f"Command 'CREATE' rejected with code 'ALREADY_EXISTS': Expected to create tenant with "
                               f"ID '{spec.foreign_tenant}', but a tenant with this ID already exists"))
    answers = [rest.call(method, path, basic=login) for method in ("PUT", "PUT", "DELETE", "DELETE")]
    assert [answer.status for answer in answers] == [204, 409, 204, 404]
    assert (answers[1].title, answers[1].detail) == (
        "ALREADY_EXISTS", (f"Command 'ADD_ENTITY' rejected with code 'ALREADY_EXISTS': Expected to add user with ID "
                          f"'{username}' to tenant with ID '{spec.foreign_tenant}', but the user is already assigned "
                          "to the tenant."))
    assert (answers[3].title, answers[3].detail) == (
        "NOT_FOUND", (f"Command 'REMOVE_ENTITY' rejected with code 'NOT_FOUND': Expected to remove user with ID "
                     f"'{username}' from tenant with ID '{spec.foreign_tenant}', but the user is not assigned to "
                     "this tenant."))


def test_searches_take_the_apis_advanced_string_filters(cluster_stack: Stack) -> None:
    """A filter property is a value or an AdvancedStringFilter (`$eq`, `$neq`, `$exists`, `$in`, `$notIn`,
    `$like` with `*`, `?` and `\\` escapes), as camunda-orchestration-sdk 10's model (generated from the
    product's OpenAPI spec) documents and serializes it."""
    from camunda_orchestration_sdk.models.advanced_string_filter import AdvancedStringFilter

    spec = cluster_stack.target.orchestration
    assert spec is not None
    admin = spec.basic_auth(cluster_stack.environ)
    assert admin is not None
    rest = OrchestrationRest(str(spec.url), cluster_stack.verify)
    names = {user.username for user in spec.users.values()}

    def found(**operators: Any) -> set[str]:
        body = {"filter": {"username": AdvancedStringFilter(**operators).to_dict()}}
        answer = rest.call("POST", "/users/search", basic=(admin[0], admin[1].get_secret_value()), body=body)
        assert answer.ok, answer
        return {str(item["username"]) for item in answer.items} & names

    process, tenant = (spec.users[name].username for name in ("process", "tenant"))
    assert found(like="process-*") == {process}
    assert found(like="process-operato?") == {process}
    assert found(like="process\\-operator") == {process}
    assert found(like="process\\*") == set()
    assert found(in_=[process, tenant]) == {process, tenant}
    assert found(not_in=[process]) == names - {process}
    assert found(neq=process, exists=True) == names - {process}
    assert found(eq=tenant) == {tenant}
    # An operator the API lacks is refused: the emulator's choice (ASSUMED; the product's answer is not read).
    refused = rest.call("POST", "/users/search", basic=(admin[0], admin[1].get_secret_value()),
                        body={"filter": {"username": {"$regex": ".*"}}})
    assert refused.status == 400


def test_an_oidc_cluster_has_no_users_api(cluster_stack: Stack) -> None:
    """UserController is `@ConditionalOnInternalUserManagement` (camunda/camunda, on when
    `camunda.security.authentication.method` is not oidc): an oidc cluster's users live in its identity
    provider, and even its admin client finds no `/v2/users`; the basic cluster has it. That the absent
    route is 404 for POST too is the emulator's assumption (api.py ANY_METHOD), not read in the product."""
    spec = cluster_stack.target.orchestration
    assert spec is not None and spec.oidc_url is not None and spec.client is not None
    oidc = OrchestrationRest(str(spec.oidc_url), cluster_stack.verify)
    token = cluster_stack.token(spec.client, spec.audience)
    assert oidc.call("GET", "/authentication/me", bearer=token).ok
    assert [oidc.call(method, path, bearer=token, body=body).status for method, path, body in (
        ("POST", "/users/search", {}), ("POST", "/users", {"username": "u", "password": "p"}),
        ("GET", "/users/nobody", None))] == [404, 404, 404]
    admin = spec.basic_auth(cluster_stack.environ)
    assert admin is not None
    basic = OrchestrationRest(str(spec.url), cluster_stack.verify)
    assert basic.call("POST", "/users/search", basic=(admin[0], admin[1].get_secret_value()), body={}).ok
