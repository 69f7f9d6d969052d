"""Which tenants' data a caller sees, as Optimize 8.3+ decides (Optimize multi-tenancy guide):

- `multitenancy.enabled` false: `<default>` only, whatever Identity says;
- enabled: the tenants Identity grants the caller, cached for `caches.cloudTenantAuthorizations`;
- enabled but Identity unreachable (or not configured): no tenant authorizations, so no tenant's data.

None means "every tenant": only a weakness produces it (`optimize_tenant_leak`, `mt_disabled_leak`, the
shared `identity_down_fail_open`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from harness.reference.identity_client import IdentityUnavailable, TenantGrants
from harness.reference.profile import Profile
from harness.reference.zeebe.engine import DEFAULT_TENANT

Tenants = frozenset[str] | None


class TenantAuthorizer:
    def __init__(self, multitenancy_enabled: bool, grants: TenantGrants | None, profile: Profile) -> None:
        self.enabled, self.grants, self.profile = multitenancy_enabled, grants, profile

    async def tenants(self, client_id: str, token: str) -> Tenants:
        if not self.enabled:
            return None if self.profile.has("mt_disabled_leak") else frozenset({DEFAULT_TENANT})
        if self.profile.has("optimize_tenant_leak"):
            return None
        if self.grants is None:  # security.auth.ccsm.baseUrl not set: nothing can be authorized
            return frozenset()
        try:
            return await self.grants.for_token(client_id, token)
        except IdentityUnavailable:
            return frozenset()


def visible(tenants: Tenants, of_entity: Iterable[str]) -> list[str]:
    """The entity's tenants the caller may see (all of them when `tenants` is None)."""
    return [t for t in of_entity if tenants is None or t in tenants]


def may_see(tenants: Tenants, of_entity: Collection[str]) -> bool:
    """A report is the caller's when at least one of its tenants is (Optimize filters the rows further)."""
    return bool(visible(tenants, of_entity))
