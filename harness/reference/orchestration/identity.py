"""The cluster's Identity over REST API v2: authorizations and users here, groups, roles, tenants and
mapping rules in entities.py.

Routes (camunda-orchestration-sdk 10's paths): `POST /v2/authorizations`, `GET|DELETE
/v2/authorizations/{key}`, `POST /v2/authorizations/search`; `POST /v2/users`, `GET|DELETE
/v2/users/{username}`, `POST /v2/users/search`. Each command needs `<TYPE>:CREATE|UPDATE|DELETE` (docs:
access-control/authorizations.md, 8.8), a get `READ`, and a search returns what the caller may read (an
empty page, not an error, for a caller with no read grant). Owner and resource ids are not validated, as
the product does not validate them. A cluster with the oidc method has no users API: its users live in
the identity provider (UserController is `@ConditionalOnInternalUserManagement`, on when
`camunda.security.authentication.method` is not oidc), so those paths are unknown there (404).
"""

from __future__ import annotations

import grpc
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from harness.reference.orchestration.authorizations import Access, Authorization, validated
from harness.reference.orchestration.bodies import json_body, number, required
from harness.reference.orchestration.entities import entity_apis
from harness.reference.orchestration.searches import filtered, page
from harness.reference.orchestration.security import Handler, Principal, User
from harness.reference.orchestration.tenants import Tenancy
from harness.reference.zeebe.engine import Rejection, not_found


class IdentityApi:
    def __init__(self, access: Access, tenancy: Tenancy, internal_users: bool = True) -> None:
        """`internal_users`: the cluster manages its own users (any method but oidc)."""
        self.access = access
        self.tenancy = tenancy
        self.internal_users = internal_users

    def routes(self) -> list[tuple[str, str, Handler]]:
        users = [("/v2/users", "POST", self.create_user), ("/v2/users/search", "POST", self.search_users),
                 ("/v2/users/{username}", "GET", self.get_user), ("/v2/users/{username}", "DELETE", self.delete_user)]
        return [("/v2/authorizations", "POST", self.create_authorization),
                ("/v2/authorizations/search", "POST", self.search_authorizations),
                ("/v2/authorizations/{key}", "GET", self.get_authorization),
                ("/v2/authorizations/{key}", "DELETE", self.delete_authorization),
                *(users if self.internal_users else []),
                *(route for api in entity_apis(self.access, self.tenancy.tenants) for route in api.routes())]

    def _authorization(self, request: Request, command: str) -> Authorization:
        key = number(request.path_params["key"], "authorizationKey")
        found = self.access.grants.get(key)
        if found is None:
            raise not_found(command, f"Expected to {command.lower()} authorization with key '{key}', but an "
                                     "authorization with this key does not exist")
        return found

    async def create_authorization(self, request: Request, caller: Principal | None) -> Response:
        self.access.require(caller, "CREATE", "AUTHORIZATION", "CREATE")
        body = await json_body(request)
        owner_id, resource_id = required(body, "ownerId", "resourceId")
        resource_type, permissions, owner_type = validated(body.get("resourceType"), body.get("permissionTypes"),
                                                           body.get("ownerType"))
        created = self.access.grant(owner_type, owner_id, resource_type, resource_id, permissions)
        return JSONResponse({"authorizationKey": str(created.key)}, status_code=201)

    async def search_authorizations(self, request: Request, caller: Principal | None) -> Response:
        body = await json_body(request)
        items = [g.json() for g in self.access.grants.values()] if self.access.allows(caller, "AUTHORIZATION", "READ") else []
        return page(filtered(items, body))

    async def get_authorization(self, request: Request, caller: Principal | None) -> Response:
        found = self._authorization(request, "GET")
        self.access.require_read(caller, "AUTHORIZATION", "READ", str(found.key))
        return JSONResponse(found.json())

    async def delete_authorization(self, request: Request, caller: Principal | None) -> Response:
        self.access.require(caller, "DELETE", "AUTHORIZATION", "DELETE")
        del self.access.grants[self._authorization(request, "DELETE").key]
        return Response(status_code=204)

    async def create_user(self, request: Request, caller: Principal | None) -> Response:
        self.access.require(caller, "CREATE", "USER", "CREATE")
        body = await json_body(request)
        username, password = required(body, "username", "password")
        if username in self.access.directory.users:
            raise Rejection(grpc.StatusCode.ALREADY_EXISTS, f"Command 'CREATE' rejected with code 'ALREADY_EXISTS': "
                            f"Expected to create user with username '{username}', but a user with this username "
                            "already exists")
        user = User.create(username, password, str(body.get("name") or ""), str(body.get("email") or ""))
        self.access.directory.users[username] = user
        return JSONResponse(_user_json(user), status_code=201)

    def _user(self, request: Request, command: str) -> User:
        username = request.path_params["username"]
        user = self.access.directory.users.get(username)
        if user is None:
            raise not_found(command, f"Expected to {command.lower()} user with username '{username}', but a user "
                                     "with this username does not exist")
        return user

    async def search_users(self, request: Request, caller: Principal | None) -> Response:
        body = await json_body(request)
        users = self.access.directory.users.values() if self.access.allows(caller, "USER", "READ") else ()
        return page(filtered([_user_json(u) for u in users], body))

    async def get_user(self, request: Request, caller: Principal | None) -> Response:
        user = self._user(request, "GET")
        self.access.require_read(caller, "USER", "READ", user.username)
        return JSONResponse(_user_json(user))

    async def delete_user(self, request: Request, caller: Principal | None) -> Response:
        self.access.require(caller, "DELETE", "USER", "DELETE")
        user = self._user(request, "DELETE")
        del self.access.directory.users[user.username]
        self.access.directory.admins.discard(user.username)
        return Response(status_code=204)



def _user_json(user: User) -> dict[str, object]:
    return {"username": user.username, "name": user.name, "email": user.email}
