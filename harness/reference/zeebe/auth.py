"""Authentication mode `identity` (ZEEBE_GATEWAY_SECURITY_AUTHENTICATION_MODE=identity) and tenant grants.

Like Zeebe's IdentityInterceptor: the bearer token is verified against Identity's JWKS (cached for
`jwks_ttl_s`, refetched early for an unknown `kid`, so a key rotation is followed within that bound), and
with multi-tenancy enabled the caller's tenants are asked from Identity (`GET /api/tenants` with the
caller's token), cached per token for `tenant_ttl_s` (Zeebe's IdentityTenantService). When Identity cannot say, the call is refused.
Mode `none` trusts the network (the auth proxy in front) and sees only `<default>`.
"""

from __future__ import annotations

import logging
from typing import Any

import grpc
import jwt

from harness.reference.identity_client import (
    IdentityHttp,
    IdentityUnavailable,
    JwksCache,
    TenantGrants,
    client_id_of,
)
from harness.reference.profile import Profile
from harness.reference.zeebe.engine import DEFAULT_TENANT, Rejection
from harness.reference.zeebe.tenancy import Caller

log = logging.getLogger("zeebe.auth")
NO_TOKEN = "Expected bearer token at header with key [Authorization], but found nothing"
BAD_TOKEN = "Failed to parse bearer token, see cause for details"
NO_TENANTS = "Expected Identity to provide authorized tenants, see cause for details"


def _unauthenticated(message: str) -> Rejection:
    return Rejection(grpc.StatusCode.UNAUTHENTICATED, message)


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
                                       float(self.identity.get("tenant_ttl_s", 5)), profile, per_token=True)

    async def verify(self, authorization: str | None, audience: str) -> tuple[dict[str, Any], str]:
        """The claims of a valid bearer token for `audience`, and the token itself."""
        if not authorization:
            raise _unauthenticated(NO_TOKEN)
        token = authorization.removeprefix("Bearer ")
        try:
            claims = await self.jwks.verify(token, audience, self.identity["issuer"])
        except jwt.PyJWTError as exc:
            log.info("token refused: %s", type(exc).__name__)
            raise _unauthenticated(BAD_TOKEN) from None
        return claims, token

    async def caller(self, authorization: str | None, audience: str | None = None) -> Caller:
        if self.mode == "none":
            return Caller(multi_tenancy=False, tenants=frozenset({DEFAULT_TENANT}))
        claims, token = await self.verify(authorization, audience or self.identity["audience"])
        client_id = client_id_of(claims)
        if not self.multi_tenancy:
            return Caller(False, frozenset({DEFAULT_TENANT}), client_id)
        if self.profile.has("tenant_check_off"):
            return Caller(True, None, client_id)
        try:
            tenants = await self.grants.for_token(client_id, token)
        except IdentityUnavailable:
            raise _unauthenticated(NO_TENANTS) from None
        return Caller(True, tenants, client_id, fold_case=self.profile.has("tenant_case_insensitive"))


def authorization_of(context: grpc.aio.ServicerContext) -> str | None:
    for key, value in context.invocation_metadata() or ():
        if key == "authorization":
            return value if isinstance(value, str) else value.decode()
    return None
