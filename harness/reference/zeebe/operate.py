"""Operate's incident and variable search (`POST /v1/incidents/search`, `POST /v1/variables/search`), served
next to the gateway emulator.

Same bearer rules as Operate's public API: a valid Identity token for the Operate audience, and with
multi-tenancy only the incidents of the caller's tenants. Shapes follow Operate's v1 API; every response
carries Spring Security's default headers, as Operate's do. The weakness `route_partially_guarded` leaves
the variable search out of the token check (a security matcher that lists paths and missed one).
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from harness.reference.rest_headers import HTTP_METHODS, SPRING_SECURITY_DEFAULTS, StaticHeaders
from harness.reference.zeebe.auth import Authenticator
from harness.reference.zeebe.engine import Engine, Incident, Instance, Rejection
from harness.reference.zeebe.tenancy import Caller

DEFAULT_SIZE = 10
FILTERABLE = ("key", "processDefinitionKey", "processInstanceKey", "type", "state", "jobKey", "tenantId", "name",
              "scopeKey")


def _operate_time(epoch_ms: int) -> str:
    moment = datetime.datetime.fromtimestamp(epoch_ms / 1000, tz=datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}+0000"


def incident_json(incident: Incident) -> dict[str, Any]:
    instance = incident.job.instance
    return {"key": incident.key, "processDefinitionKey": instance.definition.key, "processInstanceKey": instance.key,
            "type": incident.error_type, "message": incident.message, "creationTime": _operate_time(incident.created_ms),
            "state": incident.state, "jobKey": incident.job.key, "tenantId": instance.tenant_id}


def variables_json(instance: Instance) -> list[dict[str, Any]]:
    """The instance's process-scope variables as Operate's v1 API lists them (value as JSON text)."""
    return [{"key": instance.key * 1000 + index, "processInstanceKey": instance.key, "scopeKey": instance.key,
             "name": name, "value": json.dumps(value), "truncated": False, "tenantId": instance.tenant_id}
            for index, (name, value) in enumerate(sorted(instance.variables.items()))]


def _error(status: int, kind: str, message: str) -> JSONResponse:
    return JSONResponse({"status": status, "message": message, "instance": "", "type": kind}, status_code=status)


def operate_app(engine: Engine, auth: Authenticator, audience: str) -> StaticHeaders:
    unguarded = {"variables"} if auth.profile.has("route_partially_guarded") else set()

    async def search(request: Request, kind: str) -> JSONResponse:
        try:
            caller = (Caller(True, None) if kind in unguarded
                      else await auth.caller(request.headers.get("authorization"), audience))
        except Rejection as rejection:
            return _error(401, "Unauthorized", rejection.message)
        try:
            body = await request.json() if await request.body() else {}
            wanted = {k: v for k, v in (body.get("filter") or {}).items() if k in FILTERABLE}
            size = int(body.get("size", DEFAULT_SIZE))
        except (ValueError, AttributeError, TypeError):
            return _error(400, "Invalid request", "Error in reading request body")
        if kind == "incidents":
            items = [incident_json(i) for i in sorted(engine.visible_incidents(caller.tenants), key=lambda i: i.key)]
        else:
            items = [variable for instance in engine.visible_instances(caller.tenants)
                     for variable in variables_json(instance)]
        items = [item for item in items if all(item.get(k) == v for k, v in wanted.items())]
        page = items[:max(size, 0)]
        return JSONResponse({"items": page, "sortValues": [page[-1]["key"]] if page else [], "total": len(items)})

    async def incidents(request: Request) -> JSONResponse:
        return await search(request, "incidents")

    async def variables(request: Request) -> JSONResponse:
        return await search(request, "variables")

    async def unserved(request: Request) -> JSONResponse:
        """Any other path under /v1/: Operate's Spring Security chain authenticates its API paths before
        the dispatcher resolves a controller, so a route this emulator lacks is 401 without a valid token
        and 404 with one (Operate's webapp security config puts `/v1/**` behind authentication;
        unconfirmed in source)."""
        try:
            await auth.caller(request.headers.get("authorization"), audience)
        except Rejection as rejection:
            return _error(401, "Unauthorized", rejection.message)
        return _error(404, "Not Found", f"No endpoint {request.method} {request.url.path}.")

    return StaticHeaders(Starlette(routes=[Route("/v1/incidents/search", incidents, methods=["POST"]),
                                           Route("/v1/variables/search", variables, methods=["POST"]),
                                           Route("/v1/{path:path}", unserved, methods=HTTP_METHODS)]),
                         SPRING_SECURITY_DEFAULTS)
