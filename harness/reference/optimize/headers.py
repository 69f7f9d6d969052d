"""Security response headers from Optimize's configuration keys, stamped on every response.

Optimize's own keys (`security.responseHeaders.*`): `HSTS.max-age` (null: no HSTS) and
`HSTS.includeSubDomains`, `X-XSS-Protection`, `X-Content-Type-Options` (true: nosniff),
`Content-Security-Policy`. Extension keys the harness adds, in the same place: `X-Frame-Options`,
`Referrer-Policy`, `onErrors` (false: only 2xx/3xx carry the headers, the `headers_missing_on_errors`
weakness) and `container.serverBanner` (a `Server` header as Jetty would send it; null sends none).
A null or empty value switches a header off, so each control can be switched alone.

The middleware sits outside routing, so 404s, 401s, redirects and static files get the headers too.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Secure defaults: HSTS for two years with subdomains; a CSP that allows no inline or eval'd script and
# no framing; nosniff; DENY framing for old browsers too; no referrer leaves the app.
SECURE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
              "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
SECURE_RESPONSE_HEADERS: dict[str, Any] = {
    "HSTS": {"max-age": 63072000, "includeSubDomains": True},
    "X-XSS-Protection": "1; mode=block",
    "X-Content-Type-Options": True,
    "Content-Security-Policy": SECURE_CSP,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "onErrors": True,
}


def header_list(response_headers: dict[str, Any], server_banner: str | None) -> list[tuple[str, str]]:
    """The (name, value) pairs the configuration asks for, merged over the secure defaults."""
    settings = {**SECURE_RESPONSE_HEADERS, **response_headers}
    hsts = {**SECURE_RESPONSE_HEADERS["HSTS"], **(settings.get("HSTS") or {})}
    headers = []
    if hsts.get("max-age") is not None:
        headers.append(("Strict-Transport-Security",
                        f"max-age={int(hsts['max-age'])}" + ("; includeSubDomains" if hsts.get("includeSubDomains") else "")))
    if settings.get("X-Content-Type-Options"):
        headers.append(("X-Content-Type-Options", "nosniff"))
    for name in ("X-XSS-Protection", "Content-Security-Policy", "X-Frame-Options", "Referrer-Policy"):
        if settings.get(name):
            headers.append((name, str(settings[name])))
    if server_banner:
        headers.append(("Server", server_banner))
    return headers


class SecurityHeaders:
    """ASGI middleware: adds the configured headers to each response start."""

    def __init__(self, app: ASGIApp, security: dict[str, Any], server_banner: str | None) -> None:
        self.app = app
        response_headers = dict(security.get("responseHeaders") or {})
        self.on_errors = bool({**SECURE_RESPONSE_HEADERS, **response_headers}["onErrors"])
        self.headers = header_list(response_headers, server_banner)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start" and (self.on_errors or message["status"] < 400):
                headers = MutableHeaders(scope=message)
                for name, value in self.headers:
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, stamped)
