"""The part of Keycloak's admin REST API (`/admin/realms/{realm}/...`) the harness and its checks use.

- `GET clients`: the ClientRepresentation list (never with secrets).
- `GET|POST components`, `GET|PUT|DELETE components/{id}`: key provider components (keycloak/keycloak
  services/.../resources/admin/ComponentResource.java). POST answers 201 with the new component's URL in
  `Location`, PUT and DELETE 204, an unknown id 404.
- `GET keys`: KeysMetadataRepresentation, every key with its provider (component) id, priority, `kid` and
  status, and the `kid` of the active signing key per algorithm.

Every route needs the admin client's bearer token (401 without a valid token, 403 without the role).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from harness.reference.identity.keys import KEY_PROVIDER, InvalidComponent
from harness.reference.rest_headers import HTTP_METHODS

if TYPE_CHECKING:
    from harness.reference.identity.app import IdentityApp

Handler = Callable[[Request], Awaitable[Response]]
NOT_FOUND = {"error": "Could not find component"}


def _config(body: dict[str, Any]) -> dict[str, list[str]]:
    """A component's config: Keycloak's MultivaluedHashMap, each value a list of strings."""
    config = body.get("config") or {}
    if not isinstance(config, dict) or not all(isinstance(v, list) for v in config.values()):
        raise InvalidComponent("config: expected an object of string lists")
    return {str(k): [str(item) for item in v] for k, v in config.items()}


class KeycloakAdminApi:
    def __init__(self, identity: IdentityApp) -> None:
        self.identity = identity

    def routes(self, base: str) -> list[Route]:
        return [
            Route(f"{base}/clients", self._admin(self.list_clients)),
            Route(f"{base}/components", self._admin(self.list_components)),
            Route(f"{base}/components", self._admin(self.create_component), methods=["POST"]),
            Route(f"{base}/components/{{component_id}}", self._admin(self.component),
                  methods=["GET", "PUT", "DELETE"]),
            Route(f"{base}/keys", self._admin(self.keys)),
            # Keycloak's AdminRoot authenticates the caller before it resolves the resource, so a resource this
            # emulator lacks is 401 without a valid token, 403 without the admin role, and 404 for an admin
            # (keycloak/keycloak services/.../resources/admin/AdminRoot.java).
            Route(f"{base}/{{path:path}}", self._admin(self.unserved), methods=HTTP_METHODS),
        ]

    def _admin(self, handler: Handler) -> Handler:
        async def guarded(request: Request) -> Response:
            refused = self.identity.refuse_non_admin(request)
            return refused if refused is not None else await handler(request)
        return guarded

    async def unserved(self, request: Request) -> JSONResponse:
        return JSONResponse({"error": "HTTP 404 Not Found"}, status_code=404)

    async def list_clients(self, request: Request) -> JSONResponse:
        issuer = self.identity.issuer
        return JSONResponse([{"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{issuer}/{cid}")),
                              "clientId": cid, "enabled": True, "publicClient": False,
                              "serviceAccountsEnabled": True} for cid in sorted(self.identity.clients)])

    async def list_components(self, request: Request) -> JSONResponse:
        wanted = request.query_params.get("type")
        components = self.identity.keys.components.values() if wanted in (None, KEY_PROVIDER) else []
        return JSONResponse([c.representation(self.identity.issuer) for c in components])

    async def create_component(self, request: Request) -> Response:
        body = await request.json()
        if body.get("providerType") != KEY_PROVIDER:
            return JSONResponse({"error": "this Identity keeps key providers only"}, status_code=400)
        try:
            component = self.identity.keys.add(str(body.get("providerId")), str(body.get("name") or ""),
                                               _config(body))
        except InvalidComponent as error:
            return JSONResponse({"errorMessage": str(error)}, status_code=400)
        self.identity.save_state()
        return Response(status_code=201, headers={"Location": f"{request.url}/{component.id}"})

    async def component(self, request: Request) -> Response:
        component_id = request.path_params["component_id"]
        keys = self.identity.keys
        if component_id not in keys.components:
            return JSONResponse(NOT_FOUND, status_code=404)
        if request.method == "GET":
            return JSONResponse(keys.components[component_id].representation(self.identity.issuer))
        if request.method == "DELETE":
            keys.remove(component_id)
        else:
            try:
                keys.update(component_id, _config(await request.json()))
            except InvalidComponent as error:
                return JSONResponse({"errorMessage": str(error)}, status_code=400)
        self.identity.save_state()
        return Response(status_code=204)

    async def keys(self, request: Request) -> JSONResponse:
        return JSONResponse(self.identity.keys.metadata())
