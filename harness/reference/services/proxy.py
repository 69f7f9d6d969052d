"""The auth proxy (nginx + njs) in front of the gateway: TLS termination and bearer-token checks."""

from __future__ import annotations

from typing import Any

from harness.reference import proxy, tls_policy
from harness.reference.services.base import BOTH, Build, Definition, Health, Listener, ServiceSpec
from harness.reference.services.identity import GATEWAY_AUDIENCE, JWKS_CACHE_S, TOKEN_LEEWAY_S


class ProxyService(Definition):
    def specs(self, build: Build) -> tuple[ServiceSpec, ...]:
        proxy_dir = build.run_dir / "proxy"
        bind, upstream = build.placements["proxy"].bind, build.internal("zeebe")
        nginx_conf = proxy.render(proxy_dir, proxy.ProxySettings(
            port=bind.port, upstream_port=upstream.port,
            cert=tls_policy.client_facing_cert(build.pki, "proxy", build.profile), ca_file=build.pki.ca_file,
            issuer=build.issuer, jwks_url=build.internal_jwks_url, audience=GATEWAY_AUDIENCE,
            profile=build.profile, leeway_s=TOKEN_LEEWAY_S, jwks_cache_s=JWKS_CACHE_S, host=bind.host,
            upstream_host=upstream.host, resolver=build.runtime.resolver,
        ), build.runtime.js_module)
        argv = tuple(proxy.command(proxy_dir, nginx_conf, build.runtime.nginx))
        return (ServiceSpec(self.name, argv, (Health("tcp", "proxy"),)),)

    def target(self, build: Build) -> dict[str, Any]:
        return {"gateway": {"address": str(build.external("proxy")), "tls": not build.profile.has("tls_off"),
                            "direct_address": str(build.internal("zeebe")),
                            "tenancy_address": str(build.external("zeebe-tenancy"))}}


DEFINITION = ProxyService(
    name="proxy",
    listeners={"proxy": Listener("proxy", 8443, client_facing=True)},
    depends_on=("zeebe", "identity"),
    scenarios=frozenset({"tls", "auth", "tenancy", "secrets", "headers", "load"}),
    weaknesses={name: BOTH for name in (
        "tls_off", "tls_legacy_versions", "weak_ciphers", "cert_expired", "cert_wrong_host", "cert_untrusted",
        "proxy_auth_off", "alg_none_accepted", "hs256_key_confusion", "exp_ignored", "nbf_ignored", "aud_ignored",
        "iss_ignored", "aud_prefix_match", "iss_prefix_match", "exp_leeway_excessive", "signature_unchecked",
        "token_in_query_accepted", "rpc_partially_guarded", "auth_cache_bypass", "slow_auth", "banner_on_gateway")},
)
