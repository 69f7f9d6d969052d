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
from harness.backends.supervisor import Supervisor, reap
from harness.reference import proxy, tls_policy
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
        identity_port, zeebe_port, proxy_port = free_ports(3)
        identity_base = f"https://{HOST}:{identity_port}"
        issuer = f"{identity_base}/auth/realms/{REALM}"
        jwks_url = f"{issuer}/protocol/openid-connect/certs"
        environ = {ENV["default"][0]: DEFAULT_CLIENT_ID, ENV["default"][1]: secrets.token_urlsafe(24),
                   ENV["admin"][0]: ADMIN_CLIENT_ID, ENV["admin"][1]: secrets.token_urlsafe(24)}

        def service_config(name: str, settings: dict[str, object]) -> str:
            return str(write_config(supervisor.run_dir / f"{name}.json", settings))

        identity_cert = pki.issue("identity")
        supervisor.start("identity", [sys.executable, "-m", "harness.reference.identity", service_config("identity", {
            "port": identity_port, "issuer": issuer,
            "tls": {"cert_file": str(identity_cert.cert_file), "key_file": str(identity_cert.key_file)},
            "clients": {
                DEFAULT_CLIENT_ID: {"secret": environ[ENV["default"][1]], "audiences": [GATEWAY_AUDIENCE]},
                ADMIN_CLIENT_ID: {"secret": environ[ENV["admin"][1]], "audiences": [ADMIN_AUDIENCE], "admin": True},
            },
        })])
        supervisor.start("zeebe", [sys.executable, "-m", "harness.reference.zeebe",
                                   service_config("zeebe", {"port": zeebe_port})])
        proxy_dir = supervisor.run_dir / "proxy"
        proxy_cert = tls_policy.client_facing_cert(pki, "proxy", profile)
        nginx_conf = proxy.render(proxy_dir, proxy.ProxySettings(
            port=proxy_port, upstream_port=zeebe_port, cert=proxy_cert, ca_file=pki.ca_file,
            issuer=issuer, jwks_url=jwks_url, audience=GATEWAY_AUDIENCE, profile=profile,
        ), proxy.find_js_module())
        supervisor.start("proxy", proxy.command(proxy_dir, nginx_conf))

        probes: dict[str, Callable[[], bool]] = {
            "identity": functools.partial(readiness.https_ok, HOST, identity_port, "/health/ready", pki.ca_file),
            "zeebe": functools.partial(readiness.grpc_serving, HOST, zeebe_port),
            "proxy": functools.partial(readiness.tcp_open, HOST, proxy_port),
        }
        supervisor.wait_ready(probes, READY_TIMEOUT_S,
                              on_ready=lambda name, seconds: progress(f"{name} ready after {seconds:.2f} s"))
        target = config.validate({
            "name": f"local:{profile.name}",
            "gateway": {"address": f"{HOST}:{proxy_port}", "tls": not profile.has("tls_off"),
                        "direct_address": f"{HOST}:{zeebe_port}"},
            "identity": {"token_url": f"{issuer}/protocol/openid-connect/token", "jwks_url": jwks_url,
                         "issuer": issuer, "admin_url": f"{identity_base}/auth/admin/realms/{REALM}",
                         "admin_client": "admin"},
            "ca_file": str(pki.ca_file),
            "clients": {
                "default": {"client_id_env": ENV["default"][0], "client_secret_env": ENV["default"][1],
                            "audience": GATEWAY_AUDIENCE},
                "admin": {"client_id_env": ENV["admin"][0], "client_secret_env": ENV["admin"][1],
                          "audience": ADMIN_AUDIENCE},
            },
            "capabilities": ["mint_token", "stop_service"],
            "shared_network": True,
        }, source="local backend")
        return Stack(target, environ)

    def down(self) -> None:
        if self.supervisor is not None:
            self.supervisor.stop_all()
            self.supervisor = None
