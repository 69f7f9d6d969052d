"""The Optimize emulator: one process, one data set, several listeners, as one Optimize is configured.

Config: `listeners` (HTTPS, each with `multitenancy.enabled`: the reference stack runs one with and one
without, over the same data, so both tenant rules are testable in one stack; the plain-HTTP port is closed,
Optimize's `container.ports.http: null`), `api` (`jwtSetUri`, `audience`, `issuer`), `identity` (`baseUrl`
for tenant authorizations, `token_url` for UI logins), `caches.cloudTenantAuthorizations.defaultTtlMillis`,
`es` (url, username, password, ca_file), optional `zeebe` (the variable import from Zeebe's exporter
indices, see importer.py), `security` (`responseHeaders`, see headers.py; `auth.cookie`, see session.py),
and the profile's `weaknesses`.
"""

from __future__ import annotations

import asyncio
import html
import logging
import urllib.parse
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from harness.reference.identity_client import IdentityHttp, JwksCache, TenantGrants
from harness.reference.optimize.api import PublicApi
from harness.reference.optimize.headers import ResponseSecurityHeaderFilter, SecurityChain
from harness.reference.optimize.reports import ApiError
from harness.reference.optimize.session import COOKIE, Sessions
from harness.reference.optimize.store import Store
from harness.reference.optimize.tenants import TenantAuthorizer
from harness.reference.optimize.user_api import UserApi
from harness.reference.profile import Profile
from harness.reference.search_client import SearchUnavailable

log = logging.getLogger("optimize")
SEED_RETRY_S = 0.2
APP_SHELL = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Camunda Optimize</title>
<script src="/static/app.js" defer></script></head>
<body><div id="root" data-user="{user}"></div></body></html>
"""
LOGIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Camunda Optimize: login</title></head>
<body><form method="post" action="/login">{error}
<label>Username <input name="username" autocomplete="username"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Log in</button></form></body></html>
"""
APP_JS = "document.getElementById('root').textContent = 'Optimize';\n"


class Optimize:
    """State shared by every listener: the store, Identity's keys and grants, UI sessions, readiness."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.profile = Profile(frozenset(config.get("weaknesses", ())))
        self.store = Store(config["es"])
        identity = config["identity"]
        http = IdentityHttp(identity["ca_file"])
        ttl_s = float(config["caches"]["cloudTenantAuthorizations"]["defaultTtlMillis"]) / 1000
        self.jwks = JwksCache(http, config["api"]["jwtSetUri"], float(config["api"].get("jwks_ttl_s", 5)))
        base_url = identity.get("baseUrl")
        self.grants = TenantGrants(http, f"{base_url}/api/tenants", ttl_s, self.profile) if base_url else None
        security = config.get("security") or {}
        self.sessions = Sessions(http, identity["token_url"], (security.get("auth") or {}).get("cookie") or {})
        self.seeded = False

    async def seed_until_done(self) -> None:
        """Write the seed data once Elasticsearch takes it (it may start after Optimize)."""
        while not self.seeded:
            try:
                await asyncio.to_thread(self.store.seed)
                self.seeded = True
                log.info("seed data written")
            except SearchUnavailable as exc:
                log.info("waiting for Elasticsearch: %s", exc)
                await asyncio.sleep(SEED_RETRY_S)

    def app(self, multitenancy_enabled: bool) -> ASGIApp:
        """The application one (HTTPS) listener serves, behind Spring Security's chain and Optimize's header
        filter (headers.py)."""
        api = PublicApi(self.store, self.jwks, self.config["api"], self.profile)
        user = UserApi(self.store, self.sessions, TenantAuthorizer(multitenancy_enabled, self.grants, self.profile))

        def guarded(handler: Any) -> Any:
            async def endpoint(request: Request) -> Response:
                try:
                    return await handler(request)
                except ApiError as error:
                    return error.response()
                except SearchUnavailable as exc:
                    log.warning("Elasticsearch call failed: %s", exc)
                    return ApiError(500, "serverError", "Elasticsearch is not available.").response()
            return endpoint

        routes = [
            Route("/api/readyz", self.readyz),
            Route("/api/public/dashboard", guarded(api.dashboards)),
            Route("/api/public/report", guarded(api.reports)),
            Route("/api/public/export/report/definition/json", guarded(api.export_definitions), methods=["POST"]),
            Route("/api/public/export/report/{report_id}/result/json", guarded(api.export_result)),
            Route("/api/collection/{collection_id}/entities", guarded(user.collection_entities)),
            Route("/api/report/{report_id}", guarded(user.report)),
            Route("/api/report/{report_id}/evaluate", guarded(user.evaluate), methods=["POST"]),
            Route("/login", self.login_page, methods=["GET"]),
            Route("/login", self.login, methods=["POST"]),
            Route("/", self.ui),
            Route("/static/app.js", self.static_js),
        ]
        application = Starlette(routes=routes, exception_handlers={HTTPException: self.http_error})
        response_headers = (self.config.get("security") or {}).get("responseHeaders") or {}
        return SecurityChain(ResponseSecurityHeaderFilter(application, response_headers), api.authenticated,
                             lambda request: self.sessions.get(request.cookies.get(COOKIE)) is not None, https=True)

    async def http_error(self, request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        if request.url.path.startswith("/api/"):
            return JSONResponse({"errorCode": "notFoundError" if status == 404 else "badRequestError",
                                 "errorMessage": f"HTTP {status}", "detailedMessage": None}, status_code=status)
        return HTMLResponse(f"<!doctype html><title>Error {status}</title><h1>Error {status}</h1>", status_code=status)

    async def readyz(self, request: Request) -> Response:
        """Empty body; 200 when Elasticsearch answers and the data is there, 503 otherwise. Optimize's
        readiness API takes no Authorization header and rejects requests that carry one."""
        if "authorization" in request.headers:
            return Response(status_code=400)
        ready = self.seeded and await asyncio.to_thread(self.store.healthy)
        return Response(status_code=200 if ready else 503)

    async def login_page(self, request: Request) -> Response:
        return HTMLResponse(LOGIN_PAGE.format(error=""))

    async def login(self, request: Request) -> Response:
        form = dict(urllib.parse.parse_qsl((await request.body()).decode("utf-8", "replace")))
        session_id = await asyncio.to_thread(self.sessions.login, form.get("username", ""), form.get("password", ""))
        if session_id is None:
            return HTMLResponse(LOGIN_PAGE.format(error="<p role=alert>Invalid username or password.</p>"),
                                status_code=401)
        response = RedirectResponse("/", status_code=302)
        self.sessions.set_cookie(response, session_id)
        return response

    async def ui(self, request: Request) -> Response:
        session = self.sessions.get(request.cookies.get(COOKIE))
        if session is None:
            return RedirectResponse("/login", status_code=302)
        return HTMLResponse(APP_SHELL.format(user=html.escape(session.client_id)))

    async def static_js(self, request: Request) -> Response:
        return PlainTextResponse(APP_JS, media_type="application/javascript")
