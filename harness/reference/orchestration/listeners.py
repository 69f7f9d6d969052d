"""What one client-facing listener of the cluster serves, from its config (see __main__ for the keys)."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from harness.reference.orchestration.api import OrchestrationApi
from harness.reference.orchestration.authorizations import Access
from harness.reference.orchestration.management import Management
from harness.reference.orchestration.security import Security, SigningKeys
from harness.reference.orchestration.tenants import Tenancy
from harness.reference.orchestration.web import Web, security_headers
from harness.reference.rest_headers import HTTP_METHODS, StaticHeaders
from harness.reference.runtime import HOST
from harness.reference.zeebe.engine import Engine


def https_redirect(location: str) -> Starlette:
    """A plain-HTTP port that only sends browsers and clients to https (what an ingress in front does)."""
    async def redirect(request: Request) -> Response:
        return RedirectResponse(location.rstrip("/") + request.url.path, status_code=308)
    return Starlette(routes=[Route("/{path:path}", redirect, methods=HTTP_METHODS)])


def listener_app(listener: dict[str, Any], engine: Engine, keys: SigningKeys | None, management: Management) -> Any:
    """One client-facing listener: the web login, the API, the actuator if merged onto it, and the headers;
    or, with `redirect_to`, only a redirect to the https listener."""
    if listener.get("redirect_to"):
        return https_redirect(listener["redirect_to"])
    camunda_security = listener["camunda"]["security"]
    host, port = listener.get("host", HOST), int(listener["port"])
    security = Security.from_config(camunda_security, keys)
    access = Access.from_config(camunda_security, security.directory)
    tenancy = Tenancy.from_config(camunda_security, access.identities)
    web = Web.from_config(security, camunda_security, listener.get("server", {}))
    api = OrchestrationApi(engine, security, (host, port), access, tenancy, web).app()
    routes: list[BaseRoute] = [Route("/login", web.login, methods=["POST"]),
                               Route("/logout", web.logout, methods=["POST"])]
    routes += management.routes() if listener.get("actuator") else []
    app = Starlette(routes=[*routes, Mount("/", app=api)])
    headers = security_headers(camunda_security.get("http-headers", {}), https=bool(listener.get("tls")))
    return StaticHeaders(app, headers)
