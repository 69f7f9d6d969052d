"""The Identity emulator: Keycloak's token endpoint, JWKS and admin REST API, and Camunda Management
Identity's tenant API, on the products' own paths and with their error bodies.

`/auth/realms/<realm>/protocol/openid-connect/token` takes client credentials as HTTP Basic or in the
form body, like Keycloak. A token's `aud` comes from the client's audience mappers (in Camunda, the
application's API permissions): a string for one, an array for several; the `audience` form parameter of
the client-credentials grant is ignored, as Keycloak ignores it. Keycloak's admin REST API
(`/auth/admin/realms/<realm>/...`: clients, key provider components, keys; harness.reference.identity.admin)
and Management Identity's API (`/api/...`: the caller's tenants, applications assigned to tenants;
harness.reference.identity.tenants) need a bearer token of the admin client. There is no test-only route:
the harness's capability adapters use these same product paths. Keys and grants persist in the service's
state file, so a stop/start keeps every issued token valid.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

import jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from harness.reference import basic_auth
from harness.reference.identity.keys import KeyRing
from harness.reference.profile import Profile
from harness.reference.runtime import save_state

REALM = "camunda-platform"
ADMIN_AUDIENCE = "camunda-identity-resource-server"
INVALID_CLIENT = "Invalid client or Invalid client credentials"


@dataclass(frozen=True)
class ClientConfig:
    client_id: str
    secret: str
    audiences: tuple[str, ...]  # the client's audience mappers, in order
    tenants: tuple[str, ...] = ()
    admin: bool = False
    permissions: tuple[str, ...] = ("write:*",)


def _oauth_error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status,
                        headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    """Keycloak form-decodes both halves of a client's Basic credentials (BasicAuthHelper.RFC6749)."""
    found = basic_auth.credentials(request.headers.get("authorization"))
    if found is None:
        return None
    return urllib.parse.unquote_plus(found[0]), urllib.parse.unquote_plus(found[1])


def audience_claim(audiences: tuple[str, ...]) -> str | list[str]:
    """Keycloak writes `aud` as a string when there is one audience and as an array for several
    (keycloak/keycloak core/src/main/java/org/keycloak/json/StringOrArraySerializer.java)."""
    return audiences[0] if len(audiences) == 1 else list(audiences)


def unauthorized() -> JSONResponse:
    return JSONResponse({"error": "HTTP 401 Unauthorized"}, status_code=401)


def forbidden() -> JSONResponse:
    return JSONResponse({"error": "HTTP 403 Forbidden"}, status_code=403)


class IdentityApp:
    def __init__(self, config: dict[str, Any]) -> None:
        from harness.reference.identity.admin import KeycloakAdminApi
        from harness.reference.identity.tenants import ManagementIdentityApi

        self.issuer: str = config["issuer"]
        self.lifetime_s = int(config.get("token_lifetime_s", 300))
        self.clients = {cid: ClientConfig(cid, c["secret"], tuple(c["audiences"]), tuple(c.get("tenants", ())),
                                          bool(c.get("admin", False)), tuple(c.get("permissions", ("write:*",))))
                        for cid, c in config["clients"].items()}
        self.profile = Profile(frozenset(config.get("weaknesses", ())))
        self.state_file = config.get("state_file")
        self.keys, self.grants = self._load_state()
        self.save_state()
        realm = f"/auth/realms/{REALM}"
        self.app = Starlette(routes=[
            Route("/health/ready", self.health),
            Route(f"{realm}/.well-known/openid-configuration", self.discovery),
            Route(f"{realm}/protocol/openid-connect/token", self.token, methods=["POST"]),
            Route(f"{realm}/protocol/openid-connect/certs", self.certs),
            *KeycloakAdminApi(self).routes(f"/auth/admin/realms/{REALM}"),
            *ManagementIdentityApi(self).routes("/api"),
        ])

    def _load_state(self) -> tuple[KeyRing, dict[str, set[str]]]:
        grants = {cid: set(client.tenants) for cid, client in self.clients.items()}
        retain = self.profile.has("rotated_key_still_trusted")
        if self.state_file and os.path.exists(self.state_file):
            with open(self.state_file) as handle:
                state = json.load(handle)
            grants.update({cid: set(tenants) for cid, tenants in state["grants"].items() if cid in grants})
            return KeyRing.from_state(state["keys"], retain), grants
        return KeyRing(retain_retired=retain), grants

    def save_state(self) -> None:
        if self.state_file:
            save_state(self.state_file, {"keys": self.keys.to_state(),
                                         "grants": {cid: sorted(tenants) for cid, tenants in self.grants.items()}})

    async def health(self, request: Request) -> JSONResponse:
        return JSONResponse({"status": "UP", "checks": []})

    async def discovery(self, request: Request) -> JSONResponse:
        base = f"{self.issuer}/protocol/openid-connect"
        return JSONResponse({"issuer": self.issuer, "token_endpoint": f"{base}/token", "jwks_uri": f"{base}/certs",
                             "grant_types_supported": ["client_credentials"],
                             "id_token_signing_alg_values_supported": ["RS256"],
                             "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"]})

    async def certs(self, request: Request) -> JSONResponse:
        return JSONResponse(self.keys.jwks())

    def claims_for(self, client: ClientConfig) -> dict[str, Any]:
        now = int(time.time())
        return {"exp": now + self.lifetime_s, "iat": now, "nbf": now, "jti": secrets.token_hex(16),
                "iss": self.issuer, "aud": audience_claim(client.audiences),
                "sub": f"service-account-{client.client_id}", "typ": "Bearer", "azp": client.client_id,
                "scope": "email profile", "tenants": sorted(self.grants.get(client.client_id, ())),
                "permissions": {audience: list(client.permissions) for audience in client.audiences}}

    async def token(self, request: Request) -> JSONResponse:
        # RFC 6749 token requests are always application/x-www-form-urlencoded. An `audience` parameter is
        # read by Keycloak only for token exchange; the client-credentials grant ignores it.
        form = dict(urllib.parse.parse_qsl((await request.body()).decode("utf-8", "replace")))
        if form.get("grant_type") != "client_credentials":
            return _oauth_error(400, "unsupported_grant_type", "Unsupported grant_type")
        client_id, secret = _basic_credentials(request) or (form.get("client_id"), form.get("client_secret"))
        client = self.clients.get(str(client_id or ""))
        if client is None:
            return _oauth_error(401, "invalid_client", INVALID_CLIENT)
        if not hmac.compare_digest(str(secret or "").encode(), client.secret.encode()):
            return _oauth_error(401, "unauthorized_client", INVALID_CLIENT)
        return JSONResponse({"access_token": self.keys.sign(self.claims_for(client)),
                             "expires_in": self.lifetime_s, "refresh_expires_in": 0, "token_type": "Bearer",
                             "not-before-policy": 0, "scope": "email profile"},
                            headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    def _verified(self, token: str, audience: str | None = None) -> dict[str, Any] | None:
        """The claims of a token signed by a key Identity publishes and valid now (for `audience`, if given)."""
        try:
            public_key = self.keys.public_key(str(jwt.get_unverified_header(token).get("kid", "")))
            if public_key is None:
                return None
            return jwt.decode(token, public_key, algorithms=["RS256"], audience=audience, issuer=self.issuer,
                              options={"require": ["exp", "iss", "aud", "azp"], "verify_aud": audience is not None})
        except jwt.InvalidTokenError:
            return None

    def bearer_client(self, request: Request, audience: str | None) -> ClientConfig | None:
        """The client of a valid bearer token (for `audience`, if given)."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        claims = self._verified(token, audience) if scheme.lower() == "bearer" else None
        if claims is None:
            return None
        return self.clients.get(str(claims["azp"]))

    def refuse_non_admin(self, request: Request) -> JSONResponse | None:
        """Keycloak's admin API (and Identity's) answers 401 to a missing or invalid bearer token and 403 to
        a valid token without the admin role; None lets the request through."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return unauthorized()
        client = self.bearer_client(request, ADMIN_AUDIENCE)
        if client is not None and client.admin:
            return None
        if self._verified(token) is None:
            return unauthorized()
        return forbidden()
