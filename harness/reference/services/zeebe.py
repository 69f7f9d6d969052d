"""The Zeebe gateway emulator: one engine on three listeners, plus Operate's REST API in the same process.

Plaintext gRPC for the proxy (auth mode none: the proxy checks tokens), gRPC over TLS in auth mode
identity with multi-tenancy (as Zeebe 8.3+ requires for tenants), and Operate's API over the same data.
"""

from __future__ import annotations

from typing import Any

from harness.reference.services import search
from harness.reference.services.base import (
    BOTH,
    DOCKER_ONLY,
    Build,
    Definition,
    Health,
    Listener,
    ServiceSpec,
)
from harness.reference.services.identity import (
    GATEWAY_AUDIENCE,
    JWKS_CACHE_S,
    OPERATE_AUDIENCE,
    TENANT_CACHE_S,
)

# Zeebe's exporter flushes every half second (its `bulk.delay` default is 5 s), so a variable reaches
# Optimize (which imports every half second) about a second after it is written.
EXPORTER_BULK_DELAY_S = 0.5
ZEEBE_RECORD_PREFIX = "zeebe-record"


class ZeebeService(Definition):
    def specs(self, build: Build) -> tuple[ServiceSpec, ...]:
        tls = build.tls("zeebe")
        argv = build.python_service("zeebe", {
            "listeners": [{**build.listen("zeebe"), "auth_mode": "none", "multi_tenancy": False},
                          {**build.listen("zeebe-tenancy"), "auth_mode": "identity", "multi_tenancy": True,
                           "tls": tls}],
            "identity": {"issuer": build.issuer, "jwks_url": build.internal_jwks_url,
                         "tenants_url": f"{build.internal_identity}/api/tenants", "audience": GATEWAY_AUDIENCE,
                         "ca_file": str(build.pki.ca_file), "jwks_ttl_s": JWKS_CACHE_S,
                         "tenant_ttl_s": TENANT_CACHE_S},
            "operate": {**build.listen("operate"), "tls": tls, "audience": OPERATE_AUDIENCE},
            "exporters": {"elasticsearch": {"args": {**search.access(build), "bulk": {"delay": EXPORTER_BULK_DELAY_S},
                                                     "index": {"prefix": ZEEBE_RECORD_PREFIX}}}},
            "weaknesses": build.weaknesses,
        })
        return (ServiceSpec(self.name, argv, (Health("grpc", "zeebe"), Health("tcp", "zeebe-tenancy"),
                                              Health("tcp", "operate"))),)

    def target(self, build: Build) -> dict[str, Any]:
        return {"operate": {"url": f"https://{build.external('operate')}", "audience": OPERATE_AUDIENCE},
                "exporter": {"index_prefix": ZEEBE_RECORD_PREFIX, "bulk_delay_s": EXPORTER_BULK_DELAY_S}}


DEFINITION = ZeebeService(
    name="zeebe",
    listeners={
        "zeebe": Listener("zeebe", 26500, client_facing=False),
        "zeebe-tenancy": Listener("zeebe", 26443, client_facing=True),
        "operate": Listener("zeebe", 8081, client_facing=True),
    },
    depends_on=("identity", "search"),
    scenarios=frozenset({"tls", "auth", "tenancy", "secrets", "headers", "load"}),
    weaknesses={
        "tenant_check_off": BOTH,
        "tenant_case_insensitive": BOTH,
        "identity_down_fail_open": BOTH,
        "tenant_revocation_ignored": BOTH,
        # Server reflection served beside the Gateway API (and forwarded by the proxy without a token).
        "grpc_reflection_open": BOTH,
        "route_partially_guarded": BOTH,  # Operate's variable search outside the token check
        # A placement, not a switch in the emulator: only separate networks can expose what should not be.
        "gateway_exposed": DOCKER_ONLY,
    },
)
