"""The authz and tenancy checks on a cluster that takes tokens (`orchestration.auth: oidc`): its users live in
the identity provider, so the cast is Target clients (`client` the admin, `unauthorized_client`,
`process_client`, `tenant_client`), each sending its own token. Run against the reference stack's oidc cluster
as a Target naming only it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness.catalog import CHECKS
from harness.config import validate
from harness.deployment import Stack
from harness.errors import UsageError
from harness.needs import unmet
from tests.conftest import CLUSTER_SERVICES, local_reference_stack, run_against

AUTHZ = {check.id for check in CHECKS.values() if check.scenario == "authz"}
# The cluster's tenancy checks but TEN-019, which logs a user in through the web form (users only).
TENANCY = {f"TEN-0{n}" for n in range(12, 19)}


def oidc_cluster(stack: Stack) -> dict[str, Any]:
    """The reference stack's oidc cluster as an operator would write a Target for a real one: its addresses,
    Identity to fetch tokens from, and the clients of the cast."""
    spec = stack.target.orchestration
    assert spec is not None and spec.oidc_url is not None
    whole = stack.target.public_json()
    cluster = {"url": str(spec.oidc_url), "auth": "oidc", "grpc_address": spec.oidc_grpc_address,
               "client": spec.client, "audience": spec.audience, "unauthorized_client": spec.unauthorized_client,
               "process_client": spec.process_client, "tenant_client": spec.tenant_client,
               "granted_process": spec.granted_process, "tenant": spec.tenant, "foreign_tenant": spec.foreign_tenant}
    return {"orchestration": cluster, "identity": whole["identity"], "clients": whole["clients"],
            "ca_file": whole["ca_file"]}


def test_every_cluster_check_passes_with_clients_as_the_cast(cluster_stack: Stack, tmp_path: Path) -> None:
    """Each check's controls succeed as the admin client and the process and tenant clients, and every
    refusal holds for the client lacking the grant or the tenant; AUTHZ-003 probes roles, tenants and
    authorizations (no users API). TEN-019 skips: it judges a web session, which clients do not have."""
    run = run_against(oidc_cluster(cluster_stack), "authz,tenancy", tmp_path, cluster_stack.environ)
    assert (run.checks("passed"), run.checks("failed"), run.checks("error")) == (AUTHZ | TENANCY, set(), set()), \
        run.output


@pytest.mark.parametrize("weakness", ["authorizations_disabled", "wildcard_grants", "mt_checks_disabled",
                                      "tenant_assignment_too_broad"])
def test_clients_as_the_cast_detect_what_users_detect(weakness: str, tmp_path_factory: pytest.TempPathFactory,
                                                      tmp_path: Path) -> None:
    """On a misconfigured oidc cluster the client cast fails exactly the checks the catalog says detect the
    weakness, as the user cast does on the basic cluster in the detection matrix (with multi-tenancy checks
    off, the isolation checks skip and say so, as there)."""
    with local_reference_stack(tmp_path_factory, CLUSTER_SERVICES, frozenset({weakness})) as stack:
        run = run_against(oidc_cluster(stack), "authz,tenancy", tmp_path, stack.environ)
    detecting = {check.id for check in CHECKS.values() if weakness in check.detects} & (AUTHZ | TENANCY)
    assert (run.checks("failed"), run.checks("error")) == (detecting, set()), run.output


def test_the_cast_a_target_lacks_is_named_by_the_fields_that_state_it() -> None:
    """A skip (and `doctor`) names the Target field to fill for the cluster's method; a cast client must be a
    Target client."""
    cluster = {"url": "https://cluster:8080", "auth": "oidc", "client": "admin"}
    clients = {name: {"client_id_env": f"{name.upper()}_ID", "client_secret_env": f"{name.upper()}_SECRET",
                      "audience": "zeebe-api"}
               for name in ("admin", "bu_a")}
    target = validate({"orchestration": {**cluster, "unauthorized_client": "bu_a"}, "clients": clients})
    assert unmet(target, ["orchestration.admin_principal", "orchestration.unauthorized_principal"]) == []
    assert unmet(target, ["orchestration.process_principal"]) == [
        "the target states no orchestration.process_user (basic) or orchestration.process_client (oidc)"]
    with pytest.raises(UsageError, match="orchestration.process_client: no client 'bu_b' in clients"):
        validate({"orchestration": {**cluster, "process_client": "bu_b"}, "clients": clients})
