"""Authentication mode `identity` (ZEEBE_GATEWAY_SECURITY_AUTHENTICATION_MODE=identity) and tenant grants.

Like Zeebe's IdentityInterceptor: the bearer token is verified against Identity's JWKS (cached for
`jwks_ttl_s`, refetched early for an unknown `kid`, so a key rotation is followed within that bound), and
with multi-tenancy enabled the caller's tenants are asked from Identity (`GET /api/tenants` with the
caller's token), cached per client for `tenant_ttl_s`. When Identity cannot say, the call is refused.
Mode `none` trusts the network (the auth proxy in front) and sees only `<default>`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
import time
import urllib.request
from typing import Any

import grpc
import jwt

from harness.reference.profile import Profile
from harness.reference.zeebe.engine import DEFAULT_TENANT, Rejection
from harness.reference.zeebe.tenancy import Caller

log = logging.getLogger("zeebe.auth")
HTTP_TIMEOUT_S = 2.0
MIN_REFETCH_S = 0.2
NO_TOKEN = "Expected bearer token at header with key [Authorization], but found nothing"
BAD_TOKEN = "Failed to parse bearer token, see cause for details"
NO_TENANTS = "Expected Identity to provide authorized tenants, see cause for details"


def _unauthenticated(message: str) -> Rejection:
    return Rejection(grpc.StatusCode.UNAUTHENTICATED, message)


class IdentityHttp:
    """Blocking GETs against Identity over TLS with the stack's CA; run in a thread by the callers."""

    def __init__(self, ca_file: str) -> None:
        self.context = ssl.create_default_context(cafile=ca_file)

    def get_json(self, url: str, token: str | None = None) -> Any:
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_S, context=self.context) as response:
            return json.loads(response.read())


class JwksCache:
    """Identity's signing keys; stale keys are kept only while Identity cannot be reached (it cannot have
    rotated them then), never once a fresh JWKS without them has been read."""

    def __init__(self, http: IdentityHttp, url: str, ttl_s: float) -> None:
        self.http, self.url, self.ttl_s = http, url, ttl_s
        self.keys: dict[str, jwt.PyJWK] = {}
        self.fetched_at = float("-inf")

    async def _refresh(self) -> None:
        try:
            data = await asyncio.to_thread(self.http.get_json, self.url)
            self.keys = {key.key_id: key for key in jwt.PyJWKSet.from_dict(data).keys if key.key_id}
        except (OSError, ValueError, jwt.PyJWKSetError) as exc:
            log.warning("JWKS refresh failed (%s); keeping the last keys read", type(exc).__name__)
        self.fetched_at = time.monotonic()

    async def key(self, kid: str) -> jwt.PyJWK | None:
        age = time.monotonic() - self.fetched_at
        if age > self.ttl_s or (kid not in self.keys and age > MIN_REFETCH_S):
            await self._refresh()
        return self.keys.get(kid)


class TenantGrants:
    """Tenants per client, as Identity reports them for the caller's token, cached for `ttl_s`."""

    def __init__(self, http: IdentityHttp, url: str, ttl_s: float, profile: Profile) -> None:
        self.http, self.url, self.ttl_s, self.profile = http, url, ttl_s, profile
        self.cache: dict[str, tuple[float, frozenset[str]]] = {}

    async def for_token(self, client_id: str, token: str) -> frozenset[str] | None:
        cached = self.cache.get(client_id)
        if cached is not None and time.monotonic() - cached[0] < self.ttl_s:
            return cached[1]
        try:
            tenants = frozenset(str(t["tenantId"]) for t in await asyncio.to_thread(self.http.get_json, self.url, token))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("tenant lookup failed: %s", type(exc).__name__)
            if self.profile.has("identity_down_fail_open"):
                return None
            raise _unauthenticated(NO_TENANTS) from None
        if cached is not None and self.profile.has("tenant_revocation_ignored"):
            tenants |= cached[1]  # new grants are merged in, but nothing once granted is ever dropped
        self.cache[client_id] = (time.monotonic(), tenants)
        return tenants


class Authenticator:
    """Turns a call's metadata into a Caller, or a Rejection with Zeebe's UNAUTHENTICATED messages."""

    def __init__(self, mode: str, multi_tenancy: bool, identity: dict[str, Any] | None, profile: Profile) -> None:
        if mode not in ("none", "identity"):
            raise ValueError(f"auth_mode: expected none or identity, got {mode!r}")
        if multi_tenancy and mode != "identity":
            raise ValueError("multi_tenancy: multi-tenancy requires authentication mode identity")
        self.mode, self.multi_tenancy, self.profile = mode, multi_tenancy, profile
        self.identity = identity or {}
        if mode == "identity":
            http = IdentityHttp(self.identity["ca_file"])
            self.jwks = JwksCache(http, self.identity["jwks_url"], float(self.identity.get("jwks_ttl_s", 5)))
            self.grants = TenantGrants(http, self.identity["tenants_url"],
                                       float(self.identity.get("tenant_ttl_s", 5)), profile)

    async def verify(self, authorization: str | None, audience: str) -> tuple[dict[str, Any], str]:
        """The claims of a valid bearer token for `audience`, and the token itself."""
        if not authorization:
            raise _unauthenticated(NO_TOKEN)
        token = authorization.removeprefix("Bearer ")
        try:
            kid = jwt.get_unverified_header(token).get("kid", "")
            key = await self.jwks.key(str(kid))
            if key is None:
                raise jwt.InvalidKeyError("no signing key with this kid")
            claims = jwt.decode(token, key, algorithms=["RS256"], audience=audience,
                                issuer=self.identity["issuer"], options={"require": ["exp", "iss", "aud"]})
        except jwt.PyJWTError as exc:
            log.info("token refused: %s", type(exc).__name__)
            raise _unauthenticated(BAD_TOKEN) from None
        return claims, token

    async def caller(self, authorization: str | None, audience: str | None = None) -> Caller:
        if self.mode == "none":
            return Caller(multi_tenancy=False, tenants=frozenset({DEFAULT_TENANT}))
        claims, token = await self.verify(authorization, audience or self.identity["audience"])
        client_id = str(claims.get("azp", claims.get("sub", "")))
        if not self.multi_tenancy:
            return Caller(False, frozenset({DEFAULT_TENANT}), client_id)
        if self.profile.has("tenant_check_off"):
            return Caller(True, None, client_id)
        return Caller(True, await self.grants.for_token(client_id, token), client_id)


def authorization_of(context: grpc.aio.ServicerContext) -> str | None:
    for key, value in context.invocation_metadata() or ():
        if key == "authorization":
            return value if isinstance(value, str) else value.decode()
    return None
