"""Tenants managed inside the cluster and `camunda.security.multi-tenancy.checks-enabled` (default `false`).

A principal belongs to a tenant directly (user or client) or through a mapping rule, group or role
(members.py; DefaultRoles.java puts the `admin`, `connectors`, `app-integrations` and `rpa` roles in
`<default>`). With checks on, a command must
name its tenant (400 INVALID_ARGUMENT "Expected to handle request Create Process Instance with multi-tenancy
enabled, but no tenant identifier was provided.", as the gateway-rest controller tests pin it; the request
names are the product's, "Deploy Resources", "Create Process Instance"), a command in a tenant the caller is not assigned to is FORBIDDEN and
reading another tenant's existing resource NOT_FOUND (AuthorizationCheckBehavior.java:
FORBIDDEN_FOR_TENANT_ERROR_MESSAGE for new resources, NOT_FOUND_FOR_TENANT_ERROR_MESSAGE for existing
ones: "Not found is the expected result when you try to access an object from a different tenant",
camunda/camunda#29250), and searches return the caller's tenants only. With checks off, only `<default>`
is accepted (bodies.tenant). Initial tenants come from `initialization.tenants[]` (tenantId, name, users,
clients, groups, roles: CAMUNDA_SECURITY_INITIALIZATION_TENANTS_0_TENANTID and so on).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from harness.reference.orchestration.authorizations import DEFAULT_ROLE_GRANTS, REJECTED, Forbidden, Invalid
from harness.reference.orchestration.bodies import tenant as tenant_when_checks_off
from harness.reference.orchestration.members import Identity, tenant
from harness.reference.orchestration.security import Principal
from harness.reference.zeebe.engine import DEFAULT_TENANT

MISSING_TENANT = ("Expected to handle request {request} with multi-tenancy enabled, but no tenant identifier was "
                  "provided.")
NOT_ASSIGNED = ("Expected to perform operation '{permission}' on resource '{resource}' for tenant '{tenant}', but "
                "user is not assigned to this tenant")
# The default roles DefaultRoles.java makes members of `<default>`.
DEFAULT_TENANT_ROLES = frozenset(DEFAULT_ROLE_GRANTS) - {"readonly-admin"}


class Tenancy:
    """The cluster's tenants and whether requests are checked against them."""

    def __init__(self, checks_enabled: bool, identities: Callable[[Principal], set[Identity]]) -> None:
        """`identities`: who a caller is in the cluster (Access.identities: itself, its groups, roles...)."""
        self.checks_enabled = checks_enabled
        self.identities = identities
        self.tenants = {DEFAULT_TENANT: tenant(DEFAULT_TENANT, "Default")}
        self.tenants[DEFAULT_TENANT].members["roles"].update(DEFAULT_TENANT_ROLES)

    @classmethod
    def from_config(cls, security: Mapping[str, Any], identities: Callable[[Principal], set[Identity]]) -> Tenancy:
        tenancy = cls(bool(security.get("multi-tenancy", {}).get("checks-enabled", False)), identities)
        for entry in security.get("initialization", {}).get("tenants", ()):
            held = tenancy.tenants.setdefault(entry["tenantId"], tenant(entry["tenantId"],
                                                                        entry.get("name", entry["tenantId"])))
            for kind in ("users", "clients", "groups", "roles"):
                held.members[kind].update(entry.get(kind, ()))
        return tenancy

    def member_of(self, caller: Principal) -> set[str]:
        if caller.memberships is not None:
            return set(caller.memberships.tenants)
        found = self.identities(caller)
        return {t.entity_id for t in self.tenants.values() if t.holds(found)}

    def visible(self, caller: Principal | None) -> set[str] | None:
        """The tenants whose data the caller reads; None for all (checks off, or an unprotected API)."""
        if not self.checks_enabled or caller is None:
            return None
        return self.member_of(caller)

    def for_jobs(self, values: object, caller: Principal | None) -> list[str]:
        """The tenants a job activation draws from. Checks off: only `<default>`. Checks on: the named ones
        (none is refused, as the gRPC gateway refuses an empty list; the SDK sends its CAMUNDA_TENANT_IDS), of
        which only those the caller is assigned to: the engine hands out no job of another tenant."""
        named = values if isinstance(values, list) else [] if values is None else [values]
        if not self.checks_enabled:
            for value in named:
                tenant_when_checks_off(value, "Activate Jobs")
            return [DEFAULT_TENANT]
        if not named:
            raise Invalid(MISSING_TENANT.format(request="Activate Jobs"))
        tenant_ids = [str(value) for value in named]
        if caller is None:
            return tenant_ids
        assigned = self.member_of(caller)
        return [tenant_id for tenant_id in tenant_ids if tenant_id in assigned]

    def for_command(self, value: object, request: str, caller: Principal | None, intent: str, resource: str,
                    permission: str) -> str:
        """The tenant a command runs in: refused when missing (checks on) or not the caller's (FORBIDDEN)."""
        if not self.checks_enabled:
            return tenant_when_checks_off(value, request)
        if value in (None, ""):
            raise Invalid(MISSING_TENANT.format(request=request))
        tenant_id = str(value)
        if caller is not None and tenant_id not in self.member_of(caller):
            reason = NOT_ASSIGNED.format(permission=permission, resource=resource, tenant=tenant_id)
            raise Forbidden(REJECTED.format(intent=intent, reason=reason))
        return tenant_id

