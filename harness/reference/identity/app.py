"""The Identity emulator's HTTP API, on Keycloak's paths and with Keycloak's error bodies.

`/auth/realms/<realm>/protocol/openid-connect/token` takes client credentials as HTTP Basic or in the
form body, like Keycloak; the `audience` parameter picks one of the client's audiences. The admin API
(`/auth/admin/realms/<realm>/...`) needs a bearer token of a client with the admin role; under its
`harness/` path it mints tokens, grants and revokes tenants per client, and rotates the signing key.
`/api/tenants` answers, like Camunda Identity for its SDK, which tenants the bearer token's client may use.
Keys and grants persist in the service's state file, so a stop/start keeps every issued token valid.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import os
import re
import secrets
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from harness.reference.identity.keys import KeyRing
from harness.reference.profile import Profile
from harness.reference.runtime import save_state

REALM = "camunda-platform"
ADMIN_AUDIENCE = "camunda-identity-resource-server"
INVALID_CLIENT = "Invalid client or Invalid client credentials"
TENANT_ID = r"[\w.-]{1,31}|<default>"


@dataclass(frozen=True)
class ClientConfig:
    client_id: str
    secret: str
    audiences: tuple[str, ...]
    tenants: tuple[str, ...] = ()
    admin: bool = False
    permissions: tuple[str, ...] = ("write:*",)


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
                                          bool(c.get("admin", False)), tuple(c.get("permissions", ("write:*",))))
                        for cid, c in config["clients"].items()}
        self.profile = Profile(frozenset(config.get("weaknesses", ())))
        self.state_file = config.get("state_file")
        self.keys, self.grants = self._load_state()
        self._save_state()
        realm = f"/auth/realms/{REALM}"
        self.app = Starlette(routes=[
            Route("/health/ready", self.health),
            Route(f"{realm}/.well-known/openid-configuration", self.discovery),
            Route(f"{realm}/protocol/openid-connect/token", self.token, methods=["POST"]),
            Route(f"{realm}/protocol/openid-connect/certs", self.certs),
            Route(f"/auth/admin/realms/{REALM}/harness/tokens", self.mint, methods=["POST"]),
            Route(f"/auth/admin/realms/{REALM}/clients", self.list_clients),
            Route(f"/auth/admin/realms/{REALM}/harness/clients/{{client_id}}/tenants/{{tenant_id:path}}",
                  self.tenant_grant, methods=["PUT", "DELETE"]),
            Route(f"/auth/admin/realms/{REALM}/harness/keys/rotate", self.rotate, methods=["POST"]),
            Route("/api/tenants", self.tenants_for_token),
        ])

    def _load_state(self) -> tuple[KeyRing, dict[str, set[str]]]:
        grants = {cid: set(client.tenants) for cid, client in self.clients.items()}
        if self.state_file and os.path.exists(self.state_file):
            with open(self.state_file) as handle:
                state = json.load(handle)
            grants.update({cid: set(tenants) for cid, tenants in state["grants"].items() if cid in grants})
            return KeyRing.from_state(state["keys"]), grants
        return KeyRing(), grants

    def _save_state(self) -> None:
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

    def claims_for(self, client: ClientConfig, audience: str) -> dict[str, Any]:
        now = int(time.time())
        return {"exp": now + self.lifetime_s, "iat": now, "nbf": now, "jti": secrets.token_hex(16),
                "iss": self.issuer, "aud": audience, "sub": f"service-account-{client.client_id}",
                "typ": "Bearer", "azp": client.client_id, "scope": "email profile",
                "tenants": sorted(self.grants.get(client.client_id, ())),
                "permissions": {audience: list(client.permissions)}}

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
        """The claims of a token signed by a key Identity publishes and valid now (for `audience`, if given)."""
        try:
            public_key = self.keys.public_key(str(jwt.get_unverified_header(token).get("kid", "")))
            if public_key is None:
                return None
            return jwt.decode(token, public_key, algorithms=["RS256"], audience=audience, issuer=self.issuer,
                              options={"require": ["exp", "iss", "aud", "azp"], "verify_aud": audience is not None})
        except jwt.InvalidTokenError:
            return None

    def _bearer_client(self, request: Request, audience: str | None) -> ClientConfig | None:
        """The client of a valid bearer token (for `audience`, if given)."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        claims = self._verified(token, audience) if scheme.lower() == "bearer" else None
        if claims is None:
            return None
        return self.clients.get(str(claims["azp"]))

    def _admin(self, request: Request) -> ClientConfig | None:
        client = self._bearer_client(request, ADMIN_AUDIENCE)
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
    async def tenants_for_token(self, request: Request) -> JSONResponse:
        client = self._bearer_client(request, None)
        if client is None:
            return JSONResponse({"error": "HTTP 401 Unauthorized"}, status_code=401)
        return JSONResponse([{"tenantId": t, "name": t} for t in sorted(self.grants.get(client.client_id, ()))])

    async def tenant_grant(self, request: Request) -> Response:
        """PUT grants, DELETE revokes one tenant of one client (204, like Keycloak's admin API)."""
        refused = self._refuse_non_admin(request)
        if refused is not None:
            return refused
        client_id, tenant = request.path_params["client_id"], request.path_params["tenant_id"]
        if client_id not in self.clients:
            return JSONResponse({"error": "Client not found"}, status_code=404)
        if not re.fullmatch(TENANT_ID, tenant):
            return JSONResponse({"error": "tenant_id: expected [\\w.-]{1,31} or <default>"}, status_code=400)
        tenants = self.grants.setdefault(client_id, set())
        (tenants.add if request.method == "PUT" else tenants.discard)(tenant)
        self._save_state()
        return Response(status_code=204)

    async def rotate(self, request: Request) -> JSONResponse:
        """A new signing key; the old one leaves the JWKS (the `rotate_signing_key` capability)."""
        refused = self._refuse_non_admin(request)
        if refused is not None:
            return refused
        kid = self.keys.rotate(retire_old=not self.profile.has("rotated_key_still_trusted"))
        self._save_state()
        return JSONResponse({"kid": kid})

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
