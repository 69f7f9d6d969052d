"""Who is calling: the cluster's users, basic or OIDC authentication, switched by the product's own keys.

`camunda.security.authentication.method` (basic|oidc), `…authentication.unprotected-api`,
`…authentication.oidc.*` (`jwk-set-uri`, `audiences`, `username-claim`, `client-id-claim`) and
`camunda.security.initialization.users` / `…initialization.defaultRoles.admin.users`, as Camunda's
WebSecurityConfig.java wires them: with the API protected, every `/v2/**` path but the public ones
(`UNPROTECTED_API_PATHS`: `/v2/license`, `/v2/setup/user`, `/v2/status`) needs an authenticated caller;
with it unprotected, the API chain permits everything and reads no credentials at all (no HTTP Basic, no
resource server), so not even a valid caller is known to the API.

Refusals differ by method, as the chains do: basic answers with the AuthFailureHandler's problem detail
(and Spring's `Basic realm="Realm"` challenge for a header that does not check out); OIDC with Spring's
BearerTokenAuthenticationEntryPoint, a 401 with an empty body and a `WWW-Authenticate: Bearer` challenge.
TokenValidatorFactory.java checks a token's audience only when `oidc.audiences` is set: otherwise Spring's
default validators run (timestamps, 60 s of clock skew) and a token for any audience gets in. With one
provider, OidcAccessTokenDecoderFactory.java adds only a `typ` header check (JWT, at+jwt or none) and takes
keys from the provider's JWKS; it does not compare `iss`, so neither does the emulator.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, Literal, Protocol

import jwt
from starlette.requests import Request
from starlette.responses import Response

from harness.reference import basic_auth
from harness.reference.orchestration.problems import problem

log = logging.getLogger("orchestration.security")
UNPROTECTED_API_PATHS = frozenset({"/v2/license", "/v2/setup/user", "/v2/status"})
ADMIN_ROLE = "admin"
# Spring Security's messages for a request without an Authentication (as camunda-distributions#186 shows the
# 401 body) and for a Basic header that does not check out.
NO_AUTHENTICATION = "An Authentication object was not found in the SecurityContext"
BAD_CREDENTIALS = "Bad credentials"
BASIC_CHALLENGE = 'Basic realm="Realm"'
# Spring's JwtTimestampValidator tolerates this much clock skew.
CLOCK_SKEW_S = 60
# The JOSE `typ` values OidcAccessTokenDecoderFactory accepts (RFC 9068's at+jwt; an absent typ too).
TOKEN_TYPES = frozenset({"jwt", "at+jwt"})
RFC6750_INVALID_TOKEN = "https://tools.ietf.org/html/rfc6750#section-3.1"


class Unauthenticated(Exception):
    """The caller presented credentials that do not authenticate; the message is Spring's reason."""


class NoPrincipalClaim(Unauthenticated):
    """A valid token naming neither a user nor a client (gRPC says so in its own words)."""


class SigningKeys(Protocol):
    async def key(self, kid: str) -> jwt.PyJWK | None: ...


@dataclasses.dataclass(frozen=True)
class User:
    username: str
    name: str
    email: str
    salt: bytes
    digest: bytes

    @classmethod
    def create(cls, username: str, password: str, name: str = "", email: str = "") -> User:
        salt = secrets.token_bytes(16)
        return cls(username, name or username, email, salt, _digest(salt, password))

    def password_matches(self, password: str) -> bool:
        return hmac.compare_digest(self.digest, _digest(self.salt, password))


def _digest(salt: bytes, password: str) -> bytes:
    return hashlib.sha256(salt + password.encode()).digest()


@dataclasses.dataclass(frozen=True)
class Principal:
    """An authenticated caller: a user of the cluster, or (OIDC) a user or client named by the token."""

    name: str
    kind: Literal["user", "client"]
    # The token's claims (OIDC), which mapping rules match; empty for a basic user.
    claims: Mapping[str, Any] = dataclasses.field(default_factory=dict, compare=False, hash=False)
    # A web session's memberships as they were at its last refresh (web.py); None where every request
    # resolves them afresh (basic credentials and tokens: no session).
    memberships: Memberships | None = dataclasses.field(default=None, compare=False, hash=False)


@dataclasses.dataclass(frozen=True)
class Memberships:
    """Who a caller is in the cluster (itself, mapping rules, groups, roles) and its tenants: what the
    product's CamundaAuthentication holds and a session keeps between refreshes."""

    identities: frozenset[tuple[str, str]]
    tenants: frozenset[str]


# A route's handler: the request and its authenticated caller (None on a public path or an unprotected API).
Handler = Callable[[Request, Principal | None], Awaitable[Response]]


class Directory:
    """The cluster's users and the members of its admin role (Identity inside the cluster)."""

    def __init__(self, users: Iterable[Mapping[str, Any]], admins: Iterable[str]) -> None:
        self.users = {u["username"]: User.create(u["username"], u["password"], u.get("name", ""), u.get("email", ""))
                      for u in users}
        self.admins = set(admins) & set(self.users)

    def add_admin(self, user: User) -> None:
        self.users[user.username] = user
        self.admins.add(user.username)


@dataclasses.dataclass(frozen=True)
class Oidc:
    """`camunda.security.authentication.oidc`: where keys come from and which claims say what."""

    keys: SigningKeys
    audiences: tuple[str, ...]
    username_claim: str = "sub"
    client_id_claim: str | None = None

    async def principal(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
            if str(header.get("typ") or "jwt").lower() not in TOKEN_TYPES:
                raise Unauthenticated(f"An error occurred while attempting to decode the Jwt: the JOSE header "
                                      f"typ ({header.get('typ')}) is not allowed")
            key = await self.keys.key(str(header.get("kid", "")))
            if key is None:
                raise Unauthenticated("Signed JWT rejected: Another algorithm expected, or no matching key(s) found")
            claims = jwt.decode(token, key, algorithms=["RS256"], leeway=CLOCK_SKEW_S,
                                options={"verify_aud": False, "verify_iss": False})
        except jwt.PyJWTError as exc:
            log.info("token refused: %s", type(exc).__name__)
            raise Unauthenticated(f"An error occurred while attempting to decode the Jwt: {type(exc).__name__}") \
                from None
        self._check_audience(claims.get("aud"))
        client_id = claims.get(self.client_id_claim) if self.client_id_claim else None
        if client_id:  # prefer-username-claim false: a token naming a client is the client's
            return Principal(str(client_id), "client", claims)
        username = claims.get(self.username_claim)
        if not username:
            raise NoPrincipalClaim(f"Expected either a username (claim: {self.username_claim}) or client ID (claim: "
                                  f"{self.client_id_claim}) on the token, but no matching claim found")
        return Principal(str(username), "user", claims)

    def _check_audience(self, aud: object) -> None:
        """AudienceValidator.java, present only when `audiences` is configured."""
        if not self.audiences:
            return
        held = [aud] if isinstance(aud, str) else list(aud) if isinstance(aud, list) else []
        if not set(held) & set(self.audiences):
            raise Unauthenticated(f"Token audiences are [{', '.join(map(str, held))}], expected at least one of "
                                  f"[{', '.join(self.audiences)}]")


@dataclasses.dataclass(frozen=True)
class Security:
    """`camunda.security.*` as far as the emulator implements it."""

    method: Literal["basic", "oidc"]
    unprotected_api: bool
    directory: Directory
    oidc: Oidc | None = None

    @classmethod
    def from_config(cls, security: Mapping[str, Any], keys: SigningKeys | None = None) -> Security:
        authentication = security.get("authentication", {})
        initialization = security.get("initialization", {})
        admins = initialization.get("defaultRoles", {}).get(ADMIN_ROLE, {}).get("users", [])
        method = authentication.get("method", "basic")
        oidc = None
        if method == "oidc":
            settings = authentication.get("oidc", {})
            if keys is None or initialization.get("users"):
                raise ValueError("oidc needs its signing keys, and takes no initial users (as the product refuses)")
            oidc = Oidc(keys, tuple(settings.get("audiences") or ()), settings.get("username-claim", "sub"),
                        settings.get("client-id-claim"))
        elif method != "basic":
            raise ValueError(f"authentication.method: expected basic or oidc, got {method!r}")
        return cls(method, bool(authentication.get("unprotected-api", False)),
                   Directory(initialization.get("users", []), admins), oidc)

    def needs_authentication(self, path: str) -> bool:
        return not self.unprotected_api and path.startswith("/v2/") and path not in UNPROTECTED_API_PATHS

    async def authenticate(self, authorization: str | None) -> Principal | None:
        """The caller the header names, None without one (or with another scheme, which the method's filter
        leaves alone); Unauthenticated when it does not check out. Reads nothing when the API is unprotected."""
        if self.unprotected_api or not authorization:
            return None
        scheme, _, credential = authorization.strip().partition(" ")
        if self.oidc is not None:
            return await self.oidc.principal(credential.strip()) if scheme.lower() == "bearer" else None
        return self._basic(credential.strip()) if scheme.lower() == "basic" else None

    def _basic(self, credential: str) -> Principal:
        text = basic_auth.decoded(credential)
        if text is None:
            raise Unauthenticated("Failed to decode basic authentication token")
        if ":" not in text:
            raise Unauthenticated("Invalid basic authentication token")
        username, _, password = text.partition(":")
        return self.check_password(username, password)

    def check_password(self, username: str, password: str) -> Principal:
        """The user, if the password is theirs (HTTP Basic and the form login check the same way)."""
        user = self.directory.users.get(username)
        if user is None or not user.password_matches(password):
            raise Unauthenticated(BAD_CREDENTIALS)
        return Principal(username, "user")

    def refusal(self, request: Request, error: Unauthenticated | None) -> Response:
        """The 401 the method's chain answers: `error` is a credential that did not check out, None none."""
        if self.oidc is not None:
            challenge = "Bearer" if error is None else (
                f'Bearer error="invalid_token", error_description="{error}", error_uri="{RFC6750_INVALID_TOKEN}"')
            return Response(status_code=401, headers={"WWW-Authenticate": challenge})
        if error is None:
            return problem(request, 401, NO_AUTHENTICATION)
        return problem(request, 401, str(error), headers={"WWW-Authenticate": BASIC_CHALLENGE})
