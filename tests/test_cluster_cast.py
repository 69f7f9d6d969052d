"""`provision_cast`: the authz and tenancy checks' users created in the Orchestration Cluster through its own
API, judged by the checks themselves, and gone when the run ends."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from harness import cast
from harness.catalog import CHECKS
from harness.clients.orchestration import OrchestrationRest
from harness.config import validate
from harness.deployment import Stack
from harness.errors import StackError, UsageError
from harness.needs import unmet
from tests.conftest import CLUSTER_SERVICES, local_reference_stack, run_against

# The checks a basic-only cluster with a created cast runs (AUTHZ-008 needs an oidc client, the other
# tenancy checks a gateway or Optimize).
CAST_CHECKS = {*(f"AUTHZ-00{n}" for n in (1, 2, 3, 4, 5, 6, 7, 9)), *(f"TEN-0{n}" for n in range(12, 20))}


def bare_cluster(stack: Stack, **changes: Any) -> dict[str, Any]:
    """The reference cluster's Target as an operator would write it for a real one: the admin login and the
    cluster's addresses, no cast, `provision_cast` declared."""
    spec = stack.target.orchestration
    assert spec is not None
    cluster = {"url": str(spec.url), "auth": "basic", "grpc_address": spec.grpc_address,
               "users": {"default": spec.users["default"].model_dump()},
               "session_refresh_s": spec.session_refresh_s, **changes}
    return {"orchestration": cluster, "ca_file": str(stack.target.ca_file),
            "capabilities": ["provision_cast", "assign_tenant"]}


def cast_left(stack: Stack) -> list[str]:
    """What of a created cast the admin still sees: users and the owners of authorizations."""
    spec = stack.target.orchestration
    assert spec is not None
    username, password = spec.user_login("default", stack.environ)
    rest = OrchestrationRest(str(spec.url), stack.verify)
    admin = (username, password.get_secret_value())
    users = rest.call("POST", "/users/search", basic=admin, body={"page": {"limit": 1000}}).items
    grants = rest.call("POST", "/authorizations/search", basic=admin, body={"page": {"limit": 1000}}).items
    return sorted({str(item.get(field)) for items, field in ((users, "username"), (grants, "ownerId"))
                   for item in items if str(item.get(field)).startswith("harness-cast-")})


def test_provision_cast_needs_a_basic_cluster_with_an_admin_login() -> None:
    cluster = {"url": "https://cluster:8080", "users": {"default": {"username": "a", "password_env": "P"}}}
    with pytest.raises(UsageError, match="orchestration.auth basic"):
        validate({"orchestration": {**cluster, "auth": "oidc"}, "capabilities": ["provision_cast"]})
    with pytest.raises(UsageError, match="orchestration.users: provision_cast"):
        validate({"orchestration": {**cluster, "users": {}}, "capabilities": ["provision_cast"]})
    with pytest.raises(UsageError, match="orchestration.auth basic"):
        validate({"capabilities": ["provision_cast"]})


def test_the_cast_fields_are_met_where_the_harness_may_create_them() -> None:
    """`doctor` and the skip reasons judge the Target as written: the cast is not there yet, but will be."""
    cluster = {"url": "https://cluster:8080", "users": {"default": {"username": "a", "password_env": "P"}}}
    needs = [f"orchestration.{field}" for field in cast.FIELDS]
    assert unmet(validate({"orchestration": cluster, "capabilities": ["provision_cast"]}), needs) == []
    assert len(unmet(validate({"orchestration": cluster}), needs)) == len(needs)


def test_a_run_without_authz_or_tenancy_creates_nothing_and_needs_no_login() -> None:
    """`--scenario=tls,auth` with `provision_cast` declared: no cast, so no call and no admin password."""
    cluster = {"url": "https://cluster:8080", "users": {"default": {"username": "a", "password_env": "UNSET_PW"}}}
    stack = Stack(validate({"orchestration": cluster, "capabilities": ["provision_cast"]}), {})
    assert stack.with_cast(["tls", "auth"], lambda message: None) is stack


def test_the_checks_pass_on_a_created_cast_and_it_is_gone_after_the_run(cluster_stack: Stack, tmp_path: Path) -> None:
    """The authz and tenancy checks run against a Target naming only the admin login: each of their positive
    controls succeeds with the users the harness created (so they hold what the checks assume), every
    refusal holds (so they hold nothing more), and when the run ends the users and their grants are gone."""
    run = run_against(bare_cluster(cluster_stack), "authz,tenancy", tmp_path, cluster_stack.environ)
    assert run.checks("passed") == CAST_CHECKS, run.output
    named = run.report["target"]["orchestration"]
    assert named["unauthorized_user"] == "harness-cast-unauthorized" and named["tenant"] == "harness-own"
    assert cast_left(cluster_stack) == []


def test_a_login_that_may_not_create_users_is_one_line_and_leaves_nothing(cluster_stack: Stack) -> None:
    """The Target's `default` login without the admin role: the first creation is refused, the error names
    the field to fix, and nothing the attempt made stays behind."""
    spec = cluster_stack.target.orchestration
    assert spec is not None and spec.tenant_user
    target = bare_cluster(cluster_stack, users={"default": spec.users[spec.tenant_user].model_dump()})
    stack = Stack(validate(target), cluster_stack.environ)
    with pytest.raises(StackError, match=r"^orchestration.users.default: creating user .* HTTP 403") as raised:
        stack.with_cast(["authz"], lambda message: None)
    assert "\n" not in str(raised.value)
    assert cast_left(cluster_stack) == []


@pytest.mark.parametrize("weakness", ["authorizations_disabled", "wildcard_grants", "mt_checks_disabled"])
def test_a_created_cast_detects_what_the_targets_own_cast_detects(weakness: str, tmp_path_factory: pytest.TempPathFactory,
                                                                   tmp_path: Path) -> None:
    """On a misconfigured cluster the created cast fails exactly the checks the catalog says detect the
    weakness (each with its own assertion, never an error), as the reference Target's initial users do in
    the detection matrix. `wildcard_grants` is the reference cluster widening its own process user's grant:
    a created cast holds none of it, so AUTHZ-006 still reports the reference user and AUTHZ-004 passes."""
    with local_reference_stack(tmp_path_factory, CLUSTER_SERVICES, frozenset({weakness})) as stack:
        run = run_against(bare_cluster(stack), "authz,tenancy", tmp_path, stack.environ)
        assert cast_left(stack) == []
    detecting = {check.id for check in CHECKS.values() if weakness in check.detects} & CAST_CHECKS
    if weakness == "wildcard_grants":
        detecting = {"AUTHZ-006"}
    assert (run.checks("failed"), run.checks("error")) == (detecting, set()), run.output


def test_the_cast_is_created_with_the_request_bodies_of_camundas_own_client(cluster_stack: Stack,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Every body the adapter posts is one the SDK's models (generated from the product's OpenAPI spec) read
    back unchanged: no field the API does not know, and resource and permission types it has. The answer's
    `authorizationKey` is the SDK's AuthorizationCreateResult. The new passwords are Target secrets."""
    from camunda_orchestration_sdk.models.authorization_create_result import AuthorizationCreateResult
    from camunda_orchestration_sdk.models.authorization_id_based_request import AuthorizationIdBasedRequest
    from camunda_orchestration_sdk.models.tenant_create_request import TenantCreateRequest
    from camunda_orchestration_sdk.models.user_request import UserRequest

    models = {"/users": UserRequest, "/authorizations": AuthorizationIdBasedRequest, "/tenants": TenantCreateRequest}
    posted: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    call = OrchestrationRest.call

    def recorded(self: OrchestrationRest, method: str, path: str, **kwargs: Any) -> Any:
        answer = call(self, method, path, **kwargs)
        if method == "POST" and path in models:
            posted.append((path, kwargs["body"], answer.data))
        return answer

    monkeypatch.setattr(OrchestrationRest, "call", recorded)
    stack = Stack(validate(bare_cluster(cluster_stack)), cluster_stack.environ)
    provisioned = stack.with_cast(["authz", "tenancy"], lambda message: None)
    provisioned.close()
    # The reports' redactor is fed secret_values(): the passwords only this run knows are among them.
    created = {env: value for env, value in provisioned.environ.items() if env not in stack.environ}
    assert len(created) == len(cast.ROLES) and set(created.values()) <= set(provisioned.secret_values())
    assert {path for path, _, _ in posted} == set(models)
    for path, body, answer in posted:
        assert models[path].from_dict(body).to_dict() == body, path
        if path == "/authorizations":
            assert AuthorizationCreateResult.from_dict(answer).authorization_key
    assert cast_left(cluster_stack) == []


def test_the_next_run_deletes_what_a_killed_run_left_and_nothing_newer(cluster_stack: Stack) -> None:
    """A cast user older than a day (its name carries its creation time) and its grants are deleted when the
    next cast is made; a younger one may be another run's, and stays."""
    spec = cluster_stack.target.orchestration
    assert spec is not None
    username, password = spec.user_login("default", cluster_stack.environ)
    admin = (username, password.get_secret_value())
    rest = OrchestrationRest(str(spec.url), cluster_stack.verify)
    now = int(time.time())
    stale, young = f"harness-cast-process-{now - 2 * 86400}-abc123", f"harness-cast-process-{now - 60}-abc124"
    for user in (stale, young):
        assert rest.call("POST", "/users", basic=admin, body={"username": user, "password": "left-behind-pw"}).ok
        assert rest.call("POST", "/authorizations", basic=admin, body={
            "ownerId": user, "ownerType": "USER", "resourceType": "PROCESS_DEFINITION", "resourceId": "x",
            "permissionTypes": ["READ_PROCESS_INSTANCE"]}).ok
    stack = Stack(validate(bare_cluster(cluster_stack)), cluster_stack.environ)
    stack.with_cast(["authz"], lambda message: None).close()
    assert cast_left(cluster_stack) == [young]
    grants = rest.call("POST", "/authorizations/search", basic=admin, body={"filter": {"ownerId": young}}).items
    for grant in grants:
        rest.call("DELETE", f"/authorizations/{grant['authorizationKey']}", basic=admin)
    assert rest.call("DELETE", f"/users/{young}", basic=admin).ok
