"""Groups, roles, tenants and mapping rules over REST API v2, one shape for all four: `POST /v2/<path>`,
`POST /v2/<path>/search`, `GET|DELETE /v2/<path>/{id}`, and for the three that have members `PUT|DELETE
/v2/<path>/{id}/<kind>/{memberId}` (the member kinds each takes, as camunda-orchestration-sdk 10's paths
list them). Each needs its resource type's CREATE, READ, DELETE or UPDATE; a search returns everything to
a caller who may READ the type and nothing to one who may not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from harness.reference.orchestration.authorizations import Access
from harness.reference.orchestration.bodies import json_body, required
from harness.reference.orchestration.members import Group, MappingRule, group, role, tenant
from harness.reference.orchestration.searches import filtered, page
from harness.reference.orchestration.security import Handler, Principal
from harness.reference.zeebe.engine import already_exists, not_found

# The engine's EntityType of each member path, lower-cased as its rejections name it.
MEMBER_NOUNS = {"users": "user", "clients": "client", "groups": "group", "roles": "role", "mapping-rules": "mapping_rule"}


class Entity(Protocol):
    entity_id: str

    def json(self) -> dict[str, Any]: ...


class EntityApi:
    def __init__(self, access: Access, resource: str, path: str, store: dict[str, Any],
                 create: Callable[[dict[str, Any]], Entity], member_kinds: tuple[str, ...] = (),
                 rejects_repeats: bool = False) -> None:
        """`rejects_repeats`: creating an existing entity or assigning a member twice is 409, unassigning one
        not assigned 404, as the tenant processors do (read for tenants only; groups and roles take repeats
        here)."""
        self.access, self.resource, self.path, self.store = access, resource, path, store
        self.create_from, self.member_kinds, self.rejects_repeats = create, member_kinds, rejects_repeats
        self.noun = resource.lower().replace("_", " ")

    def routes(self) -> list[tuple[str, str, Handler]]:
        base = f"/v2/{self.path}"
        return [(base, "POST", self.create), (f"{base}/search", "POST", self.search),
                (f"{base}/{{entity}}", "GET", self.get), (f"{base}/{{entity}}", "DELETE", self.delete),
                *[(f"{base}/{{entity}}/{kind}/{{member}}", method, self.member)
                  for kind in self.member_kinds for method in ("PUT", "DELETE")]]

    def _existing(self, request: Request, intent: str) -> Any:
        entity_id = request.path_params["entity"]
        found = self.store.get(entity_id)
        if found is None:
            raise not_found(intent, f"Expected to update {self.noun} with ID '{entity_id}', but a {self.noun} with "
                                    "this ID does not exist.")
        return found

    async def create(self, request: Request, caller: Principal | None) -> Response:
        self.access.require(caller, "CREATE", self.resource, "CREATE")
        created = self.create_from(await json_body(request))
        if self.rejects_repeats and created.entity_id in self.store:
            # TenantCreateProcessor.java's TENANT_ALREADY_EXISTS_ERROR_MESSAGE (it ends without a period).
            raise already_exists("CREATE", f"Expected to create {self.noun} with ID '{created.entity_id}', but a "
                                           f"{self.noun} with this ID already exists")
        return JSONResponse(self.store.setdefault(created.entity_id, created).json(), status_code=201)

    async def search(self, request: Request, caller: Principal | None) -> Response:
        body = await json_body(request)
        found = self.store.values() if self.access.allows(caller, self.resource, "READ") else ()
        return page(filtered([entity.json() for entity in found], body))

    async def get(self, request: Request, caller: Principal | None) -> Response:
        found = self._existing(request, "GET")
        self.access.require_read(caller, self.resource, "READ", found.entity_id)
        return JSONResponse(found.json())

    async def delete(self, request: Request, caller: Principal | None) -> Response:
        self.access.require(caller, "DELETE", self.resource, "DELETE")
        del self.store[self._existing(request, "DELETE").entity_id]
        return Response(status_code=204)

    async def member(self, request: Request, caller: Principal | None) -> Response:
        """PUT assigns the path's member, DELETE unassigns it."""
        intent = "ADD_ENTITY" if request.method == "PUT" else "REMOVE_ENTITY"
        self.access.require(caller, intent, self.resource, "UPDATE")
        found: Group = self._existing(request, intent)
        kind = request.url.path.rsplit("/", 2)[-2]
        members, member = found.members[kind], request.path_params["member"]
        if self.rejects_repeats:
            self._reject_repeat(intent, found.entity_id, MEMBER_NOUNS[kind], member, member in members)
        if request.method == "PUT":
            members.add(member)
        else:
            members.discard(member)
        return Response(status_code=204)

    def _reject_repeat(self, intent: str, entity_id: str, noun: str, member: str, assigned: bool) -> None:
        """TenantAddEntityProcessor.java rejects an assigned member ALREADY_EXISTS, TenantRemoveEntityProcessor
        .java an unassigned one NOT_FOUND (camunda/camunda zeebe/engine/.../processing/tenant/; the REST
        API answers 409 and 404, RestErrorMapper.java). Any username or client id may be assigned."""
        if intent == "ADD_ENTITY" and assigned:
            raise already_exists(intent, f"Expected to add {noun} with ID '{member}' to {self.noun} with ID "
                                         f"'{entity_id}', but the {noun} is already assigned to the {self.noun}.")
        if intent == "REMOVE_ENTITY" and not assigned:
            raise not_found(intent, f"Expected to remove {noun} with ID '{member}' from {self.noun} with ID "
                                    f"'{entity_id}', but the {noun} is not assigned to this {self.noun}.")


def _named(make: Callable[[str, str], Group], id_field: str) -> Callable[[dict[str, Any]], Group]:
    return lambda body: make(*required(body, id_field, "name"))


def _mapping_rule(body: dict[str, Any]) -> MappingRule:
    return MappingRule(*required(body, "mappingRuleId", "name", "claimName", "claimValue"))


def entity_apis(access: Access, tenants: dict[str, Group]) -> list[EntityApi]:
    return [EntityApi(access, "GROUP", "groups", access.groups, _named(group, "groupId"),
                      ("users", "clients", "mapping-rules")),
            EntityApi(access, "ROLE", "roles", access.roles, _named(role, "roleId"),
                      ("users", "clients", "groups", "mapping-rules")),
            EntityApi(access, "TENANT", "tenants", tenants, _named(tenant, "tenantId"),
                      ("users", "clients", "groups", "roles", "mapping-rules"), rejects_repeats=True),
            EntityApi(access, "MAPPING_RULE", "mapping-rules", access.mapping_rules, _mapping_rule)]
