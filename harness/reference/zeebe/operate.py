"""Operate's incident search (`POST /v1/incidents/search`), served next to the gateway emulator.

Same bearer rules as Operate's public API: a valid Identity token for the Operate audience, and with
multi-tenancy only the incidents of the caller's tenants. Shapes follow Operate's v1 API.
"""

from __future__ import annotations

import datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from harness.reference.zeebe.auth import Authenticator
from harness.reference.zeebe.engine import Engine, Incident, Rejection

DEFAULT_SIZE = 10
FILTERABLE = ("key", "processDefinitionKey", "processInstanceKey", "type", "state", "jobKey", "tenantId")


def _operate_time(epoch_ms: int) -> str:
    moment = datetime.datetime.fromtimestamp(epoch_ms / 1000, tz=datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}+0000"


def incident_json(incident: Incident) -> dict[str, Any]:
    instance = incident.job.instance
    return {"key": incident.key, "processDefinitionKey": instance.definition.key, "processInstanceKey": instance.key,
            "type": incident.error_type, "message": incident.message, "creationTime": _operate_time(incident.created_ms),
            "state": incident.state, "jobKey": incident.job.key, "tenantId": instance.tenant_id}


def _error(status: int, kind: str, message: str) -> JSONResponse:
    return JSONResponse({"status": status, "message": message, "instance": "", "type": kind}, status_code=status)


def operate_app(engine: Engine, auth: Authenticator, audience: str) -> Starlette:
    async def search(request: Request) -> JSONResponse:
        try:
            caller = await auth.caller(request.headers.get("authorization"), audience)
        except Rejection as rejection:
            return _error(401, "Unauthorized", rejection.message)
        try:
            body = await request.json() if await request.body() else {}
            wanted = {k: v for k, v in (body.get("filter") or {}).items() if k in FILTERABLE}
            size = int(body.get("size", DEFAULT_SIZE))
        except (ValueError, AttributeError, TypeError):
            return _error(400, "Invalid request", "Error in reading request body")
        items = [incident_json(i) for i in sorted(engine.visible_incidents(caller.tenants), key=lambda i: i.key)]
        items = [item for item in items if all(item[k] == v for k, v in wanted.items())]
        page = items[:max(size, 0)]
        return JSONResponse({"items": page, "sortValues": [page[-1]["key"]] if page else [], "total": len(items)})

    return Starlette(routes=[Route("/v1/incidents/search", search, methods=["POST"])])
