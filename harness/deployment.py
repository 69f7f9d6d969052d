"""The deployment under test as one object, the way pytest-testinfra's `Host` wraps a backend.

A backend (local processes, containers, an external target file) produces a Stack; clients, probes,
scenarios and the load users only ever see the Stack. It carries the Target, the environment its
credential references resolve in, how to trust the deployment's certificates, the one gRPC channel
factory, and lazy accessors for what checks call (tokens, the gateway, Operate, Optimize, Vault as an
operator). The accessors import their client on first use, so this layer stays below the clients.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import ssl
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import grpc

from harness.config import Credentials, Target, validate
from harness.errors import UsageError

if TYPE_CHECKING:
    import hvac

    from harness.capabilities import Capabilities
    from harness.clients.gateway import GatewayCalls
    from harness.clients.operate import OperateApi
    from harness.clients.optimize import OptimizeApi


class FaultControls(Protocol):
    """Fault injection for the checks that need it (fail closed when Identity is down, Vault outages).

    Each call returns once the service is in the asked state; a backend raises FaultUnsupported for what
    it cannot do (local processes cannot be cut from a network).
    """

    def stoppable(self, service: str) -> bool:
        """Whether `stop`/`start` can act on this service (a check that needs it skips otherwise)."""

    def stop(self, service: str) -> None: ...

    def start(self, service: str) -> None: ...

    def pause(self, service: str, paused: bool = True) -> None: ...

    def isolate(self, service: str, isolated: bool = True) -> None: ...


def tls_verify(ca_file: Path | None) -> str | bool:
    """What requests' `verify` takes: the deployment's CA where it names one, the system's otherwise."""
    return str(ca_file) if ca_file else True


def tls_context(ca_file: Path | None) -> ssl.SSLContext:
    """A verifying client context for raw sockets: the deployment's CA, else the system's store."""
    return ssl.create_default_context(cafile=str(ca_file) if ca_file else None)


def grpc_channel(address: str, tls: bool, ca_file: Path | None) -> grpc.Channel:
    """The one way the harness opens a gRPC channel: plaintext, or TLS trusting `ca_file` (else the system)."""
    if not tls:
        return grpc.insecure_channel(address)
    root = ca_file.read_bytes() if ca_file else None
    return grpc.secure_channel(address, grpc.ssl_channel_credentials(root_certificates=root))


@dataclasses.dataclass(frozen=True)
class Stack:
    """A Target plus the environment its credential references resolve in.

    `client_reachable(address)` answers from where clients stand whether a TCP connection to `address`
    succeeds; None when the backend cannot separate networks (local processes share one loopback).
    `faults` is None where nothing can be stopped (an external target).
    """

    target: Target
    # Out of the repr: pytest prints a failing test's arguments, and this mapping holds client secrets.
    environ: Mapping[str, str] = dataclasses.field(repr=False)
    client_reachable: Callable[[str], bool] | None = None
    faults: FaultControls | None = None
    # What `close` undoes besides the capabilities' own: the cast `provision_cast` created (with_cast).
    cleanups: tuple[Callable[[], None], ...] = ()

    @classmethod
    def from_target_file(cls, path: Path, environ: Mapping[str, str] = os.environ) -> Stack:
        """A Stack for a process handed a target as JSON (the Locust workers): no backend, no faults."""
        return cls(validate(json.loads(path.read_text()), source=str(path)), environ)

    def credentials(self, client: str) -> Credentials:
        return self.target.credentials(client, self.environ)

    def secret_values(self) -> list[str]:
        """The values reports must never show: every secret the target refers to."""
        return [self.environ[name] for name in self.target.secret_envs() if self.environ.get(name)]

    @property
    def verify(self) -> str | bool:
        return tls_verify(self.target.ca_file)

    def tls_context(self) -> ssl.SSLContext:
        return tls_context(self.target.ca_file)

    def channel(self, address: str, tls: bool) -> grpc.Channel:
        return grpc_channel(address, tls, self.target.ca_file)

    def token(self, client: str = "default", audience: str | None = None) -> str:
        """A fresh access token of the Target client `client` (for `audience`, else the client's own)."""
        from harness.clients.oauth import fetch_token

        return fetch_token(self, client, audience)

    def gateway(self, authorization: str | None, *, tenancy: bool = False, plaintext: bool = False,
                timeout_s: float | None = None) -> GatewayCalls:
        """Raw calls to the gateway with `authorization` as the header value (None sends none).

        `tenancy` picks the endpoint that enforces tenants (gateway.tenancy_address where the target names
        one); `plaintext` speaks without TLS to a gateway declared with TLS, as a misconfigured client would.
        """
        from harness.clients.gateway import CALL_TIMEOUT_S, GatewayCalls

        gateway = self.target.gateway
        if gateway is None:
            raise UsageError("gateway: the target declares no gateway")
        address, tls = gateway.address, gateway.tls and not plaintext
        if tenancy and gateway.tenancy_address:
            address, tls = gateway.tenancy_address, True
        return GatewayCalls(self.channel(address, tls), authorization, timeout_s or CALL_TIMEOUT_S)

    def gateway_as(self, client: str = "default", *, tenancy: bool = False) -> GatewayCalls:
        """The gateway as the Target client `client`, with a fresh bearer token."""
        return self.gateway(f"Bearer {self.token(client)}", tenancy=tenancy)

    def operate(self) -> OperateApi:
        """Operate's search API as the default client, with a fresh token: hold it for one check's polls
        (a token per poll would put Identity on the hot path; one per session would expire)."""
        from harness.clients.operate import OperateApi

        return OperateApi(self)

    def optimize(self, client: str, url: str | None = None) -> OptimizeApi:
        """Optimize's public API (at `url`, default optimize.url) with a fresh token of `client`."""
        from harness.clients.optimize import api_as

        return api_as(self, client, url)

    @functools.cached_property
    def capabilities(self) -> Capabilities:
        """What the harness can do to the deployment (mint tokens, grant tenants, rotate, stop services)."""
        from harness.capabilities import Capabilities

        return Capabilities(self)

    def close(self) -> None:
        """Undo what the capabilities left in the deployment (a key the token minter imported, the cast the
        harness created); each undo runs once, however often the stack is closed."""
        if "capabilities" in self.__dict__:
            self.capabilities.close()
        for cleanup in reversed(self.cleanups):
            cleanup()

    def with_cast(self, scenarios: Iterable[str], progress: Callable[[str], None]) -> Stack:
        """This deployment with the authz and tenancy checks' cast created where the target declares
        `provision_cast` and leaves it out (harness.clients.cluster_cast); `close` removes it."""
        from harness.clients.cluster_cast import provisioned

        return provisioned(self, scenarios, progress)

    def vault_operator(self) -> hvac.Client:
        """Vault as its operator (vault.admin_token_env): what rotates secrets and reads policies."""
        import hvac

        vault = self.target.vault
        if vault is None or vault.admin_token_env is None:
            raise UsageError("vault.admin_token_env: the target names no Vault operator token")
        token = self.environ.get(vault.admin_token_env)
        if not token:
            raise UsageError(f"vault.admin_token_env: environment variable {vault.admin_token_env} is not set")
        return hvac.Client(url=vault.url, token=token, verify=self.verify)
