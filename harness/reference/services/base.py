"""What a reference service definition is, and the build context every definition reads.

A definition owns one service's listeners, health checks, config, the Target section it contributes,
the credentials it generates, the weaknesses it implements and the scenarios that need it. A backend
decides only where addresses come from and how a process runs; `harness.reference.stack.plan` combines
the definitions a run needs.
"""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from harness.reference.identity.app import REALM
from harness.reference.pki import DEFAULT_HOSTS, Pki
from harness.reference.profile import Profile
from harness.reference.runtime import write_config

# The backends a weakness can be switched on with: both, or one where only it has the means.
BOTH = frozenset({"local", "docker"})
LOCAL_ONLY = frozenset({"local"})
DOCKER_ONLY = frozenset({"docker"})


@dataclasses.dataclass(frozen=True)
class Listener:
    """One port of one service: the port it has inside a container, and whether clients may reach it."""

    service: str
    container_port: int
    client_facing: bool


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


@dataclasses.dataclass
class Build:
    """One plan's shared facts: where everything is, the PKI, the generated credentials, the profile."""

    run_dir: Path
    profile: Profile
    placements: Mapping[str, Placement]
    runtime: Runtime
    pki: Pki
    environ: dict[str, str]

    @property
    def weaknesses(self) -> list[str]:
        return sorted(self.profile.weaknesses)

    def listen(self, listener: str) -> dict[str, Any]:
        bind = self.placements[listener].bind
        return {"host": bind.host, "port": bind.port}

    def internal(self, listener: str) -> Address:
        return self.placements[listener].internal

    def external(self, listener: str) -> Address:
        address = self.placements[listener].external
        if address is None:
            raise ValueError(f"{listener} must be reachable by clients")
        return address

    def tls(self, service: str) -> dict[str, str]:
        """A certificate of the stack's CA for `service`, valid for its container name and loopback."""
        cert = self.pki.issue(service, (*DEFAULT_HOSTS, service))
        return {"cert_file": str(cert.cert_file), "key_file": str(cert.key_file)}

    def python_service(self, module: str, settings: dict[str, object], instance: str | None = None) -> tuple[str, ...]:
        """The command of an emulator package run with its config written into the run directory."""
        config_file = write_config(self.run_dir / f"{instance or module}.json", settings)
        return (self.runtime.python, "-m", f"harness.reference.{module}", str(config_file))

    # Identity's addresses, which nearly every service needs: clients use the external issuer, services
    # fetch keys and tokens over the internal network.
    @property
    def issuer(self) -> str:
        return f"https://{self.external('identity')}/auth/realms/{REALM}"

    @property
    def internal_identity(self) -> str:
        return f"https://{self.internal('identity')}"

    @property
    def internal_jwks_url(self) -> str:
        return f"{self.internal_identity}/auth/realms/{REALM}/protocol/openid-connect/certs"

    @property
    def internal_token_url(self) -> str:
        return f"{self.internal_identity}/auth/realms/{REALM}/protocol/openid-connect/token"


@dataclasses.dataclass(frozen=True)
class Definition(abc.ABC):
    """One reference service: its facts as fields, what it builds as methods a subclass overrides."""

    name: str
    listeners: Mapping[str, Listener]
    # The scenarios whose checks talk to this service (directly or through the Target section it adds).
    scenarios: frozenset[str]
    # Services this one calls at run time: started whenever it is.
    depends_on: tuple[str, ...] = ()
    # Weakness name -> the backends on which this service can switch it on.
    weaknesses: Mapping[str, frozenset[str]] = dataclasses.field(default_factory=dict)
    # Target capabilities this service provides (e.g. Identity's admin API mints tokens).
    capabilities: tuple[str, ...] = ()

    def credentials(self) -> dict[str, str]:
        """Fresh secrets (and ids) this service generates, as the environment variables the Target names."""
        return {}

    @abc.abstractmethod
    def specs(self, build: Build) -> tuple[ServiceSpec, ...]:
        """How to run the service's process(es) and how to tell each is ready."""

    def target(self, build: Build) -> dict[str, Any]:
        """The Target sections this service contributes (merged with the others' by `plan`)."""
        return {}
