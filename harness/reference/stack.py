"""The reference stack's composition, shared by the local and docker backends.

Which services run, what each one's config says, how they reach each other and how a client reaches
them. A backend decides only where the addresses come from (free loopback ports, or container names on a
private network with some ports published on 127.0.0.1) and how a service process is run.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from harness.reference import proxy, tls_policy
from harness.reference.identity.app import ADMIN_AUDIENCE, REALM
from harness.reference.pki import DEFAULT_HOSTS, Pki
from harness.reference.profile import Profile
from harness.reference.runtime import write_config

SERVICES = ("identity", "zeebe", "proxy")
GATEWAY_AUDIENCE = "zeebe-api"
DEFAULT_CLIENT_ID = "zeebe"
ADMIN_CLIENT_ID = "harness-admin"
ENV = {
    "default": ("ZEEBE_CLIENT_ID", "ZEEBE_CLIENT_SECRET"),
    "admin": ("HARNESS_IDENTITY_ADMIN_ID", "HARNESS_IDENTITY_ADMIN_SECRET"),
}


@dataclasses.dataclass(frozen=True)
class Address:
    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


@dataclasses.dataclass(frozen=True)
class Placement:
    """Where a service listens (`bind`), how other services reach it, and how a client does (if at all)."""

    bind: Address
    internal: Address
    external: Address | None


@dataclasses.dataclass(frozen=True)
class Health:
    kind: Literal["https", "grpc", "tcp"]
    path: str = ""


@dataclasses.dataclass(frozen=True)
class ServiceSpec:
    name: str
    argv: tuple[str, ...]
    health: Health


@dataclasses.dataclass(frozen=True)
class StackPlan:
    services: tuple[ServiceSpec, ...]
    target: dict[str, Any]
    environ: dict[str, str]
    ca_file: Path


def _external(placements: Mapping[str, Placement], service: str) -> Address:
    address = placements[service].external
    if address is None:
        raise ValueError(f"{service} must be reachable by clients")
    return address


@dataclasses.dataclass(frozen=True)
class Runtime:
    """Where the services' executables are, as seen by the services (host or container)."""

    python: str
    nginx: str
    js_module: Path
    resolver: str | None = None


def plan(run_dir: Path, profile: Profile, placements: Mapping[str, Placement], runtime: Runtime) -> StackPlan:
    """Write every service's config into `run_dir` and say how to start each and what Target results."""
    pki = Pki(run_dir / "pki")
    identity_base = f"https://{_external(placements, 'identity')}"
    issuer = f"{identity_base}/auth/realms/{REALM}"
    internal_jwks_url = (f"https://{placements['identity'].internal}/auth/realms/{REALM}"
                         "/protocol/openid-connect/certs")
    environ = {ENV["default"][0]: DEFAULT_CLIENT_ID, ENV["default"][1]: secrets.token_urlsafe(24),
               ENV["admin"][0]: ADMIN_CLIENT_ID, ENV["admin"][1]: secrets.token_urlsafe(24)}

    def listen(service: str) -> dict[str, object]:
        return {"host": placements[service].bind.host, "port": placements[service].bind.port}

    def tls(service: str) -> dict[str, str]:
        cert = pki.issue(service, (*DEFAULT_HOSTS, placements[service].internal.host))
        return {"cert_file": str(cert.cert_file), "key_file": str(cert.key_file)}

    def python_service(name: str, settings: dict[str, object]) -> tuple[str, ...]:
        config_file = write_config(run_dir / f"{name}.json", settings)
        return (runtime.python, "-m", f"harness.reference.{name}", str(config_file))

    identity = python_service("identity", {
        **listen("identity"), "issuer": issuer, "tls": tls("identity"),
        "clients": {
            DEFAULT_CLIENT_ID: {"secret": environ[ENV["default"][1]], "audiences": [GATEWAY_AUDIENCE]},
            ADMIN_CLIENT_ID: {"secret": environ[ENV["admin"][1]], "audiences": [ADMIN_AUDIENCE], "admin": True},
        },
    })
    zeebe = python_service("zeebe", {**listen("zeebe")})
    proxy_dir = run_dir / "proxy"
    proxy_cert = tls_policy.client_facing_cert(pki, "proxy", profile)
    nginx_conf = proxy.render(proxy_dir, proxy.ProxySettings(
        port=placements["proxy"].bind.port, upstream_port=placements["zeebe"].internal.port, cert=proxy_cert,
        ca_file=pki.ca_file, issuer=issuer, jwks_url=internal_jwks_url, audience=GATEWAY_AUDIENCE,
        profile=profile, host=placements["proxy"].bind.host, upstream_host=placements["zeebe"].internal.host,
        resolver=runtime.resolver,
    ), runtime.js_module)
    services = (
        ServiceSpec("identity", identity, Health("https", "/health/ready")),
        ServiceSpec("zeebe", zeebe, Health("grpc")),
        ServiceSpec("proxy", tuple(proxy.command(proxy_dir, nginx_conf, runtime.nginx)), Health("tcp")),
    )
    target = {
        "gateway": {"address": str(_external(placements, "proxy")), "tls": not profile.has("tls_off"),
                    "direct_address": str(placements["zeebe"].internal)},
        "identity": {"token_url": f"{issuer}/protocol/openid-connect/token",
                     "jwks_url": f"{issuer}/protocol/openid-connect/certs", "issuer": issuer,
                     "admin_url": f"{identity_base}/auth/admin/realms/{REALM}", "admin_client": "admin"},
        "ca_file": str(pki.ca_file),
        "clients": {
            "default": {"client_id_env": ENV["default"][0], "client_secret_env": ENV["default"][1],
                        "audience": GATEWAY_AUDIENCE},
            "admin": {"client_id_env": ENV["admin"][0], "client_secret_env": ENV["admin"][1],
                      "audience": ADMIN_AUDIENCE},
        },
        "capabilities": ["mint_token", "stop_service"],
    }
    return StackPlan(services, target, environ, pki.ca_file)
