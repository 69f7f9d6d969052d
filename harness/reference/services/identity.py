"""Identity (Keycloak-style): the token issuer and admin API, and the Target's clients."""

from __future__ import annotations

import secrets
from typing import Any

from harness.catalog import SCENARIOS
from harness.reference.identity.app import ADMIN_AUDIENCE, REALM
from harness.reference.services.base import BOTH, Build, Definition, Health, Listener, ServiceSpec

GATEWAY_AUDIENCE = "zeebe-api"
OPERATE_AUDIENCE = "operate-api"
OPTIMIZE_AUDIENCE = "optimize-api"
DEFAULT_CLIENT_ID = "zeebe"
ADMIN_CLIENT_ID = "harness-admin"
DEFAULT_TENANT = "<default>"
# One Identity client per business unit, each granted its own tenant (the tenancy scenario's cast) and
# used by the unit's worker: Target client name -> (folder, tenant).
BUSINESS_UNITS = {"bu_a": ("bu-a", "tenant-a"), "bu_b": ("bu-b", "tenant-b")}
# The oidc Orchestration Cluster's tenancy cast: a client it assigns to one of its own tenants (Target name, id).
TENANT_OPERATOR = ("tenant_operator", "tenant-operator")
ENV = {
    "default": ("ZEEBE_CLIENT_ID", "ZEEBE_CLIENT_SECRET"),
    "admin": ("HARNESS_IDENTITY_ADMIN_ID", "HARNESS_IDENTITY_ADMIN_SECRET"),
    **{name: (f"HARNESS_{name.upper()}_CLIENT_ID", f"HARNESS_{name.upper()}_CLIENT_SECRET")
       for name in (*BUSINESS_UNITS, TENANT_OPERATOR[0])},
}
CLIENT_IDS = {"default": DEFAULT_CLIENT_ID, "admin": ADMIN_CLIENT_ID,
              **{name: client_id for name, (client_id, _) in BUSINESS_UNITS.items()},
              TENANT_OPERATOR[0]: TENANT_OPERATOR[1]}
# The harness's own clients' secrets end in characters that change form on the way out (URL-special ones,
# quotes, a backslash, a non-ASCII letter), so every run proves the redaction of their encoded forms too.
# They go in the token request's body, form-encoded. The business units' secrets stay URL-safe: their
# workers (pyzeebe) send them in an HTTP Basic header, where RFC 6749 2.3.1 wants them form-encoded first
# and clients and servers differ on it (our Identity refused pyzeebe's header for such a secret).
SECRET_SPECIALS = "+/&=%\"'\\é"
HARNESS_CLIENTS = ("default", "admin")
# Short caches keep the tenancy scenario quick; the Target states them as the bounds checks may wait.
JWKS_CACHE_S = 1
TENANT_CACHE_S = 1
# The clock leeway on exp and nbf of the reference stack's most lenient verifier (the proxy; the emulators'
# PyJWT allows none); the Target states it as identity.clock_skew_s.
TOKEN_LEEWAY_S = 5


def _target_client(name: str, audience: str, **extra: Any) -> dict[str, Any]:
    """The Target's `clients.<name>`: the variables its credentials are in, its audience, `extra` fields."""
    return {"client_id_env": ENV[name][0], "client_secret_env": ENV[name][1], "audience": audience, **extra}


class IdentityService(Definition):
    def credentials(self) -> dict[str, str]:
        environ = {ENV[name][0]: client_id for name, client_id in CLIENT_IDS.items()}
        environ.update({secret_env: secrets.token_urlsafe(24) + (SECRET_SPECIALS if name in HARNESS_CLIENTS else "")
                        for name, (_, secret_env) in ENV.items()})
        return environ

    def _clients(self, build: Build) -> dict[str, dict[str, Any]]:
        """Identity's client table. The default client also reads Operate and Optimize's public API (it is
        the Target's `optimize.client`). The business units' clients never get Optimize's API audience:
        that API is not tenant-filtered, so whoever holds its audience reads every tenant's data (weakness
        optimize_audience_too_broad hands it to them)."""
        unit_audiences = [GATEWAY_AUDIENCE, OPERATE_AUDIENCE]
        if build.profile.has("optimize_audience_too_broad"):
            unit_audiences.append(OPTIMIZE_AUDIENCE)
        secret = {name: build.environ[ENV[name][1]] for name in ENV}
        return {
            DEFAULT_CLIENT_ID: {"secret": secret["default"], "tenants": [DEFAULT_TENANT],
                                "audiences": [GATEWAY_AUDIENCE, OPERATE_AUDIENCE, OPTIMIZE_AUDIENCE]},
            ADMIN_CLIENT_ID: {"secret": secret["admin"], "audiences": [ADMIN_AUDIENCE], "admin": True},
            **{client_id: {"secret": secret[name], "tenants": [tenant], "audiences": unit_audiences}
               for name, (client_id, tenant) in BUSINESS_UNITS.items()},
            TENANT_OPERATOR[1]: {"secret": secret[TENANT_OPERATOR[0]], "audiences": [GATEWAY_AUDIENCE]},
        }

    def specs(self, build: Build) -> tuple[ServiceSpec, ...]:
        argv = build.python_service("identity", {
            **build.listen("identity"), "issuer": build.issuer, "tls": build.tls("identity"),
            "clients": self._clients(build), "state_file": str(build.run_dir / "identity-state.json"),
            "weaknesses": build.weaknesses,
        })
        return (ServiceSpec(self.name, argv, (Health("https", "identity", "/health/ready"),)),)

    def target(self, build: Build) -> dict[str, Any]:
        issuer = build.issuer
        return {
            "identity": {"token_url": f"{issuer}/protocol/openid-connect/token",
                         "jwks_url": f"{issuer}/protocol/openid-connect/certs", "issuer": issuer,
                         "admin_url": f"https://{build.external('identity')}/auth/admin/realms/{REALM}",
                         "admin_client": "admin", "management_url": f"https://{build.external('identity')}",
                         # nginx keeps a cached JWKS up to a second past its TTL (whole-second expiry), a
                         # token's verdict cached from it holds at most one more TTL, plus a second for the
                         # fetch and the gateway's own refetch.
                         "key_rotation_s": 2 * JWKS_CACHE_S + 2, "tenant_grant_ttl_s": TENANT_CACHE_S,
                         "clock_skew_s": TOKEN_LEEWAY_S},
            "clients": {
                "default": _target_client("default", GATEWAY_AUDIENCE),
                "admin": _target_client("admin", ADMIN_AUDIENCE),
                **{name: _target_client(name, GATEWAY_AUDIENCE, tenants=[tenant])
                   for name, (_, tenant) in BUSINESS_UNITS.items()},
                TENANT_OPERATOR[0]: _target_client(TENANT_OPERATOR[0], GATEWAY_AUDIENCE),
            },
        }


DEFINITION = IdentityService(
    name="identity",
    listeners={"identity": Listener("identity", 8443, client_facing=True)},
    # Every scenario's clients get their tokens here.
    scenarios=frozenset(SCENARIOS),
    weaknesses={"rotated_key_still_trusted": BOTH, "optimize_audience_too_broad": BOTH},
    capabilities=("mint_token", "grant_tenant", "rotate_signing_key"),
)
