"""How a reference service trusts Identity: its JWKS (cached), bearer token verification, tenant grants.

The Zeebe gateway (auth mode `identity`) and Optimize (`api.jwtSetUri`, `api.audience`, and the tenant
authorizations of `security.auth.ccsm.baseUrl`) both do this, so they share one implementation:

- `JwksCache` keeps Identity's signing keys for `ttl_s` and refetches early for an unknown `kid`, so a
  key rotation is followed within that bound; stale keys are kept only while Identity cannot be reached
  (it cannot have rotated them then), never once a fresh JWKS without them has been read.
- `TenantGrants` asks Identity which tenants a caller's token may use (`GET /api/tenants`, as Camunda's
  Identity SDK does), cached for `ttl_s`: per token in Zeebe (its `IdentityTenantService` keys a Guava
  cache by the token, 5 s after write, at most 1000 entries), per client in Optimize
  (`caches.cloudTenantAuthorizations`). When Identity cannot say, it raises `IdentityUnavailable`, and each
  service fails closed in its own way; weakness `identity_down_fail_open` answers "every tenant" instead,
  and `tenant_revocation_ignored` never drops a tenant once granted.
"""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
import time
import urllib.parse
import urllib.request
from typing import Any

import jwt

from harness.reference.profile import Profile

log = logging.getLogger("identity-client")
HTTP_TIMEOUT_S = 2.0
MIN_REFETCH_S = 0.2


class IdentityUnavailable(Exception):
    """Identity could not say which tenants a caller has (unreachable, or an answer that is not a list)."""


class IdentityHttp:
    """Blocking calls to Identity over TLS with the stack's CA; run in a thread by the callers."""

    def __init__(self, ca_file: str) -> None:
        self.context = ssl.create_default_context(cafile=ca_file)

    def get_json(self, url: str, token: str | None = None) -> Any:
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
        return self._json(request)

    def post_form(self, url: str, form: dict[str, str]) -> Any:
        return self._json(urllib.request.Request(url, data=urllib.parse.urlencode(form).encode()))

    def _json(self, request: urllib.request.Request) -> Any:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_S, context=self.context) as response:
            return json.loads(response.read())


class JwksCache:
    """Identity's signing keys by `kid`, refreshed after `ttl_s`."""

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

    async def verify(self, token: str, audience: str, issuer: str, *, audience_only: bool = False) -> dict[str, Any]:
        """The claims of an RS256 token signed by a published key, for `audience` from `issuer`, valid now;
        jwt.PyJWTError otherwise (callers log only its type: the token itself is a secret).

        `audience_only` checks the signature and the audience and nothing else, as Optimize's public-API
        decoder did while `setJwtValidator(new AudienceValidator(...))` replaced Spring's default validators
        (CCSMSecurityConfigurerAdapter, see ../shared/FIDELITY.md): weakness optimize_exp_ignored."""
        kid = jwt.get_unverified_header(token).get("kid", "")
        key = await self.key(str(kid))
        if key is None:
            raise jwt.InvalidKeyError("no signing key with this kid")
        if audience_only:
            return jwt.decode(token, key, algorithms=["RS256"], audience=audience,
                              options={"require": ["aud"], "verify_exp": False, "verify_nbf": False,
                                       "verify_iss": False, "verify_iat": False})
        return jwt.decode(token, key, algorithms=["RS256"], audience=audience, issuer=issuer,
                          options={"require": ["exp", "iss", "aud"]})


class TenantGrants:
    """Tenants per caller, as Identity reports them for the caller's token, cached for `ttl_s` under the token
    (`per_token`, Zeebe) or the client id (Optimize), keeping at most `MAX_CACHED` callers."""

    MAX_CACHED = 1000

    def __init__(self, http: IdentityHttp, url: str, ttl_s: float, profile: Profile, *,
                 per_token: bool = False) -> None:
        self.http, self.url, self.ttl_s, self.profile, self.per_token = http, url, ttl_s, profile, per_token
        self.cache: dict[str, tuple[float, frozenset[str]]] = {}

    async def for_token(self, client_id: str, token: str) -> frozenset[str] | None:
        """The caller's tenants; None (every tenant) only under `identity_down_fail_open`."""
        key = token if self.per_token else client_id
        cached = self.cache.get(key)
        if cached is not None and time.monotonic() - cached[0] < self.ttl_s:
            return cached[1]
        try:
            answer = await asyncio.to_thread(self.http.get_json, self.url, token)
            tenants = frozenset(str(t["tenantId"]) for t in answer)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("tenant lookup failed: %s", type(exc).__name__)
            if self.profile.has("identity_down_fail_open"):
                return None
            raise IdentityUnavailable(type(exc).__name__) from None
        if cached is not None and self.profile.has("tenant_revocation_ignored"):
            tenants |= cached[1]  # new grants are merged in, but nothing once granted is ever dropped
        self._remember(key, tenants)
        return tenants

    def _remember(self, key: str, tenants: frozenset[str]) -> None:
        """Cache an answer; past MAX_CACHED callers the oldest entry goes (Guava's size bound)."""
        self.cache.pop(key, None)
        if len(self.cache) >= self.MAX_CACHED:
            del self.cache[next(iter(self.cache))]
        self.cache[key] = (time.monotonic(), tenants)


def client_id_of(claims: dict[str, Any]) -> str:
    """The OAuth client a token was issued to (Keycloak's `azp`, else the subject)."""
    return str(claims.get("azp", claims.get("sub", "")))
