"""Backends produce a Stack from the one `--target` option, as pytest-testinfra picks a backend from one URL.

`local` runs the reference stack as processes, `docker` as containers, and a path to a YAML file names an
existing deployment (`external`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol

from harness.config import Credentials, Target
from harness.errors import UsageError
from harness.reference.profile import Profile

Progress = Callable[[str], None]
BACKEND_NAMES = ("local", "docker")


class FaultControls(Protocol):
    """Fault injection for the checks that need it (fail closed when Identity is down, Vault outages).

    Each call returns once the service is in the asked state; a backend raises FaultUnsupported for what
    it cannot do (local processes cannot be cut from a network).
    """

    def stop(self, service: str) -> None: ...

    def start(self, service: str) -> None: ...

    def pause(self, service: str, paused: bool = True) -> None: ...

    def isolate(self, service: str, isolated: bool = True) -> None: ...


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

    def credentials(self, client: str) -> Credentials:
        return self.target.credentials(client, self.environ)

    def secret_values(self) -> list[str]:
        """The values reports must never show: every secret the target refers to."""
        return [self.environ[name] for name in self.target.secret_envs() if self.environ.get(name)]


class Backend(Protocol):
    name: str

    def up(self, profile: Profile, progress: Progress) -> Stack: ...

    def down(self) -> None: ...


def backend_for(option: str) -> Backend:
    """Map `--target` to a backend; a bad value is a one-line UsageError naming the choices."""
    if option == "local":
        from harness.backends.local import LocalBackend
        return LocalBackend()
    if option == "docker":
        from harness.backends.docker import DockerBackend
        return DockerBackend()
    path = Path(option)
    if path.suffix in {".yaml", ".yml"}:
        if not path.is_file():
            raise UsageError(f"--target: no such target file: {option}")
        from harness.backends.external import ExternalBackend
        return ExternalBackend(path)
    raise UsageError(f"--target: unknown target {option!r}; valid: local, docker, or a PATH.yaml target file")
