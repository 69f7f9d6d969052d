"""The local backend: the reference stack as processes on free 127.0.0.1 ports.

Fast to start and needs no Docker, at the price of one network: every port is reachable from the test
process, so exposure checks skip here.
"""

from __future__ import annotations

import contextlib
import functools
import secrets
import socket
import sys
from collections.abc import Callable

from harness import config
from harness.backends import Progress, Stack, readiness
from harness.backends.faults import ProcessFaults
from harness.backends.supervisor import Supervisor, reap
from harness.reference import proxy
from harness.reference.identity.app import ADMIN_AUDIENCE, REALM
from harness.reference.pki import Pki
from harness.reference.profile import Profile
from harness.reference.runtime import HOST, write_config

READY_TIMEOUT_S = 30.0
GATEWAY_AUDIENCE = "zeebe-api"
DEFAULT_CLIENT_ID = "zeebe"
ADMIN_CLIENT_ID = "harness-admin"
ENV = {
    "default": ("ZEEBE_CLIENT_ID", "ZEEBE_CLIENT_SECRET"),
    "admin": ("HARNESS_IDENTITY_ADMIN_ID", "HARNESS_IDENTITY_ADMIN_SECRET"),
}
OPERATE_AUDIENCE = "operate-api"
# One Identity client per business unit, each granted its own tenant (the tenancy scenario's cast).
BUSINESS_UNITS = {"bu_a": ("bu-a", "tenant-a"), "bu_b": ("bu-b", "tenant-b")}
ENV.update({name: (f"HARNESS_{name.upper()}_CLIENT_ID", f"HARNESS_{name.upper()}_CLIENT_SECRET")
            for name in BUSINESS_UNITS})
# Short caches keep the tenancy scenario quick; the Target states them as the bounds checks may wait.
JWKS_CACHE_S = 1
TENANT_CACHE_S = 1


def free_ports(count: int) -> list[int]:
    """Ports the kernel hands out now; all sockets stay open until every port is chosen, so none repeat."""
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind((HOST, 0))
        return [sock.getsockname()[1] for sock in sockets]


class LocalBackend:
    name = "local"

    def __init__(self) -> None:
        self.supervisor: Supervisor | None = None

    def up(self, profile: Profile, progress: Progress) -> Stack:
        leftovers = reap()
        if leftovers:
            progress(f"stopped {len(leftovers)} process(es) a killed run left behind")
        self.supervisor = supervisor = Supervisor()
        progress(f"run directory {supervisor.run_dir}")
        try:
            return self._start(supervisor, profile, progress)
        except BaseException:
            self.down()
            raise

    def _start(self, supervisor: Supervisor, profile: Profile, progress: Progress) -> Stack:
        pki = Pki(supervisor.run_dir / "pki")
        identity_port, zeebe_port, proxy_port, tenancy_port, operate_port = free_ports(5)
        identity_base = f"https://{HOST}:{identity_port}"
        issuer = f"{identity_base}/auth/realms/{REALM}"
        jwks_url = f"{issuer}/protocol/openid-connect/certs"
        environ = {ENV["default"][0]: DEFAULT_CLIENT_ID, ENV["default"][1]: secrets.token_urlsafe(24),
                   ENV["admin"][0]: ADMIN_CLIENT_ID, ENV["admin"][1]: secrets.token_urlsafe(24)}
        for name, (client_id, _) in BUSINESS_UNITS.items():
            environ.update({ENV[name][0]: client_id, ENV[name][1]: secrets.token_urlsafe(24)})
        unit_clients = {client_id: {"secret": environ[ENV[name][1]], "tenants": [tenant],
                                    "audiences": [GATEWAY_AUDIENCE, OPERATE_AUDIENCE]}
                        for name, (client_id, tenant) in BUSINESS_UNITS.items()}

        def service_config(name: str, settings: dict[str, object]) -> str:
            return str(write_config(supervisor.run_dir / f"{name}.json", settings))

        identity_cert = pki.issue("identity")
        supervisor.start("identity", [sys.executable, "-m", "harness.reference.identity", service_config("identity", {
            "port": identity_port, "issuer": issuer,
            "tls": {"cert_file": str(identity_cert.cert_file), "key_file": str(identity_cert.key_file)},
            "clients": {
                DEFAULT_CLIENT_ID: {"secret": environ[ENV["default"][1]], "audiences": [GATEWAY_AUDIENCE]},
                ADMIN_CLIENT_ID: {"secret": environ[ENV["admin"][1]], "audiences": [ADMIN_AUDIENCE], "admin": True},
                **unit_clients,
            },
            "state_file": str(supervisor.run_dir / "identity-state.json"),
            "weaknesses": sorted(profile.weaknesses),
        })])
        zeebe_cert = pki.issue("zeebe")
        zeebe_tls = {"cert_file": str(zeebe_cert.cert_file), "key_file": str(zeebe_cert.key_file)}
        supervisor.start("zeebe", [sys.executable, "-m", "harness.reference.zeebe", service_config("zeebe", {
            "listeners": [{"port": zeebe_port, "auth_mode": "none", "multi_tenancy": False},
                          {"port": tenancy_port, "auth_mode": "identity", "multi_tenancy": True, "tls": zeebe_tls}],
            "identity": {"issuer": issuer, "jwks_url": jwks_url, "tenants_url": f"{identity_base}/api/tenants",
                         "audience": GATEWAY_AUDIENCE, "ca_file": str(pki.ca_file), "jwks_ttl_s": JWKS_CACHE_S,
                         "tenant_ttl_s": TENANT_CACHE_S},
            "operate": {"port": operate_port, "tls": zeebe_tls, "audience": OPERATE_AUDIENCE},
            "weaknesses": sorted(profile.weaknesses),
        })])
        proxy_dir = supervisor.run_dir / "proxy"
        nginx_conf = proxy.render(proxy_dir, proxy.ProxySettings(
            port=proxy_port, upstream_port=zeebe_port, cert=pki.issue("proxy"), ca_file=pki.ca_file,
            issuer=issuer, jwks_url=jwks_url, audience=GATEWAY_AUDIENCE, profile=profile,
            jwks_cache_s=JWKS_CACHE_S,
        ), proxy.find_js_module())
        supervisor.start("proxy", proxy.command(proxy_dir, nginx_conf))

        probes: dict[str, Callable[[], bool]] = {
            "identity": functools.partial(readiness.https_ok, HOST, identity_port, "/health/ready", pki.ca_file),
            # One process serves the plaintext listener, the identity-mode listener and Operate's API.
            "zeebe": lambda: (readiness.grpc_serving(HOST, zeebe_port) and readiness.tcp_open(HOST, tenancy_port)
                              and readiness.tcp_open(HOST, operate_port)),
            "proxy": functools.partial(readiness.tcp_open, HOST, proxy_port),
        }
        supervisor.wait_ready(probes, READY_TIMEOUT_S,
                              on_ready=lambda name, seconds: progress(f"{name} ready after {seconds:.2f} s"))
        target = config.validate({
            "name": f"local:{profile.name}",
            "gateway": {"address": f"{HOST}:{proxy_port}", "tls": not profile.has("tls_off"),
                        "direct_address": f"{HOST}:{zeebe_port}", "tenancy_address": f"{HOST}:{tenancy_port}"},
            "identity": {"token_url": f"{issuer}/protocol/openid-connect/token", "jwks_url": jwks_url,
                         "issuer": issuer, "admin_url": f"{identity_base}/auth/admin/realms/{REALM}",
                         "admin_client": "admin",
                         # nginx keeps a cached JWKS up to a second past its TTL (whole-second expiry),
                         # plus a second for the fetch and the gateway's own refetch.
                         "key_rotation_s": JWKS_CACHE_S + 2, "tenant_grant_ttl_s": TENANT_CACHE_S},
            "operate": {"url": f"https://{HOST}:{operate_port}"},
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
            "capabilities": ["mint_token", "stop_service", "grant_tenant", "rotate_signing_key"],
        }, source="local backend")
        faults = ProcessFaults(supervisor, {name: probes[name] for name in ("identity", "zeebe", "proxy")})
        return Stack(target, environ, faults)

    def down(self) -> None:
        if self.supervisor is not None:
            self.supervisor.stop_all()
            self.supervisor = None
