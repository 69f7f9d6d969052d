"""The Orchestration Cluster REST API v2 over the gateway emulator's engine.

Served: topology, the caller (`authentication/me`), deployments (multipart), process instances (create,
search, get), jobs (activate, complete, fail: jobs.py), process definitions, variables and incidents
searches and message publication (reads.py), user tasks search and completion (user_tasks.py), the license, the cluster status, the initial admin
setup, and Identity's authorizations, users, groups, roles, tenants and mapping rules (identity.py,
entities.py). Shapes follow the API as
camunda-orchestration-sdk 10 reads it (string keys, required fields present, `null` where the product
has nothing); errors are problem details (problems.py). Commands are checked against the caller's
authorizations (authorizations.py) and, with multi-tenancy checks on, its tenants (tenants.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from harness.reference.orchestration import multipart
from harness.reference.orchestration.authorizations import Access, Forbidden
from harness.reference.orchestration.bodies import BadRequest, document, json_body, number
from harness.reference.orchestration.identity import IdentityApi
from harness.reference.orchestration.jobs import JobsApi
from harness.reference.orchestration.problems import problem
from harness.reference.orchestration.reads import ReadsApi
from harness.reference.orchestration.searches import iso_time, page
from harness.reference.orchestration.security import Handler, Principal, Security, Unauthenticated, User
from harness.reference.orchestration.tenants import Tenancy
from harness.reference.orchestration.user_tasks import UserTasksApi
from harness.reference.orchestration.web import Web
from harness.reference.zeebe.engine import Definition, Engine, Instance, Rejection

VERSION = "8.10.0"
# SetupController.java (camunda/camunda, zeebe/gateway-rest): the two refusals, both FORBIDDEN.
WRONG_METHOD = "The initial admin user can only be created with basic authentication."
ADMIN_EXISTS = ("Expected to create an initial admin user, but found existing admin users. Please ask your admin "
                "to create a new user with the 'admin' role.")
# What the catch-all route takes: every method, so its "No endpoint <method> <path>." (Spring's
# NoHandlerFoundException detail) answers them all, where a Starlette route left to its default answered
# 405 to all but GET. ASSUMED, not read in the product: Spring's static resource handler, where the
# cluster keeps it on /**, could answer 405 to a POST instead.
ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
# An engine rejection's gRPC code -> the REST status name and HTTP status.
REJECTIONS = {"INVALID_ARGUMENT": ("INVALID_ARGUMENT", 400), "NOT_FOUND": ("NOT_FOUND", 404),
              "FAILED_PRECONDITION": ("INVALID_STATE", 409), "ALREADY_EXISTS": ("ALREADY_EXISTS", 409)}

class OrchestrationApi:
    def __init__(self, engine: Engine, security: Security, address: tuple[str, int], access: Access | None = None,
                 tenancy: Tenancy | None = None, web: Web | None = None) -> None:
        """Without `access` and `tenancy`, the product's defaults: authorizations on, tenant checks off."""
        self.engine = engine
        self.security = security
        self.access = access or Access(True, security.directory)
        self.tenancy = tenancy or Tenancy(False, self.access.identities)
        self.address = address
        self.web = web
        self.started_ms: dict[int, int] = {}

    def app(self) -> Starlette:
        routes = [("/v2/topology", "GET", self.topology), ("/v2/authentication/me", "GET", self.me),
                  ("/v2/deployments", "POST", self.deploy), ("/v2/process-instances", "POST", self.create_instance),
                  ("/v2/process-instances/search", "POST", self.search_instances),
                  ("/v2/process-instances/{key}", "GET", self.get_instance),
                  *IdentityApi(self.access, self.tenancy, self.security.method != "oidc").routes(),
                  ("/v2/license", "GET", self.license), ("/v2/status", "GET", self.status),
                  ("/v2/setup/user", "POST", self.setup_user), *JobsApi(self.engine, self.tenancy, self.access).routes(),
                  *ReadsApi(self.engine, self.access, self.tenancy).routes(),
                  *UserTasksApi(self.engine, self.access, self.tenancy).routes(),
                  ("/v2/{rest:path}", None, self.unknown)]
        return Starlette(routes=[Route(path, self._guarded(handler), methods=[method] if method else ANY_METHOD)
                                 for path, method, handler in routes])

    def _guarded(self, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        """The security chain before the controller: a credential is checked on every API path (a bad one
        is 401 even where no authentication is needed), and protected paths need an authenticated caller."""
        async def endpoint(request: Request) -> Response:
            try:
                caller = await self.security.authenticate(request.headers.get("authorization"))
            except Unauthenticated as exc:
                return self.security.refusal(request, exc)
            if self.web is not None:  # a webapp session grants the API too, behind the CSRF rule
                caller = caller or self.web.caller(request)
                if (csrf := self.web.csrf_refusal(request)) is not None:
                    return csrf
            if caller is None and self.security.needs_authentication(request.url.path):
                return self.security.refusal(request, None)
            try:
                return await handler(request, caller)
            except BadRequest as exc:
                return problem(request, 400, str(exc), title="INVALID_ARGUMENT")
            except Forbidden as exc:
                return problem(request, 403, str(exc), title="FORBIDDEN")
            except Rejection as rejection:
                title, status = REJECTIONS.get(rejection.code.name, ("INTERNAL", 500))
                return problem(request, status, rejection.message, title=title)
        return endpoint

    async def unknown(self, request: Request, caller: Principal | None) -> Response:
        return problem(request, 404, f"No endpoint {request.method} {request.url.path}.", title="NOT_FOUND")

    async def topology(self, request: Request, caller: Principal | None) -> Response:
        host, port = self.address
        partition = {"partitionId": 1, "role": "leader", "health": "healthy", "state": "active"}
        broker = {"nodeId": 0, "brokerId": 0, "host": host, "port": port, "partitions": [partition],
                  "version": VERSION}
        return JSONResponse({"brokers": [broker], "clusterId": None, "clusterSize": 1, "partitionsCount": 1,
                             "replicationFactor": 1, "gatewayVersion": VERSION, "lastCompletedChangeId": "-1"})

    async def me(self, request: Request, caller: Principal | None) -> Response:
        if caller is None:  # the API is unprotected: nobody is authenticated (camunda/camunda#63472: empty 401)
            return Response(status_code=401)
        user = self.security.directory.users.get(caller.name) if caller.kind == "user" else None
        return JSONResponse({"username": caller.name, "displayName": user.name if user else caller.name,
                             "email": user.email if user else "", "authorizedComponents": ["*"],
                             "tenants": [self.tenancy.tenants[t].json() for t in sorted(self.tenancy.member_of(caller))
                                         if t in self.tenancy.tenants],
                             "groups": [], "roles": self.access.roles_of(caller),
                             "salesPlanType": None, "c8Links": {}, "canLogout": caller.kind == "user"})

    async def license(self, request: Request, caller: Principal | None) -> Response:
        return JSONResponse({"validLicense": False, "licenseType": "unknown", "isCommercial": False,
                             "expiresAt": None})

    async def status(self, request: Request, caller: Principal | None) -> Response:
        return Response(status_code=204)  # StatusController.java: 204 when healthy, 503 otherwise

    async def deploy(self, request: Request, caller: Principal | None) -> Response:
        try:
            parts = multipart.parse(request.headers.get("content-type", ""), await request.body())
        except multipart.MultipartError as exc:
            raise BadRequest(str(exc)) from None
        self.access.require(caller, "CREATE", "RESOURCE", "CREATE")
        tenant_id = self.tenancy.for_command(
            next((p.content.decode(errors="replace") for p in parts if p.name == "tenantId"), None),
            "Deploy Resources", caller, "CREATE", "RESOURCE", "CREATE")
        resources = [(p.filename or "resource", p.content) for p in parts if p.name == "resources"]
        if not resources:
            raise BadRequest("No resources given.")
        definitions = self.engine.deploy(resources, tenant_id)
        return JSONResponse({"deploymentKey": str(self.engine.next_key()), "tenantId": tenant_id,
                             "deployments": [{"processDefinition": _definition_json(d)} for d in definitions]})

    async def create_instance(self, request: Request, caller: Principal | None) -> Response:
        body = await json_body(request)
        tenant_id = self.tenancy.for_command(body.get("tenantId"), "Create Process Instance", caller, "CREATE",
                                             "PROCESS_DEFINITION", "CREATE_PROCESS_INSTANCE")
        variables = document(body.get("variables"), "variables")
        key = number(body.get("processDefinitionKey") or 0, "processDefinitionKey")
        process_id = str(body.get("processDefinitionId") or "")
        if not key and not process_id:
            raise BadRequest("At least one of [processDefinitionId, processDefinitionKey] is required")
        version = number(body.get("processDefinitionVersion") or -1, "processDefinitionVersion")
        definition = self.engine.find_definition(key, process_id, version, tenant_id, self.tenancy.visible(caller))
        self.access.require(caller, "CREATE", "PROCESS_DEFINITION", "CREATE_PROCESS_INSTANCE",
                            definition.process.bpmn_process_id)
        instance = self.engine.create_instance(definition, variables)
        self.started_ms[instance.key] = int(datetime.datetime.now(datetime.UTC).timestamp() * 1000)
        return JSONResponse({**_definition_ref(definition), "tenantId": instance.tenant_id,
                             "variables": {}, "processInstanceKey": str(instance.key), "tags": [],
                             "businessId": None})

    async def search_instances(self, request: Request, caller: Principal | None) -> Response:
        body = await json_body(request)
        wanted = body.get("filter") or {}
        if not isinstance(wanted, dict):
            raise BadRequest("Request property [filter] must be an object")
        paging = body.get("page") or {}
        limit = number(paging.get("limit", 100) if isinstance(paging, dict) else paging, "page.limit")
        readable = [i for i in self.engine.visible_instances(self.tenancy.visible(caller)) if self.access.allows(
            caller, "PROCESS_DEFINITION", "READ_PROCESS_INSTANCE", i.definition.process.bpmn_process_id)]
        items = [self._instance_json(i) for i in sorted(readable, key=lambda i: i.key)]
        matching = [item for item in items if all(item.get(k) == v for k, v in wanted.items())]
        return page(matching[:max(limit, 0)], len(matching))

    async def get_instance(self, request: Request, caller: Principal | None) -> Response:
        """Another tenant's instance is not found; one the caller may not read is FORBIDDEN (ErrorMapper's
        read refusal on secondary storage)."""
        key = number(request.path_params["key"], "processInstanceKey")
        instance = self.engine.instances.get(key)
        visible = self.tenancy.visible(caller)
        if instance is None or (visible is not None and instance.tenant_id not in visible):
            return problem(request, 404, f"Process Instance with key '{key}' not found", title="NOT_FOUND")
        self.access.require_read(caller, "PROCESS_DEFINITION", "READ_PROCESS_INSTANCE",
                                 instance.definition.process.bpmn_process_id)
        return JSONResponse(self._instance_json(instance))

    def _instance_json(self, instance: Instance) -> dict[str, Any]:
        has_incident = any(i.state == "ACTIVE" for i in self.engine.visible_incidents(None)
                           if i.job.instance is instance)
        return {**_definition_ref(instance.definition), "processDefinitionName": None,
                "processDefinitionVersionTag": None, "startDate": iso_time(self.started_ms.get(instance.key, 0)),
                "endDate": None, "state": instance.state, "suspendedDate": None, "hasIncident": has_incident,
                "tenantId": instance.tenant_id, "processInstanceKey": str(instance.key),
                "parentProcessInstanceKey": None, "parentElementInstanceKey": None,
                "rootProcessInstanceKey": str(instance.key), "tags": [], "businessId": None}

    async def setup_user(self, request: Request, caller: Principal | None) -> Response:
        """SetupController.java: refused for any method but basic, then refused while a user holds the admin
        role - both before the body is read, so a refusal never depends on what was sent."""
        if self.security.method != "basic":
            return problem(request, 403, WRONG_METHOD, title="FORBIDDEN")
        if self.security.directory.admins:
            return problem(request, 403, ADMIN_EXISTS, title="FORBIDDEN")
        body = await json_body(request)
        missing = [field for field in ("username", "password") if not body.get(field)]
        if missing:
            raise BadRequest(" ".join(f"No {field} provided." for field in missing))
        created = User.create(str(body["username"]), str(body["password"]), str(body.get("name") or ""),
                              str(body.get("email") or ""))
        self.security.directory.add_admin(created)
        return JSONResponse({"username": created.username, "name": created.name, "email": created.email},
                            status_code=201)


def _definition_ref(definition: Definition) -> dict[str, Any]:
    return {"processDefinitionId": definition.process.bpmn_process_id,
            "processDefinitionVersion": definition.version, "processDefinitionKey": str(definition.key)}


def _definition_json(definition: Definition) -> dict[str, Any]:
    return {**_definition_ref(definition), "resourceName": definition.resource_name, "tenantId": definition.tenant_id}
