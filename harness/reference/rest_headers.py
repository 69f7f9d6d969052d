"""Headers a product stamps on every response (its framework's security headers, a product marker), for the
emulators.

Operate and Management Identity answer through Spring Security, whose header writers are on by default;
Keycloak's DefaultSecurityHeadersProvider adds its realm's browser security headers to REST responses
too. The headers scenario holds every endpoint to the rules of its kind (harness/header_rules.yaml), so
the emulators send what the real products send, on errors as on data.
"""

from __future__ import annotations

from typing import Literal

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# A catch-all route answering for what a product's security chain guards before routing takes every method.
HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
# Spring Security 6 HeadersConfigurer defaults (docs.spring.io "Default Security Headers"); HSTS as Spring
# writes it on https requests.
SPRING_SECURITY_DEFAULTS = (
    ("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate"),
    ("Pragma", "no-cache"),
    ("Expires", "0"),
    ("X-Content-Type-Options", "nosniff"),
    ("Strict-Transport-Security", "max-age=31536000 ; includeSubDomains"),
    ("X-Frame-Options", "DENY"),
    ("X-XSS-Protection", "0"),
)
# keycloak/keycloak services/src/main/java/org/keycloak/headers/DefaultSecurityHeadersProvider.java
# (addRestHeaders) with the realm defaults of BrowserSecurityHeaders.
KEYCLOAK_REST_DEFAULTS = (
    ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),
    ("X-Frame-Options", "SAMEORIGIN"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
)


Stamp = Literal["set", "append", "if_missing"]


def stamping(send: Send, headers: tuple[tuple[str, str], ...] | list[tuple[str, str]], how: Stamp = "set") -> Send:
    """`send` with `headers` written into the response's start: replacing a header of the same name (`set`),
    beside it (`append`, as a servlet filter's addHeader), or only where the response has none yet
    (`if_missing`, as Spring Security's header writers)."""
    async def stamped(message: Message) -> None:
        if message["type"] == "http.response.start":
            present = MutableHeaders(scope=message)
            for name, value in headers:
                if how == "set":
                    present[name] = value
                elif how == "append" or name not in present:
                    present.append(name, value)
        await send(message)
    return stamped


class StaticHeaders:
    """ASGI middleware outside routing: every response, a 404 or a 401 included, gets `headers`."""

    def __init__(self, app: ASGIApp, headers: tuple[tuple[str, str], ...], how: Stamp = "set") -> None:
        self.app, self.headers, self.how = app, headers, how

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.app(scope, receive, stamping(send, self.headers, self.how))
