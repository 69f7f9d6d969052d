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


class Faults(Protocol):
    """Fault injection on a stack's services ("identity", "zeebe", "proxy"); `start` returns once it serves."""

    def stop(self, service: str) -> None: ...

    def start(self, service: str) -> None: ...


@dataclasses.dataclass(frozen=True)
class Stack:
    """A Target plus the environment its credential references resolve in, and fault controls if any."""

    target: Target
    environ: Mapping[str, str]
    faults: Faults | None = None

    def credentials(self, client: str) -> Credentials:
        return self.target.credentials(client, self.environ)

    def secret_values(self) -> list[str]:
        """The values reports must never show: every client secret the target refers to."""
        names = [client.client_secret_env for client in self.target.clients.values()]
        return [self.environ[name] for name in names if self.environ.get(name)]


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
        raise UsageError("--target=docker: the docker backend is not available yet; use local or PATH.yaml")
    path = Path(option)
    if path.suffix in {".yaml", ".yml"}:
        if not path.is_file():
            raise UsageError(f"--target: no such target file: {option}")
        from harness.backends.external import ExternalBackend
        return ExternalBackend(path)
    raise UsageError(f"--target: unknown target {option!r}; valid: local, docker, or a PATH.yaml target file")
