"""Optimize: reports over what Zeebe exported, a public API taking Identity tokens, a web UI with a login."""

from __future__ import annotations

from typing import Any

from harness.reference import proxy
from harness.reference.optimize import seed as optimize_seed
from harness.reference.profile import Profile
from harness.reference.proxy import ingress
from harness.reference.services import search
from harness.reference.services.base import BOTH, Build, Definition, Health, Listener, ServiceSpec
from harness.reference.services.identity import JWKS_CACHE_S, OPTIMIZE_AUDIENCE, TENANT_CACHE_S
from harness.reference.services.zeebe import ZEEBE_RECORD_PREFIX

OPTIMIZE_IMPORT_INTERVAL_MS = 500
INGRESS, INGRESS_HTTP = "optimize-ingress", "optimize-ingress-http"


def security(profile: Profile) -> dict[str, Any]:
    """Optimize's `security` section as a hardened install sets it: every header key Optimize has
    (`security.responseHeaders`), and the session cookie's settings (weakness cookie_flags_missing turns
    off the two Optimize has; HttpOnly has none). The other headers weaknesses act at the ingress, where
    the secure stack has those controls (proxy/ingress.py)."""
    weak = profile.has("cookie_flags_missing")
    return {"responseHeaders": {"HSTS": {"max-age": 63072000, "includeSubDomains": True},
                                "X-XSS-Protection": "1; mode=block", "X-Content-Type-Options": True,
                                "Content-Security-Policy": ingress.SECURE_CSP},
            "auth": {"cookie": {"same-site": {"enabled": not weak}, "secure": "false" if weak else "auto"}}}


class OptimizeService(Definition):
    def specs(self, build: Build) -> tuple[ServiceSpec, ...]:
        tls = build.tls("optimize")
        argv = build.python_service("optimize", {
            "listeners": [{**build.listen("optimize"), "tls": tls, "multitenancy": {"enabled": True}},
                          {**build.listen("optimize-single-tenant"), "tls": tls, "multitenancy": {"enabled": False}}],
            "api": {"jwtSetUri": build.internal_jwks_url, "audience": OPTIMIZE_AUDIENCE, "issuer": build.issuer,
                    "jwks_ttl_s": JWKS_CACHE_S},
            "identity": {"baseUrl": build.internal_identity, "ca_file": str(build.pki.ca_file),
                         "token_url": build.internal_token_url},
            "caches": {"cloudTenantAuthorizations": {"defaultTtlMillis": TENANT_CACHE_S * 1000}},
            "es": search.access(build),
            "zeebe": {"name": ZEEBE_RECORD_PREFIX, "importIntervalMillis": OPTIMIZE_IMPORT_INTERVAL_MS},
            "security": security(build.profile),
            "weaknesses": build.weaknesses,
        })
        return (ServiceSpec(self.name, argv, (Health("https", "optimize", "/api/readyz"),
                                              Health("tcp", "optimize-single-tenant"))),
                self._ingress(build))

    @staticmethod
    def _ingress(build: Build) -> ServiceSpec:
        """nginx in front of Optimize's multi-tenant listener: what clients reach as optimize.url."""
        run_dir, bind, upstream = build.run_dir / INGRESS, build.placements[INGRESS].bind, build.internal("optimize")
        config = ingress.render(run_dir, ingress.IngressSettings(
            host=bind.host, https_port=bind.port, http_port=build.placements[INGRESS_HTTP].bind.port,
            https_url=f"https://{build.external(INGRESS)}", upstream_host=upstream.host, upstream_port=upstream.port,
            cert=build.pki.issue(INGRESS), ca_file=build.pki.ca_file, profile=build.profile,
            resolver=build.runtime.resolver))
        return ServiceSpec(INGRESS, tuple(proxy.command(run_dir, config, build.runtime.nginx)),
                           (Health("https", INGRESS, "/api/readyz"), Health("tcp", INGRESS_HTTP)))

    def target(self, build: Build) -> dict[str, Any]:
        return {"optimize": {"url": f"https://{build.external(INGRESS)}",
                             "http_url": f"http://{build.external(INGRESS_HTTP)}",
                             "single_tenant_url": f"https://{build.external('optimize-single-tenant')}",
                             "audience": OPTIMIZE_AUDIENCE, "collection_ids": [optimize_seed.COLLECTION_ID],
                             "client": "default", "login_form": True,
                             "import_backoff_s": OPTIMIZE_IMPORT_INTERVAL_MS / 1000}}


DEFINITION = OptimizeService(
    name="optimize",
    # Optimize's HTTPS container port (8091; its plain-HTTP port is closed), reached by clients through the
    # ingress (https and a plain-HTTP redirect), plus a second HTTPS listener of the same process with
    # multi-tenancy disabled, reached directly, so the `<default>`-only rule is tested on the same data.
    listeners={
        "optimize": Listener("optimize", 8091, client_facing=False),
        "optimize-single-tenant": Listener("optimize", 8092, client_facing=True),
        INGRESS: Listener(INGRESS, 8443, client_facing=True),
        INGRESS_HTTP: Listener(INGRESS, 8080, client_facing=True),
    },
    depends_on=("identity", "search"),
    scenarios=frozenset({"tls", "auth", "tenancy", "headers", "load", "secrets"}),
    weaknesses={name: BOTH for name in (
        "optimize_http_open", "optimize_api_open", "optimize_exp_ignored", "optimize_tenant_leak", "mt_disabled_leak",
        "identity_down_fail_open", "tenant_revocation_ignored", "hsts_missing", "csp_missing", "nosniff_missing", "frame_protection_missing",
        "referrer_policy_missing", "server_banner", "cookie_flags_missing", "headers_missing_on_errors")},
)
