"""The reference stack's composition, shared by the local and docker backends.

Which services run, which listeners each has, what each one's config says, how they reach each other and
how a client reaches them. A backend decides only where the addresses come from (free loopback ports, or
container names on private networks with some ports published on 127.0.0.1) and how a service is run.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from harness.reference import proxy, tls_policy
from harness.reference.identity.app import ADMIN_AUDIENCE, REALM
from harness.reference.optimize import headers as optimize_headers
from harness.reference.optimize import seed as optimize_seed
from harness.reference.pki import DEFAULT_HOSTS, Pki
from harness.reference.profile import Profile
from harness.reference.runtime import write_config
from harness.reference.vault import seed as vault_seed


@dataclasses.dataclass(frozen=True)
class Listener:
    """One port of one service: the port it has inside a container, and whether clients may reach it."""

    service: str
    container_port: int
    client_facing: bool


# The zeebe process serves one engine on three listeners: plaintext gRPC for the proxy (auth mode none,
# the proxy checks tokens), gRPC over TLS in auth mode identity with multi-tenancy (as Zeebe 8.3+ requires
# for tenants), and Operate's REST API.
LISTENERS = {
    "identity": Listener("identity", 8443, client_facing=True),
    "zeebe": Listener("zeebe", 26500, client_facing=False),
    "zeebe-tenancy": Listener("zeebe", 26443, client_facing=True),
    "operate": Listener("zeebe", 8081, client_facing=True),
    "proxy": Listener("proxy", 8443, client_facing=True),
    # Elasticsearch stays internal in a real deployment: only Optimize and the stack reach it.
    "search": Listener("search", 9200, client_facing=False),
    # Vault serves workers, and operators and CI pipelines that rotate secrets through its API.
    "vault": Listener("vault", 8200, client_facing=True),
    # Optimize's HTTPS and plain-HTTP container ports (8091, 8090), plus a second HTTPS listener of the same
    # process with multi-tenancy disabled, so the `<default>`-only rule is tested on the same data.
    "optimize": Listener("optimize", 8091, client_facing=True),
    "optimize-http": Listener("optimize", 8090, client_facing=True),
    "optimize-single-tenant": Listener("optimize", 8092, client_facing=True),
    # The system the workers call; only they reach it.
    "downstream": Listener("downstream", 8443, client_facing=False),
}
# One job-worker runtime per business unit; its actuator (health only) is what monitoring reaches.
BUSINESS_UNITS = {"bu_a": ("bu-a", "tenant-a"), "bu_b": ("bu-b", "tenant-b")}
WORKERS = {unit: f"worker-{folder}" for unit, (folder, _) in BUSINESS_UNITS.items()}
LISTENERS.update({service: Listener(service, 8080, client_facing=True) for service in WORKERS.values()})
SERVICES = ("identity", "zeebe", "proxy", "search", "vault", "optimize", "downstream", *WORKERS.values())
GATEWAY_AUDIENCE = "zeebe-api"
OPERATE_AUDIENCE = "operate-api"
OPTIMIZE_AUDIENCE = "optimize-api"
# A Jetty banner as an unhardened Optimize sends it (weakness server_banner).
JETTY_BANNER = "Jetty(9.4.51.v20230217)"
DEFAULT_CLIENT_ID = "zeebe"
ADMIN_CLIENT_ID = "harness-admin"
ENV = {
    "default": ("ZEEBE_CLIENT_ID", "ZEEBE_CLIENT_SECRET"),
    "admin": ("HARNESS_IDENTITY_ADMIN_ID", "HARNESS_IDENTITY_ADMIN_SECRET"),
}
# One Identity client per business unit (BUSINESS_UNITS), each granted its own tenant (the tenancy
# scenario's cast) and used by the unit's worker.
ENV.update({name: (f"HARNESS_{name.upper()}_CLIENT_ID", f"HARNESS_{name.upper()}_CLIENT_SECRET")
            for name in BUSINESS_UNITS})
# Elasticsearch's built-in superuser; its password is generated per stack and lives only in this variable.
SEARCH_USER = "elastic"
SEARCH_PASSWORD_ENV = "HARNESS_SEARCH_PASSWORD"
# Short caches keep the tenancy scenario quick; the Target states them as the bounds checks may wait.
JWKS_CACHE_S = 1
TENANT_CACHE_S = 1
# Short so the secrets scenario is quick; a production worker waits longer (the Vault article uses 60 s).
RETRY_BACKOFF_MS = 500
# Zeebe's exporter flushes every half second (its `bulk.delay` default is 5 s) and Optimize imports every
# half second, so a variable reaches Optimize about a second after it is written.
EXPORTER_BULK_DELAY_S = 0.5
OPTIMIZE_IMPORT_INTERVAL_MS = 500
ZEEBE_RECORD_PREFIX = "zeebe-record"
DEFAULT_TENANT = "<default>"


@dataclasses.dataclass(frozen=True)
class Address:
    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


@dataclasses.dataclass(frozen=True)
class Placement:
    """Where a listener binds, how other services reach it, and how a client does (None: it cannot)."""

    bind: Address
    internal: Address
    external: Address | None


@dataclasses.dataclass(frozen=True)
class Health:
    kind: Literal["https", "grpc", "tcp"]
    listener: str
    path: str = ""


@dataclasses.dataclass(frozen=True)
class ServiceSpec:
    name: str
    argv: tuple[str, ...]
    health: tuple[Health, ...]


@dataclasses.dataclass(frozen=True)
class Runtime:
    """Where the services' executables are, as seen by the services (host or container)."""

    python: str
    nginx: str
    js_module: Path
    resolver: str | None = None


@dataclasses.dataclass(frozen=True)
class StackPlan:
    services: tuple[ServiceSpec, ...]
    target: dict[str, Any]
    environ: dict[str, str]
    ca_file: Path


def _external(placements: Mapping[str, Placement], listener: str) -> Address:
    address = placements[listener].external
    if address is None:
        raise ValueError(f"{listener} must be reachable by clients")
    return address


def _credentials() -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """Fresh secrets for every client: the environment the Target names, and Identity's client table."""
    environ = {ENV["default"][0]: DEFAULT_CLIENT_ID, ENV["admin"][0]: ADMIN_CLIENT_ID}
    environ.update({ENV[name][0]: client_id for name, (client_id, _) in BUSINESS_UNITS.items()})
    environ.update({secret_env: secrets.token_urlsafe(24) for _, secret_env in ENV.values()})
    clients = {
        # The default client also reads Operate and Optimize, where instances started through the proxy
        # (multi-tenancy off) live in the `<default>` tenant.
        DEFAULT_CLIENT_ID: {"secret": environ[ENV["default"][1]], "tenants": [DEFAULT_TENANT],
                            "audiences": [GATEWAY_AUDIENCE, OPERATE_AUDIENCE, OPTIMIZE_AUDIENCE]},
        ADMIN_CLIENT_ID: {"secret": environ[ENV["admin"][1]], "audiences": [ADMIN_AUDIENCE], "admin": True},
        **{client_id: {"secret": environ[ENV[name][1]], "tenants": [tenant],
                       "audiences": [GATEWAY_AUDIENCE, OPERATE_AUDIENCE, OPTIMIZE_AUDIENCE]}
           for name, (client_id, tenant) in BUSINESS_UNITS.items()},
    }
    return environ, clients


def optimize_security(profile: Profile) -> dict[str, Any]:
    """Optimize's `security` section: its secure defaults (headers.py), with each headers weakness
    switching exactly its control off."""
    response_headers: dict[str, Any] = {}
    if profile.has("hsts_missing"):
        response_headers["HSTS"] = {"max-age": None}
    if profile.has("frame_protection_missing"):  # both ways of forbidding framing go
        response_headers["X-Frame-Options"] = None
        response_headers["Content-Security-Policy"] = optimize_headers.SECURE_CSP.replace(
            "; frame-ancestors 'none'", "")
    if profile.has("csp_missing"):
        response_headers["Content-Security-Policy"] = None
    if profile.has("nosniff_missing"):
        response_headers["X-Content-Type-Options"] = False
    if profile.has("referrer_policy_missing"):
        response_headers["Referrer-Policy"] = None
    if profile.has("headers_missing_on_errors"):
        response_headers["onErrors"] = False
    flags = not profile.has("cookie_flags_missing")
    return {"responseHeaders": response_headers,
            "auth": {"cookie": {"same-site": {"enabled": flags}, "secure": flags, "http-only": flags}}}


def plan(run_dir: Path, profile: Profile, placements: Mapping[str, Placement], runtime: Runtime) -> StackPlan:
    """Write every service's config into `run_dir` and say how to start each and what Target results."""
    pki = Pki(run_dir / "pki")
    identity_base = f"https://{_external(placements, 'identity')}"
    issuer = f"{identity_base}/auth/realms/{REALM}"
    internal_identity = f"https://{placements['identity'].internal}"
    internal_jwks_url = f"{internal_identity}/auth/realms/{REALM}/protocol/openid-connect/certs"
    environ, clients = _credentials()
    environ[SEARCH_PASSWORD_ENV] = secrets.token_urlsafe(24)
    environ.update(vault_seed.credentials(BUSINESS_UNITS))
    weaknesses = sorted(profile.weaknesses)

    def listen(listener: str) -> dict[str, Any]:
        return {"host": placements[listener].bind.host, "port": placements[listener].bind.port}

    def tls(service: str) -> dict[str, str]:
        cert = pki.issue(service, (*DEFAULT_HOSTS, service))
        return {"cert_file": str(cert.cert_file), "key_file": str(cert.key_file)}

    def python_service(name: str, settings: dict[str, object], instance: str | None = None) -> tuple[str, ...]:
        config_file = write_config(run_dir / f"{instance or name}.json", settings)
        return (runtime.python, "-m", f"harness.reference.{name}", str(config_file))

    # Weakness vault_tls_off: Vault listens in plain HTTP (tls_disable) and workers use an http:// address.
    vault_plaintext = profile.has("vault_tls_off")
    internal_vault = f"{'http' if vault_plaintext else 'https'}://{placements['vault'].internal}"
    downstream_role = vault_seed.downstream_role()

    def worker_settings(unit: str) -> dict[str, Any]:
        folder = BUSINESS_UNITS[unit][0]
        return {
            "name": WORKERS[unit], "job_type": f"{folder}.call-downstream", "allowlist": [f"secrets-{folder}"],
            "gateway": {"address": str(placements["proxy"].internal), "ca_file": str(pki.ca_file),
                        "token_url": f"{internal_identity}/auth/realms/{REALM}/protocol/openid-connect/token",
                        "audience": GATEWAY_AUDIENCE, "client_id": environ[ENV[unit][0]],
                        "client_secret": environ[ENV[unit][1]]},
            "vault": {"url": internal_vault, "ca_file": str(pki.ca_file), "mount": vault_seed.MOUNT,
                      "path": vault_seed.secret_path(folder), **vault_seed.approle(unit, environ)},
            "secret_loading": "startup", "retry_backoff_ms": RETRY_BACKOFF_MS,
            "downstream_url": f"https://{placements['downstream'].internal}/api/v1/calls",
            "log_file": str(run_dir / f"{WORKERS[unit]}.log"), "weaknesses": weaknesses,
        }

    identity = python_service("identity", {
        **listen("identity"),
        "issuer": issuer, "tls": tls("identity"), "clients": clients,
        "state_file": str(run_dir / "identity-state.json"), "weaknesses": weaknesses,
    })
    # How Optimize and Zeebe's exporter reach Elasticsearch.
    search_access = {"url": f"https://{placements['search'].internal}", "username": SEARCH_USER,
                     "password": environ[SEARCH_PASSWORD_ENV], "ca_file": str(pki.ca_file)}
    zeebe_tls = tls("zeebe")
    zeebe = python_service("zeebe", {
        "listeners": [{**listen("zeebe"), "auth_mode": "none", "multi_tenancy": False},
                      {**listen("zeebe-tenancy"), "auth_mode": "identity", "multi_tenancy": True, "tls": zeebe_tls}],
        "identity": {"issuer": issuer, "jwks_url": internal_jwks_url, "tenants_url": f"{internal_identity}/api/tenants",
                     "audience": GATEWAY_AUDIENCE, "ca_file": str(pki.ca_file), "jwks_ttl_s": JWKS_CACHE_S,
                     "tenant_ttl_s": TENANT_CACHE_S},
        "operate": {**listen("operate"), "tls": zeebe_tls, "audience": OPERATE_AUDIENCE},
        "exporters": {"elasticsearch": {"args": {**search_access, "bulk": {"delay": EXPORTER_BULK_DELAY_S},
                                                 "index": {"prefix": ZEEBE_RECORD_PREFIX}}}},
        "weaknesses": weaknesses,
    })
    search = python_service("search", {
        **listen("search"), "tls": tls("search"), "password": environ[SEARCH_PASSWORD_ENV],
        "cluster_name": "harness", "weaknesses": weaknesses,
    })
    optimize_url = f"https://{_external(placements, 'optimize')}"
    optimize_tls = tls("optimize")
    optimize = python_service("optimize", {
        "listeners": [{**listen("optimize"), "tls": optimize_tls, "multitenancy": {"enabled": True}},
                      {**listen("optimize-single-tenant"), "tls": optimize_tls, "multitenancy": {"enabled": False}}],
        "http": {**listen("optimize-http"), "serve": profile.has("optimize_http_open")},
        "https_url": optimize_url,
        "api": {"jwtSetUri": internal_jwks_url, "audience": OPTIMIZE_AUDIENCE, "issuer": issuer,
                "jwks_ttl_s": JWKS_CACHE_S},
        "identity": {"baseUrl": internal_identity, "ca_file": str(pki.ca_file),
                     "token_url": f"{internal_identity}/auth/realms/{REALM}/protocol/openid-connect/token"},
        "caches": {"cloudTenantAuthorizations": {"defaultTtlMillis": TENANT_CACHE_S * 1000}},
        "es": search_access,
        "zeebe": {"name": ZEEBE_RECORD_PREFIX, "importIntervalMillis": OPTIMIZE_IMPORT_INTERVAL_MS},
        "security": optimize_security(profile),
        "container": {"serverBanner": JETTY_BANNER if profile.has("server_banner") else None},
        "weaknesses": weaknesses,
    })
    proxy_dir = run_dir / "proxy"
    nginx_conf = proxy.render(proxy_dir, proxy.ProxySettings(
        port=placements["proxy"].bind.port, upstream_port=placements["zeebe"].internal.port,
        cert=tls_policy.client_facing_cert(pki, "proxy", profile), ca_file=pki.ca_file, issuer=issuer,
        jwks_url=internal_jwks_url, audience=GATEWAY_AUDIENCE, profile=profile, jwks_cache_s=JWKS_CACHE_S,
        host=placements["proxy"].bind.host, upstream_host=placements["zeebe"].internal.host,
        resolver=runtime.resolver,
    ), runtime.js_module)
    services = (
        ServiceSpec("identity", identity, (Health("https", "identity", "/health/ready"),)),
        ServiceSpec("zeebe", zeebe, (Health("grpc", "zeebe"), Health("tcp", "zeebe-tenancy"),
                                     Health("tcp", "operate"))),
        ServiceSpec("proxy", tuple(proxy.command(proxy_dir, nginx_conf, runtime.nginx)), (Health("tcp", "proxy"),)),
        ServiceSpec("search", search, (Health("tcp", "search"),)),
        ServiceSpec("vault", python_service("vault", {
            **listen("vault"), "tls": None if vault_plaintext else tls("vault"),
            "audit_file": str(run_dir / "vault-audit.log"), "state_file": str(run_dir / "vault-state.json"),
            **vault_seed.settings(BUSINESS_UNITS, environ, profile, downstream_role), "weaknesses": weaknesses,
        }), (Health("tcp" if vault_plaintext else "https", "vault", "/v1/sys/health"),)),
        ServiceSpec("optimize", optimize, (Health("https", "optimize", "/api/readyz"), Health("tcp", "optimize-http"),
                                           Health("tcp", "optimize-single-tenant"))),
        ServiceSpec("downstream", python_service("downstream", {
            **listen("downstream"), "tls": tls("downstream"),
            "vault": {"url": internal_vault, "ca_file": str(pki.ca_file), "mount": vault_seed.MOUNT, **downstream_role},
            "accounts": {vault_seed.account(folder): vault_seed.secret_path(folder)
                         for folder, _ in BUSINESS_UNITS.values()},
        }), (Health("https", "downstream", "/health"),)),
        *(ServiceSpec(WORKERS[unit], python_service("worker", {
            **listen(WORKERS[unit]), "tls": tls(WORKERS[unit]), **worker_settings(unit)}, WORKERS[unit]),
            (Health("https", WORKERS[unit], "/actuator/health"),)) for unit in BUSINESS_UNITS),
    )
    target = {
        "gateway": {"address": str(_external(placements, "proxy")), "tls": not profile.has("tls_off"),
                    "direct_address": str(placements["zeebe"].internal),
                    "tenancy_address": str(_external(placements, "zeebe-tenancy"))},
        "identity": {"token_url": f"{issuer}/protocol/openid-connect/token",
                     "jwks_url": f"{issuer}/protocol/openid-connect/certs", "issuer": issuer,
                     "admin_url": f"{identity_base}/auth/admin/realms/{REALM}", "admin_client": "admin",
                     # nginx keeps a cached JWKS up to a second past its TTL (whole-second expiry), a
                     # token's verdict cached from it holds at most one more TTL, plus a second for the fetch
                     # and the gateway's own refetch.
                     "key_rotation_s": 2 * JWKS_CACHE_S + 2, "tenant_grant_ttl_s": TENANT_CACHE_S},
        "operate": {"url": f"https://{_external(placements, 'operate')}", "audience": OPERATE_AUDIENCE},
        "optimize": {"url": optimize_url, "http_url": f"http://{_external(placements, 'optimize-http')}",
                     "single_tenant_url": f"https://{_external(placements, 'optimize-single-tenant')}",
                     "audience": OPTIMIZE_AUDIENCE, "collection_ids": [optimize_seed.COLLECTION_ID],
                     "client": "bu_a", "login_form": True},
        "ca_file": str(pki.ca_file),
        "clients": {
            "default": {"client_id_env": ENV["default"][0], "client_secret_env": ENV["default"][1],
                        "audience": GATEWAY_AUDIENCE},
            "admin": {"client_id_env": ENV["admin"][0], "client_secret_env": ENV["admin"][1],
                      "audience": ADMIN_AUDIENCE},
            **{name: {"client_id_env": ENV[name][0], "client_secret_env": ENV[name][1],
                      "audience": GATEWAY_AUDIENCE, "tenants": [tenant]}
               for name, (_, tenant) in BUSINESS_UNITS.items()},
        },
        "workers": {unit: {"actuator_url": f"https://{_external(placements, WORKERS[unit])}/actuator",
                           "job_type": settings["job_type"], "bpmn_process_id": settings["allowlist"][0],
                           "vault_url": settings["vault"]["url"], "retry_backoff_ms": settings["retry_backoff_ms"],
                           "log_file": settings["log_file"]}
                    for unit, settings in ((unit, worker_settings(unit)) for unit in BUSINESS_UNITS)},
        "capabilities": ["mint_token", "stop_service", "grant_tenant", "rotate_signing_key", "rotate_secret"],
    }
    # Declared only where the test process can reach it (local: loopback); on docker it stays internal.
    search_address = placements["search"].external
    if search_address is not None:
        target["search"] = {"url": f"https://{search_address}", "username": SEARCH_USER,
                            "password_env": SEARCH_PASSWORD_ENV}
    target["vault"] = vault_seed.target(f"{'http' if vault_plaintext else 'https'}://{_external(placements, 'vault')}",
                                        BUSINESS_UNITS)
    return StackPlan(services, target, environ, pki.ca_file)
