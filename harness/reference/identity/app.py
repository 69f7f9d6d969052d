"""The Identity emulator's HTTP API, on Keycloak's paths and with Keycloak's error bodies.

`/auth/realms/<realm>/protocol/openid-connect/token` takes client credentials as HTTP Basic or in the
form body, like Keycloak; the `audience` parameter picks one of the client's audiences. The admin API
(`/auth/admin/realms/<realm>/...`) needs a bearer token of a client with the admin role.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from harness.reference.identity.keys import KeyRing

REALM = "camunda-platform"
ADMIN_AUDIENCE = "camunda-identity-resource-server"
INVALID_CLIENT = "Invalid client or Invalid client credentials"


@dataclass(frozen=True)
class ClientConfig:
    client_id: str
    secret: str
    audiences: tuple[str, ...]
    tenants: tuple[str, ...] = ()
    admin: bool = False


def _oauth_error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status,
                        headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, _, secret = base64.b64decode(value, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return urllib.parse.unquote_plus(client_id), urllib.parse.unquote_plus(secret)


class IdentityApp:
    def __init__(self, config: dict[str, Any]) -> None:
        self.issuer: str = config["issuer"]
        self.lifetime_s = int(config.get("token_lifetime_s", 300))
        self.clients = {cid: ClientConfig(cid, c["secret"], tuple(c["audiences"]), tuple(c.get("tenants", ())),
                                          bool(c.get("admin", False)))
                        for cid, c in config["clients"].items()}
        self.keys = KeyRing()
        realm = f"/auth/realms/{REALM}"
        self.app = Starlette(routes=[
            Route("/health/ready", self.health),
            Route(f"{realm}/.well-known/openid-configuration", self.discovery),
            Route(f"{realm}/protocol/openid-connect/token", self.token, methods=["POST"]),
            Route(f"{realm}/protocol/openid-connect/certs", self.certs),
            Route(f"/auth/admin/realms/{REALM}/harness/tokens", self.mint, methods=["POST"]),
            Route(f"/auth/admin/realms/{REALM}/clients", self.list_clients),
        ])

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

    def claims_for(self, client: ClientConfig, audience: str) -> dict[str, Any]:
        now = int(time.time())
        return {"exp": now + self.lifetime_s, "iat": now, "nbf": now, "jti": secrets.token_hex(16),
                "iss": self.issuer, "aud": audience, "sub": f"service-account-{client.client_id}",
                "typ": "Bearer", "azp": client.client_id, "scope": "email profile",
                "tenants": list(client.tenants)}

    async def token(self, request: Request) -> JSONResponse:
        # RFC 6749 token requests are always application/x-www-form-urlencoded.
        form = dict(urllib.parse.parse_qsl((await request.body()).decode("utf-8", "replace")))
        if form.get("grant_type") != "client_credentials":
            return _oauth_error(400, "unsupported_grant_type", "Unsupported grant_type")
        client_id, secret = _basic_credentials(request) or (form.get("client_id"), form.get("client_secret"))
        client = self.clients.get(str(client_id or ""))
        if client is None:
            return _oauth_error(401, "invalid_client", INVALID_CLIENT)
        if not hmac.compare_digest(str(secret or "").encode(), client.secret.encode()):
            return _oauth_error(401, "unauthorized_client", INVALID_CLIENT)
        audience = str(form.get("audience") or client.audiences[0])
        if audience not in client.audiences:
            return _oauth_error(400, "invalid_request", f"Requested audience not available: {audience}")
        return JSONResponse({"access_token": self.keys.sign(self.claims_for(client, audience)),
                             "expires_in": self.lifetime_s, "refresh_expires_in": 0, "token_type": "Bearer",
                             "not-before-policy": 0, "scope": "email profile"},
                            headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    def _verified(self, token: str, audience: str | None = None) -> dict[str, Any] | None:
        """The claims of a token Identity itself signed and that is valid now (for `audience` if given)."""
        public_key = self.keys.active.private_key.public_key()
        try:
            return jwt.decode(token, public_key, algorithms=["RS256"], audience=audience, issuer=self.issuer,
                              options={"require": ["exp", "iss", "aud", "azp"],
                                       "verify_aud": audience is not None})
        except jwt.InvalidTokenError:
            return None

    def _admin(self, request: Request) -> ClientConfig | None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        claims = self._verified(token, ADMIN_AUDIENCE)
        if claims is None:
            return None
        client = self.clients.get(claims["azp"])
        return client if client is not None and client.admin else None

    def _refuse_non_admin(self, request: Request) -> JSONResponse | None:
        """Keycloak's admin API answers 401 to a missing or invalid bearer token and 403 to a valid token
        without the admin role; None lets the request through."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return JSONResponse({"error": "HTTP 401 Unauthorized"}, status_code=401)
        if self._admin(request) is not None:
            return None
        if self._verified(token) is None:
            return JSONResponse({"error": "HTTP 401 Unauthorized"}, status_code=401)
        return JSONResponse({"error": "HTTP 403 Forbidden"}, status_code=403)

    async def list_clients(self, request: Request) -> JSONResponse:
        """`GET .../clients`, Keycloak's ClientRepresentation list (never with secrets)."""
        refused = self._refuse_non_admin(request)
        if refused is not None:
            return refused
        return JSONResponse([{"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.issuer}/{cid}")),
                              "clientId": cid, "enabled": True, "publicClient": False,
                              "serviceAccountsEnabled": True} for cid in sorted(self.clients)])

    async def mint(self, request: Request) -> JSONResponse:
        """Sign a token for a client with claims overridden: the `mint_token` capability.

        Checks use it to get genuinely signed tokens that are expired, not yet valid or for the wrong
        audience, so a check fails for the claim it tests and not for a broken signature.
        """
        refused = self._refuse_non_admin(request)
        if refused is not None:
            return refused
        body = await request.json()
        client = self.clients.get(str(body.get("client_id")))
        if client is None:
            return JSONResponse({"error": "Client not found"}, status_code=404)
        claims = self.claims_for(client, client.audiences[0]) | dict(body.get("claims") or {})
        return JSONResponse({"access_token": self.keys.sign(claims)})
