"""The worker's management endpoint, Spring Boot actuator style: `/actuator/health` only.

The article closes every other actuator endpoint because `env` and `configprops` show the runtime's
configuration, Vault credentials included. Weakness `actuator_exposed` opens them, as
`management.endpoints.web.exposure.include=*` would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

EXPOSED_ENDPOINTS = ("env", "configprops", "beans", "loggers", "mappings", "threaddump")


def actuator_app(ready: Callable[[], bool], settings: dict[str, Any], exposed: bool) -> Starlette:
    async def health(request: Request) -> JSONResponse:
        up = ready()
        return JSONResponse({"status": "UP" if up else "DOWN"}, status_code=200 if up else 503)

    async def endpoint(request: Request) -> JSONResponse:
        name = request.path_params["name"]
        if name not in EXPOSED_ENDPOINTS:
            return JSONResponse({"error": "Not Found", "status": 404}, status_code=404)
        if name == "env":
            return JSONResponse({"propertySources": [{"name": "worker", "properties": settings}]})
        if name == "configprops":
            return JSONResponse({"contexts": {"worker": {"beans": {"worker": {"properties": settings}}}}})
        return JSONResponse({"name": name})

    async def links(request: Request) -> JSONResponse:
        names = ("health", *EXPOSED_ENDPOINTS) if exposed else ("health",)
        return JSONResponse({"_links": {name: {"href": f"/actuator/{name}"} for name in names}})

    routes = [Route("/actuator", links), Route("/actuator/health", health)]
    if exposed:
        routes.append(Route("/actuator/{name:str}", endpoint))
    return Starlette(routes=routes)
