"""Which tenants a logged-in user may see, as Optimize 8.3+ decides (Optimize multi-tenancy guide;
camunda/camunda `optimize/.../security/util/tenant/CamundaCCSMTenantAuthorizationService.java`):

- `multitenancy.enabled` false: `<default>` only, whatever Identity says;
- enabled: the tenants Identity grants the user's token, cached for `caches.cloudTenantAuthorizations`;
- enabled but Identity unreachable (or not configured): no tenant authorizations, so no tenant's data.

A report is the user's only when it may see *every* tenant of the report's definitions
(`ReportAuthorizationService` -> `CamundaCCSMDefinitionAuthorizationService.isAuthorizedToSeeAllTenants`).
These rules apply to the UI's session API only: the public API authorizes nobody (see api.py).

None means "every tenant": only a weakness produces it (`optimize_tenant_leak`, `mt_disabled_leak`, the
shared `identity_down_fail_open`).
"""

from __future__ import annotations

from collections.abc import Iterable

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


def may_see_all(tenants: Tenants, of_entity: Iterable[str]) -> bool:
    """Whether the user may see every tenant of the entity (always when `tenants` is None)."""
    return tenants is None or all(t in tenants for t in of_entity)
