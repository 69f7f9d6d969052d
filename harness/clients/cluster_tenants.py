"""The Orchestration Cluster's tenant assignments (Camunda 8.8+) through its own REST API: the adapter behind
`assign_tenant` (harness.capabilities).

Tenants live in the cluster: `PUT /v2/tenants/{tenantId}/users/{username}` assigns a user,
`DELETE` on the same path unassigns it, and `/clients/{clientId}` does the same for an OIDC client (the
TenantController of the REST API v2; 204 on success, 404 for an unknown tenant). The caller is the Target's
admin login user (`orchestration.users.default`), who needs TENANT:UPDATE, as the admin role holds it. A
logged-in session sees a change once its memberships refresh (`orchestration.session_refresh_s`); calls with
credentials see it on their next request.
"""

from __future__ import annotations

import urllib.parse
from typing import Literal

from harness.clients.orchestration import OrchestrationRest
from harness.deployment import Stack
from harness.errors import UsageError

Member = Literal["users", "clients"]


def quoted(value: str) -> str:
    """One path segment of the API: ids may hold characters a URL path reserves."""
    return urllib.parse.quote(value, safe="")


class ClusterTenantAssignments:
    def __init__(self, stack: Stack) -> None:
        spec = stack.target.orchestration
        login = spec.basic_auth(stack.environ) if spec is not None else None
        if spec is None or login is None:
            raise UsageError("orchestration.users: the cluster's tenant assignments are made as its admin login user")
        self.login = (login[0], login[1].get_secret_value())
        self.rest = OrchestrationRest(str(spec.url), stack.verify)

    def set_assignment(self, kind: Member, member: str, tenant: str, assigned: bool) -> None:
        """Assign (or unassign) the user or client `member` to `tenant`; a no-op where it already is so (the
        engine rejects the repeat ALREADY_EXISTS, 409, or NOT_FOUND, 404: TenantAddEntityProcessor.java,
        TenantRemoveEntityProcessor.java)."""
        path = f"/tenants/{quoted(tenant)}/{kind}/{quoted(member)}"
        answer = self.rest.call("PUT" if assigned else "DELETE", path, basic=self.login)
        if not answer.ok and answer.status != (409 if assigned else 404):
            raise UsageError(f"orchestration.url: {'assigning' if assigned else 'unassigning'} {member!r} "
                             f"{'to' if assigned else 'from'} tenant {tenant!r} got HTTP {answer.status} "
                             f"{answer.title}: {answer.detail[:160]}")
