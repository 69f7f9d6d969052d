"""Camunda Management Identity's tenant API (8.3-8.7) as the Target's admin client: the adapter behind
`grant_tenant` (harness.capabilities).

A grant is an application (the Target client's Keycloak client) assigned to a tenant, as on a tenant's
"Assigned applications" tab in Identity: `POST /api/tenants/{tenantId}/applications` with
`{"applicationIds": [...]}` assigns, `DELETE /api/tenants/{tenantId}/applications/{applicationId}` removes.
The application id comes from `GET /api/applications`. The admin client needs Identity's own API
permissions (audience `camunda-identity-resource-server`, `write:*`). Zeebe and Optimize see a change
once their tenant caches expire (the target's `identity.tenant_grant_ttl_s`).
"""

from __future__ import annotations

import urllib.parse

from harness.clients.keycloak_admin import AdminSession
from harness.deployment import Stack
from harness.errors import UsageError


class IdentityTenantGrants:
    def __init__(self, stack: Stack) -> None:
        identity = stack.target.identity
        self.stack = stack
        self.session = AdminSession(stack, identity.management_url if identity else None, "management_url")

    def _application_id(self, client_id: str) -> str:
        for application in self.session.call("GET", "api/applications").json():
            if application.get("clientId") == client_id:
                return str(application["id"])
        raise UsageError(f"identity.management_url: Identity manages no application with client id {client_id!r}")

    def set_grant(self, client: str, tenant: str, granted: bool) -> None:
        """Grant (or revoke) `tenant` for the Target client named `client`; a no-op where it already is so."""
        application_id = self._application_id(self.stack.credentials(client).client_id)
        path = f"api/tenants/{urllib.parse.quote(tenant, safe='')}/applications"
        assigned = {str(app["id"]) for app in self.session.call("GET", path).json()}
        if granted and application_id not in assigned:
            self.session.call("POST", path, json={"applicationIds": [application_id]})
        elif not granted and application_id in assigned:
            self.session.call("DELETE", f"{path}/{urllib.parse.quote(application_id, safe='')}")
