"""Declared preconditions: what a check needs from the target before it can judge anything.

A need is a capability name (`mint_token`, ...: something the harness must be able to do to the target; the
fault capability names the service it stops, `stop_service:identity`) or a dotted Target field (`identity.tenant_grant_ttl_s`: something the target must state, or, for the authz and tenancy cast, something
`provision_cast` lets the harness create). The
catalog declares each check's needs; the plugin skips a check whose needs are unmet with one uniform reason,
and `harness doctor --target` lists the same reasons before a run, so a nightly job shows what it will skip.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from harness import cast
from harness.catalog import SCENARIOS
from harness.config import KNOWN_CAPABILITIES, Target

# Between the two sides of a need either of which will do.
EITHER = "|"
# Capabilities the backend must also back with fault controls, not only the target declare.
FAULT_CAPABILITIES = frozenset({"stop_service"})
# The Target fields each capability's adapter calls the product through (harness.capabilities): Keycloak's
# admin REST API for keys and minting, Camunda Management Identity's API for tenant grants, the Orchestration
# Cluster's own API (as its admin login user) for its tenant assignments.
CAPABILITY_FIELDS = {
    "mint_token": ("identity.admin_url", "identity.admin_client"),
    "rotate_signing_key": ("identity.admin_url", "identity.admin_client"),
    "grant_tenant": ("identity.management_url", "identity.admin_client"),
    "assign_tenant": ("orchestration.url", "orchestration.users"),
    "provision_cast": ("orchestration.url", "orchestration.users"),
}
# Target fields a capability fills in where the target leaves them out: the harness creates the cast.
PROVIDED_BY = {f"orchestration.{field}": "provision_cast"
               for field in (*cast.FIELDS, *(f"{role}_principal" for role in cast.ROLES))}
# What a derived need (an Orchestration property) asks the Target to state, for the skip reason.
STATES = {"orchestration.admin_principal": "orchestration.users (basic) or orchestration.client (oidc)",
          **{f"orchestration.{role}_principal": f"orchestration.{role}_user (basic) or orchestration.{role}_client (oidc)"
             for role in cast.ROLES}}


def _field(target: Target, path: str) -> object:
    value: object = target
    for part in path.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def _stated(value: object) -> bool:
    """A field counts as stated unless it is absent, empty or a switch left off (`optimize.login_form`)."""
    if value is None or value is False:
        return False
    return not isinstance(value, (str, list, tuple, dict)) or bool(value)


def never(service: str) -> bool:
    return False


def unmet(target: Target, needs: Iterable[str], stoppable: Callable[[str], bool] = never) -> list[str]:
    """Why each unmet need is unmet, one line each; empty when the check can run. `stoppable(service)` says
    whether the backend's fault controls can stop that service (an external target's, only the services its
    `faults` section has commands for). A need `a|b` is met by either (a check that can walk one product
    generation's API or the other's)."""
    reasons = []
    for need in needs:
        if EITHER in need:
            alternatives = [unmet(target, [alternative], stoppable) for alternative in need.split(EITHER)]
            if all(alternatives):
                reasons.append("neither: " + "; nor: ".join("; ".join(why) for why in alternatives))
            continue
        capability, _, service = need.partition(":")
        if capability in KNOWN_CAPABILITIES:
            if capability not in target.capabilities:
                reasons.append(f"the target lacks the {capability} capability (capabilities: [{capability}])")
            elif capability in FAULT_CAPABILITIES and not stoppable(service):
                reasons.append(f"nothing can stop {service} on this backend (an external target names the "
                               f"commands under faults.services.{service})")
            reasons += [f"the {capability} capability needs {field}, which the target does not state"
                        for field in CAPABILITY_FIELDS.get(capability, ()) if capability in target.capabilities
                        and not _stated(_field(target, field))]
        elif not _stated(_field(target, need)) and PROVIDED_BY.get(need) not in target.capabilities:
            reasons.append(f"the target states no {STATES.get(need, need)}")
    return reasons


def validate(need: str) -> None:
    """Refuse a need that is neither a capability nor a Target field (or property), so a typo cannot skip a
    check; the fault capability must name its service; each side of an `a|b` need is one of those."""
    if EITHER in need:
        for alternative in need.split(EITHER):
            validate(alternative)
        return
    capability, _, service = need.partition(":")
    if capability in FAULT_CAPABILITIES and service:
        return
    if need in KNOWN_CAPABILITIES and need not in FAULT_CAPABILITIES:
        return
    model: object = Target
    for part in need.split("."):
        fields = getattr(model, "model_fields", None)
        if fields is not None and isinstance(getattr(model, part, None), property):
            return  # a derived value (Orchestration.oidc_grpc_endpoint), the last part of a need
        if fields is None or part not in fields:
            raise ValueError(f"need {need!r} is neither a capability nor a Target field")
        model = fields[part].annotation
        model = next((arg for arg in getattr(model, "__args__", ()) if hasattr(arg, "model_fields")), model)


def credential_references(target: Target) -> list[tuple[str, str, frozenset[str]]]:
    """Every environment variable the Target names for a credential: (its field, the variable, the
    scenarios that use it). Client credentials serve every scenario (tokens); Elasticsearch's password
    only the anonymous-access check, the Orchestration Cluster's users its auth, authz and tenancy checks; Vault's operator token the rotation checks and Vault's anonymous
    check, the AppRoles the worker checks."""
    every = frozenset(SCENARIOS)
    found = [(f"clients.{name}.{field}", env, every) for name, client in target.clients.items()
             for field, env in (("client_id_env", client.client_id_env), ("client_secret_env", client.client_secret_env))]
    if target.search is not None and target.search.password_env:
        found.append(("search.password_env", target.search.password_env, frozenset({"auth"})))
    if target.orchestration is not None:
        found += [(f"orchestration.users.{name}.password_env", user.password_env,
                   frozenset({"auth", "authz", "tenancy"}))
                  for name, user in target.orchestration.users.items()]
    if target.vault is not None:
        if target.vault.admin_token_env:
            found.append(("vault.admin_token_env", target.vault.admin_token_env, frozenset({"auth", "secrets"})))
        found += [(f"vault.approles.{name}.{field}", env, frozenset({"secrets"}))
                  for name, role in target.vault.approles.items()
                  for field, env in (("role_id_env", role.role_id_env), ("secret_id_env", role.secret_id_env))]
    return found


def missing_credentials(target: Target, environ: Mapping[str, str], scenarios: Iterable[str]) -> list[str]:
    """One line per credential variable the selected scenarios need and the environment lacks."""
    selected = set(scenarios)
    return [f"{field}: environment variable {env} is not set"
            for field, env, users in credential_references(target) if users & selected and not environ.get(env)]


# The Target sections a scenario's checks look at: a target with none of them gives the scenario nothing
# to test (every check would skip).
SCENARIO_SECTIONS: dict[str, tuple[str, ...]] = {
    "tls": ("gateway", "identity", "optimize", "operate", "search", "vault"),
    "auth": ("gateway", "identity", "optimize", "search", "vault", "orchestration"),
    "authz": ("orchestration",),
    "tenancy": ("gateway", "optimize", "orchestration"),
    "secrets": ("workers",),
    "headers": ("optimize",),
    "load": ("gateway",),
}


def untestable(target: Target, scenarios: Iterable[str]) -> str | None:
    """Why none of the scenarios can test this target (one line naming what each would need), or None."""
    selected = [name for name in SCENARIOS if name in set(scenarios)]
    if any(_field(target, section) not in (None, {}) for name in selected for section in SCENARIO_SECTIONS[name]):
        return None
    wanted = "; ".join(f"{name} needs one of {', '.join(SCENARIO_SECTIONS[name])}" for name in selected)
    return f"the target declares nothing the selected scenarios test ({wanted})"
