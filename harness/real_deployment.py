"""What each check takes on a real Camunda 8.6/8.7 deployment (Keycloak + Management Identity): a target file
alone, a capability adapter driving a product's own API, or nothing it can have there (then it skips, saying
why). `harness list-checks --real-deployment` prints it as the README's "Against a real deployment" table,
built from the catalog's declared needs plus the few facts needs cannot express, so it follows the code.
"""

from __future__ import annotations

from harness.catalog import CHECKS, Check
from harness.needs import EITHER

# The product API each capability's adapter drives (harness/capabilities.py, harness/clients/).
ADAPTERS = {
    "mint_token": "Keycloak admin REST: a passive `rsa` key provider the harness imports and deletes after the run",
    "rotate_signing_key": "Keycloak admin REST: a new `rsa-generated` provider, the old one deleted; staging realms only",
    "grant_tenant": "Management Identity's API: the client's application assigned to a tenant and removed",
    "assign_tenant": "the Orchestration Cluster's own API as its admin login user: a user assigned to a tenant "
                     "and unassigned (PUT and DELETE /v2/tenants/{tenantId}/users/{username})",
    "provision_cast": "the Orchestration Cluster's own API as its admin login user: the authz and tenancy checks' "
                      "users created with their grants and tenants, deleted after the run",
    "rotate_secret": "Vault KV v2 as its operator, `vault.admin_token_env`",
    "stop_service": "the operator's own stop/start commands, `faults.services.{service}`",
}
# Declared needs that no 8.6/8.7 product can meet: the check skips there. Every `orchestration.*` need is one
# (the Orchestration Cluster is Camunda 8.8+), besides these.
UNMEETABLE = {
    "optimize.login_form": "Camunda 8's Optimize logs in through Identity's browser redirect, which the harness "
                           "does not drive (the reference stack's Optimize has a form login)",
}
CLUSTER_ONLY = "Camunda 8.8+ only (the Orchestration Cluster)"


def unmeetable(need: str) -> str | None:
    """Why an 8.6/8.7 deployment cannot meet `need` (one side of an `a|b` need), or None."""
    return UNMEETABLE.get(need) or (CLUSTER_ONLY if need.startswith("orchestration.") else None)
# What a check needs that its declared needs do not say (sections it reads, where the harness must run).
NOTES = {
    "TLS-009": "run from where clients stand, outside the cluster network",
    "AUTH-023": "Elasticsearch reachable from where the harness runs (skips, saying so, where it is internal)",
    "AUTH-030": "`vault` with `admin_token_env` (the positive control)",
    "AUTH-041": "the APIs the target declares (Optimize's public API, Operate's v1, Keycloak's admin API)",
    "TEN-001": "two `clients` with different `tenants`, a multi-tenant gateway (`gateway.tenancy_address`)",
    "TEN-002": "two `clients` with different `tenants`, a multi-tenant gateway (`gateway.tenancy_address`)",
    "TEN-010": "a client with `tenants` on a multi-tenant gateway",
    "HDR-007": "a session cookie: skips on Camunda 8's Optimize (login through Identity's browser redirect)",
    "LOAD-001": "real load on the proxy/auth path: a staging deployment",
    "LOAD-002": "real load on the proxy/auth path: a staging deployment; the SLO in `load`",
    **{f"SEC-00{n}": "each business unit's worker under `workers` and its AppRole under `vault.approles`"
       for n in range(1, 10)},
}
NOTES["SEC-002"] = f"{NOTES['SEC-001']}; retry timing from Zeebe's job records in `search`, else the worker's log"
NOTES["SEC-003"] = f"{NOTES['SEC-001']}; the worker's log readable where the harness runs (`log_file`)"


def _capability(need: str) -> str:
    capability, _, service = need.partition(":")
    return f"`{need}` ({ADAPTERS[capability].format(service=service)})"


def _meetable(need: str) -> str | None:
    """The need as an 8.6/8.7 deployment can meet it (of `a|b`, the sides it can), or None."""
    sides = [side for side in need.split(EITHER) if unmeetable(side) is None]
    return EITHER.join(sides) if sides else None


def verdict(check: Check) -> str:
    """One cell: what the check takes on a real 8.6/8.7 deployment, or why it skips there."""
    blocked = sorted({str(unmeetable(side)) for need in check.needs if _meetable(need) is None
                      for side in need.split(EITHER)})
    if blocked:
        return "skips: " + "; ".join(blocked)
    needs = [_meetable(need) or need for need in check.needs]
    capabilities = [_capability(need) for need in needs if need.partition(":")[0] in ADAPTERS]
    fields = [f"`{need}`" for need in needs if need.partition(":")[0] not in ADAPTERS]
    parts = ["with " + ", ".join(capabilities)] if capabilities else ["target file alone"]
    if fields:
        parts.append("stating " + ", ".join(fields))
    if check.id in NOTES:
        parts.append(NOTES[check.id])
    return "; ".join(parts)


def table() -> str:
    rows = [f"| {check.id} | {check.title} | {verdict(check)} |" for check in CHECKS.values()]
    return "\n".join(["| check | what it proves | on a real 8.6/8.7 deployment |", "|---|---|---|", *rows])
