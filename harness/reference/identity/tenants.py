"""Camunda Management Identity's API (8.3-8.7) as the harness uses it: tenants and the applications
assigned to them.

- `GET /api/tenants`: the tenants of the bearer token's caller, what Camunda's Identity SDK asks
  (`identity.tenants().forToken(token)`) and what Zeebe and Optimize cache per caller.
- `GET /api/applications`: the applications (Keycloak clients) Identity manages, with their ids.
- `GET|POST /api/tenants/{tenantId}/applications`, `DELETE /api/tenants/{tenantId}/applications/{id}`:
  the "Assigned applications" tab of a tenant in Identity's UI (POST body `{"applicationIds": [...]}`).

The assignment paths follow Identity's UI and API docs; Management Identity's source is not public, so
their exact shape is unconfirmed in source (see the README, "Against a real deployment"). They need the
admin client's bearer token, like the rest of Identity's management API. An unknown tenant is 404.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from harness.reference.identity.app import unauthorized

if TYPE_CHECKING:
    from harness.reference.identity.app import IdentityApp

DEFAULT_TENANT = "<default>"


class ManagementIdentityApi:
    def __init__(self, identity: IdentityApp) -> None:
        self.identity = identity

    def routes(self, base: str) -> list[Route]:
        return [
            Route(f"{base}/tenants", self.tenants_for_token),
            Route(f"{base}/applications", self.applications),
            Route(f"{base}/tenants/{{tenant_id}}/applications", self.assigned, methods=["GET", "POST"]),
            Route(f"{base}/tenants/{{tenant_id}}/applications/{{application_id}}", self.unassign,
                  methods=["DELETE"]),
        ]

    def application_id(self, client_id: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.identity.issuer}/application/{client_id}"))

    def _client_of(self, application_id: str) -> str | None:
        return next((cid for cid in self.identity.clients if self.application_id(cid) == application_id), None)

    def _tenants(self) -> set[str]:
        """The tenants Identity knows: every one some application was ever configured with, and `<default>`."""
        return {DEFAULT_TENANT}.union(*(client.tenants for client in self.identity.clients.values()))

    async def tenants_for_token(self, request: Request) -> JSONResponse:
        client = self.identity.bearer_client(request, None)
        if client is None:
            return unauthorized()
        grants = sorted(self.identity.grants.get(client.client_id, ()))
        return JSONResponse([{"tenantId": t, "name": t} for t in grants])

    async def applications(self, request: Request) -> Response:
        refused = self.identity.refuse_non_admin(request)
        if refused is not None:
            return refused
        return JSONResponse([{"id": self.application_id(cid), "name": cid, "clientId": cid, "type": "M2M"}
                             for cid in sorted(self.identity.clients)])

    async def assigned(self, request: Request) -> Response:
        refused = self.identity.refuse_non_admin(request)
        if refused is not None:
            return refused
        tenant = request.path_params["tenant_id"]
        if tenant not in self._tenants():
            return JSONResponse({"message": f"Tenant {tenant} not found"}, status_code=404)
        if request.method == "GET":
            return JSONResponse([{"id": self.application_id(cid), "name": cid, "clientId": cid}
                                 for cid, tenants in sorted(self.identity.grants.items()) if tenant in tenants])
        ids = (await request.json()).get("applicationIds")
        if not isinstance(ids, list) or not ids:
            return JSONResponse({"message": "applicationIds: expected a non-empty list"}, status_code=400)
        clients = [self._client_of(str(application_id)) for application_id in ids]
        if None in clients:
            return JSONResponse({"message": "Application not found"}, status_code=404)
        for client_id in clients:
            self.identity.grants.setdefault(str(client_id), set()).add(tenant)
        self.identity.save_state()
        return Response(status_code=204)

    async def unassign(self, request: Request) -> Response:
        refused = self.identity.refuse_non_admin(request)
        if refused is not None:
            return refused
        tenant, client_id = request.path_params["tenant_id"], self._client_of(request.path_params["application_id"])
        if tenant not in self._tenants() or client_id is None or tenant not in self.identity.grants.get(client_id, ()):
            return JSONResponse({"message": "Application is not assigned to the tenant"}, status_code=404)
        self.identity.grants[client_id].discard(tenant)
        self.identity.save_state()
        return Response(status_code=204)
