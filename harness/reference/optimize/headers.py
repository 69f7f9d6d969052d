"""Optimize's response headers, from the two places a real Optimize writes them (camunda/camunda
`optimize/backend/...`):

1. Spring Security's filter chain (`AbstractSecurityConfigurerAdapter.configureGenericSecurityOptions`) runs
   first and keeps Spring's default headers, except frame options, which it disables globally: nosniff,
   `X-XSS-Protection: 0`, no-cache directives, and HSTS (one year, subdomains) on https only. Each is
   written only where the response has none yet. A request the chain refuses (no session or no valid bearer
   token: 401 under `/api/**`, else the redirect to the login) ends there, with these headers only.
2. `ResponseSecurityHeaderFilter` (`tomcat/ResponseSecurityHeaderFilter.java`), registered without an
   order, so after the chain: it adds what `security.responseHeaders` configures
   (`ResponseHeadersConfiguration.getHeadersWithValues`) to the responses that got past the chain. Its only
   keys: `HSTS.max-age` (null: none) and `HSTS.includeSubDomains`, `X-XSS-Protection`,
   `X-Content-Type-Options` (true: nosniff), `Content-Security-Policy`. There is no key for
   X-Frame-Options or Referrer-Policy.

So no Optimize configuration puts CSP on its 401s and redirects, forbids framing or sets a Referrer-Policy:
the reference stack's ingress in front of it does (harness/reference/proxy/ingress.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from harness.reference.rest_headers import SPRING_SECURITY_DEFAULTS, StaticHeaders, stamping

# Spring's defaults as Optimize's chain leaves them: frame options disabled, HSTS on https only.
SPRING_HSTS = next(header for header in SPRING_SECURITY_DEFAULTS if header[0] == "Strict-Transport-Security")
SPRING_DEFAULTS = tuple(header for header in SPRING_SECURITY_DEFAULTS
                        if header[0] not in ("X-Frame-Options", SPRING_HSTS[0]))
# Reachable without a session: readiness and the login (the stand-in for Identity's callback).
PERMITTED = frozenset({"/api/readyz", "/login"})
PUBLIC_API = "/api/public/"


def header_list(response_headers: dict[str, Any]) -> list[tuple[str, str]]:
    """The (name, value) pairs `security.responseHeaders` configures, as Optimize derives them."""
    hsts = response_headers.get("HSTS") or {}
    max_age = response_headers.get("HSTS.max-age", hsts.get("max-age"))
    include_subdomains = response_headers.get("HSTS.includeSubDomains", hsts.get("includeSubDomains"))
    hsts_parts = ([f"max-age={int(max_age)}"] if max_age is not None else []) + (
        ["includeSubDomains"] if include_subdomains else [])
    headers = [("Strict-Transport-Security", "; ".join(hsts_parts))] if hsts_parts else []
    if response_headers.get("X-XSS-Protection"):
        headers.append(("X-XSS-Protection", str(response_headers["X-XSS-Protection"])))
    if response_headers.get("X-Content-Type-Options"):
        headers.append(("X-Content-Type-Options", "nosniff"))
    if response_headers.get("Content-Security-Policy"):
        headers.append(("Content-Security-Policy", str(response_headers["Content-Security-Policy"])))
    return headers


class ResponseSecurityHeaderFilter(StaticHeaders):
    """ASGI middleware: adds (addHeader) the configured headers to every response of the app it wraps."""

    def __init__(self, app: ASGIApp, response_headers: dict[str, Any]) -> None:
        super().__init__(app, tuple(header_list(response_headers)), "append")


class SecurityChain:
    """ASGI middleware in front of everything: authentication (a valid bearer token for the public API, a
    session elsewhere) and Spring Security's default headers, on refusals too."""

    def __init__(self, app: ASGIApp, bearer_ok: Callable[[Request], Awaitable[bool]],
                 has_session: Callable[[Request], bool], https: bool) -> None:
        self.app, self.bearer_ok, self.has_session = app, bearer_ok, has_session
        self.defaults = [*SPRING_DEFAULTS, *([SPRING_HSTS] if https else [])]

    async def _refusal(self, request: Request) -> Response | None:
        path = request.url.path
        if path in PERMITTED:
            return None
        if path.startswith(PUBLIC_API):
            authenticated = await self.bearer_ok(request)
        else:
            authenticated = self.has_session(request)
        if authenticated:
            return None
        if path.startswith(PUBLIC_API):  # Spring's BearerTokenAuthenticationEntryPoint
            challenge = 'Bearer error="invalid_token"' if "authorization" in request.headers else "Bearer"
            return Response(status_code=401, headers={"WWW-Authenticate": challenge})
        if path.startswith("/api/"):  # HttpStatusEntryPoint(UNAUTHORIZED)
            return Response(status_code=401)
        return RedirectResponse("/login", status_code=302)  # stands in for the redirect to Identity

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = stamping(send, self.defaults, "if_missing")
        refusal = await self._refusal(Request(scope))
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)
