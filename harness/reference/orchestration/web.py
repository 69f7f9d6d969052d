"""The cluster's web side: the form login and its `camunda-session`, CSRF, and the security headers.

As Camunda's WebSecurityConfig (consolidated-auth) and CsrfProtectionRequestMatcher.java set them up:

- `POST /login` (form fields `username`, `password`) answers 204 with the session cookie `camunda-session`
  (`server.servlet.session.cookie.*`: Spring Boot's keys for its flags), the CSRF cookie `X-CSRF-TOKEN` and
  the same token in the `X-CSRF-TOKEN` response header; `POST /logout` deletes both. A session grants the
  API as well.
- A session keeps the caller's memberships (groups, roles, tenants) as they were at login, and looks them up
  again once `camunda.security.authentication.authentication-refresh-interval` (ISO 8601, default PT30S)
  has passed since the last look: HttpSessionBasedAuthenticationHolder drops the session's
  CamundaAuthentication when `now - AUTH_LAST_REFRESH >= interval`, and the next request builds it anew
  (docs: "Propagation of membership changes to active sessions"). Basic credentials and tokens carry no
  session: their memberships are looked up on every request.
- `camunda.security.csrf.enabled` (default true): a request needs the double-submit token (header
  `X-CSRF-TOKEN` equal to the cookie) unless its method is GET, HEAD, TRACE or OPTIONS, its path is one of
  the unprotected ones or login/logout, its Referer is the cluster's own swagger-ui, or it has no session
  ("check if API call is coming from the browser": a call with basic or bearer credentials and no cookie is
  not CSRF-prone). A refusal is Spring's AccessDeniedException through AuthFailureHandler: 403.
- `camunda.security.http-headers.*` (HeaderConfiguration.java and its *Config classes): nosniff, cache
  control, HSTS (https only, includeSubDomains off by default), X-Frame-Options SAMEORIGIN, a CSP (the
  Self-Managed default unless `policy-directives` is set), Referrer-Policy, COOP/COEP/CORP; on every answer.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response

from harness.reference.orchestration.problems import problem
from harness.reference.orchestration.security import (
    BAD_CREDENTIALS,
    Memberships,
    Principal,
    Security,
    Unauthenticated,
)

SESSION_COOKIE = "camunda-session"
CSRF_TOKEN = "X-CSRF-TOKEN"
LOGIN_URL, LOGOUT_URL = "/login", "/logout"
SAFE_METHODS = frozenset({"GET", "HEAD", "TRACE", "OPTIONS"})
# WebSecurityConfig.UNPROTECTED_PATHS and UNPROTECTED_API_PATHS, which the matcher exempts with login/logout.
CSRF_EXEMPT = re.compile(r"^(/error|/actuator/.*|/ready|/health|/startup|/swagger-ui/.*|/v3/api-docs/.*|"
                         r"/rest-api\.yaml|/new/.*|/favicon\.ico|/v2/license|/v2/setup/user|/v2/status|"
                         r"/v1/external/process/.*|/login|/logout)$")
# Spring Security's messages for a missing and a wrong CSRF token.
MISSING_TOKEN = "Could not verify the provided CSRF token because no token was found to compare."
INVALID_TOKEN = f"Invalid CSRF Token was found on the request parameter '_csrf' or header '{CSRF_TOKEN}'."
# ContentSecurityPolicyConfig.getDefaultSmSecurityPolicy (no extra connect URLs).
DEFAULT_SM_POLICY = ("default-src 'self'; base-uri 'self'; script-src 'self' https: *.chargebee.com *.mixpanel.com "
                     "ajax.cloudflare.com static.cloudflareinsights.com; script-src-elem 'self' cdn.jsdelivr.net ; "
                     "connect-src 'self' https: *.mixpanel.com cloudflareinsights.com *.appcues.net "
                     "wss://api.appcues.net cdn.jsdelivr.net ; style-src 'self' https: 'unsafe-inline' cdn.jsdelivr.net "
                     "*.googleapis.com *.chargebee.com; img-src data: 'self'; form-action 'self'; frame-ancestors "
                     "'self'; frame-src 'self' https: *.chargebee.com blob: ; object-src 'self' blob:; font-src 'self' "
                     "data: fonts.camunda.io cdn.jsdelivr.net; worker-src 'self' blob:; child-src; script-src-attr 'none'")


def _section(settings: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = settings.get(key) or {}
    return value if isinstance(value, Mapping) else {}


def security_headers(headers: Mapping[str, Any], https: bool) -> tuple[tuple[str, str], ...]:
    """The headers `camunda.security.http-headers` makes Spring Security write on every answer, errors
    included (its HeaderWriterFilter writes them before the response commits, whatever its status)."""
    def enabled(name: str) -> bool:
        return bool(_section(headers, name).get("enabled", True))

    out: list[tuple[str, str]] = []
    if enabled("content-type-options"):
        out.append(("X-Content-Type-Options", "nosniff"))
    if enabled("cache-control"):
        out += [("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate"), ("Pragma", "no-cache"),
                ("Expires", "0")]
    hsts = _section(headers, "hsts")
    if https and enabled("hsts"):
        value = f"max-age={int(hsts.get('max-age-in-seconds', 31536000))}"
        value += " ; includeSubDomains" if hsts.get("include-sub-domains", False) else ""
        value += " ; preload" if hsts.get("preload", False) else ""
        out.append(("Strict-Transport-Security", value))
    if enabled("frame-options"):
        out.append(("X-Frame-Options", str(_section(headers, "frame-options").get("mode", "SAMEORIGIN")).upper()))
    csp = _section(headers, "content-security-policy")
    if enabled("content-security-policy"):
        name = "Content-Security-Policy-Report-Only" if csp.get("report-only") else "Content-Security-Policy"
        out.append((name, str(csp.get("policy-directives") or DEFAULT_SM_POLICY)))
    out.append(("Referrer-Policy", str(_section(headers, "referrer-policy").get("value", "strict-origin-when-cross-origin"))
                .lower().replace("_", "-")))
    out += [("Cross-Origin-Opener-Policy", "same-origin-allow-popups"), ("Cross-Origin-Embedder-Policy", "unsafe-none"),
            ("Cross-Origin-Resource-Policy", "same-site")]
    return tuple(out)


@dataclasses.dataclass(frozen=True)
class CookieFlags:
    """`server.servlet.session.cookie.*`: Spring Boot's session cookie is HttpOnly unless told otherwise,
    Secure and SameSite only when configured."""

    secure: bool = False
    http_only: bool = True
    same_site: str | None = None

    @classmethod
    def from_config(cls, cookie: Mapping[str, Any]) -> CookieFlags:
        return cls(bool(cookie.get("secure", False)), bool(cookie.get("http-only", True)), cookie.get("same-site"))

    def attributes(self) -> str:
        parts = ["Path=/"]
        parts += ["Secure"] if self.secure else []
        parts += ["HttpOnly"] if self.http_only else []
        parts += [f"SameSite={str(self.same_site).capitalize()}"] if self.same_site else []
        return "; ".join(parts)


DEFAULT_REFRESH_INTERVAL = "PT30S"
ISO_DURATION = re.compile(r"^P(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$")
DURATION_UNITS = (("d", 86400), ("h", 3600), ("m", 60), ("s", 1))


def duration_s(value: str) -> float:
    """An ISO 8601 duration as java.time.Duration.parse reads one (`PT30S`, `PT10M`, `PT0.5S`, `P1D`); a
    negative one, which Java takes, is refused here (a refresh interval is never configured so)."""
    match = ISO_DURATION.match(value.strip().upper())
    if not match or not any(match.groups()) or value.strip().upper().endswith("T"):
        raise ValueError(f"not an ISO 8601 duration: {value!r}")
    return sum(float(match[unit] or 0) * factor for unit, factor in DURATION_UNITS)


@dataclasses.dataclass
class Session:
    """One `camunda-session`: the user, its CSRF token, and its memberships as of `refreshed_at`."""

    principal: Principal
    csrf_token: str
    refreshed_at: float


@dataclasses.dataclass
class Web:
    """Sessions of users who logged in with the form, and the CSRF rule for requests carrying one."""

    security: Security
    csrf_enabled: bool
    cookie: CookieFlags
    # Who a caller is in the cluster now (Access.identities, Tenancy.member_of): a session's refresh.
    memberships: Callable[[Principal], Memberships]
    refresh_s: float
    sessions: dict[str, Session] = dataclasses.field(default_factory=dict)

    @classmethod
    def from_config(cls, security: Security, camunda_security: Mapping[str, Any], server: Mapping[str, Any],
                    memberships: Callable[[Principal], Memberships]) -> Web:
        session = _section(_section(_section(server, "servlet"), "session"), "cookie")
        refresh = _section(camunda_security, "authentication").get("authentication-refresh-interval",
                                                                   DEFAULT_REFRESH_INTERVAL)
        return cls(security, bool(_section(camunda_security, "csrf").get("enabled", True)),
                   CookieFlags.from_config(session), memberships, duration_s(str(refresh)))

    def session(self, request: Request) -> Session | None:
        return self.sessions.get(request.cookies.get(SESSION_COOKIE, ""))

    def caller(self, request: Request) -> Principal | None:
        """The session's user with its memberships, looked up again once the refresh interval has passed."""
        found = self.session(request)
        if found is None:
            return None
        now = time.monotonic()
        if now - found.refreshed_at >= self.refresh_s:
            found.principal, found.refreshed_at = self._with_memberships(found.principal), now
        return found.principal

    def _with_memberships(self, principal: Principal) -> Principal:
        bare = dataclasses.replace(principal, memberships=None)
        return dataclasses.replace(bare, memberships=self.memberships(bare))

    def csrf_refusal(self, request: Request) -> Response | None:
        """CsrfProtectionRequestMatcher, then Spring's CsrfFilter with the cookie token repository."""
        if not self.csrf_enabled or request.method in SAFE_METHODS or CSRF_EXEMPT.match(request.url.path):
            return None
        if self._swagger_referer(request) or self.session(request) is None:
            return None
        cookie, header = request.cookies.get(CSRF_TOKEN), request.headers.get(CSRF_TOKEN)
        if not cookie:
            return problem(request, 403, MISSING_TOKEN)
        if not header or not secrets.compare_digest(cookie.encode(), header.encode()):
            return problem(request, 403, INVALID_TOKEN)
        return None

    @staticmethod
    def _swagger_referer(request: Request) -> bool:
        base = f"{request.url.scheme}://{request.url.netloc}"
        return re.match(re.escape(base) + r".*/swagger-ui.*", request.headers.get("referer", "")) is not None

    async def login(self, request: Request) -> Response:
        """The form login of the basic method (the oidc method logs in through the provider instead)."""
        form = parse_qs((await request.body()).decode(errors="replace"))
        username, password = (form.get(key, [""])[0] for key in ("username", "password"))
        try:
            if self.security.method != "basic" or not username:
                raise Unauthenticated(BAD_CREDENTIALS)
            principal = self.security.check_password(username, password)
        except Unauthenticated as exc:
            return problem(request, 401, str(exc))
        session_id, token = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        self.sessions[session_id] = Session(self._with_memberships(principal), token, time.monotonic())
        response = Response(status_code=204, headers={CSRF_TOKEN: token})
        response.headers.append("Set-Cookie", f"{SESSION_COOKIE}={session_id}; {self.cookie.attributes()}")
        # CookieCsrfTokenRepository as WebSecurityConfig customizes it: httpOnly(false).secure(false).
        response.headers.append("Set-Cookie", f"{CSRF_TOKEN}={token}; Path=/")
        return response

    async def logout(self, request: Request) -> Response:
        self.sessions.pop(request.cookies.get(SESSION_COOKIE, ""), None)
        response = Response(status_code=204)
        for name in (SESSION_COOKIE, CSRF_TOKEN):
            response.headers.append("Set-Cookie", f"{name}=; Max-Age=0; Path=/")
        return response
