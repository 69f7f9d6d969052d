"""Backends produce a Stack (harness.deployment) from the one `--target` option, as pytest-testinfra picks
a backend from one URL.

`local` runs the reference stack as processes, `docker` as containers, and a path to a YAML file names an
existing deployment (`external`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path
from typing import Protocol

from harness.catalog import SCENARIOS
from harness.deployment import Stack
from harness.errors import UsageError
from harness.reference.profile import Profile

Progress = Callable[[str], None]
BACKEND_NAMES = ("local", "docker")


class Backend(Protocol):
    name: str

    def up(self, profile: Profile, progress: Progress, scenarios: Collection[str] = SCENARIOS) -> Stack:
        """Bring the deployment up; a reference stack starts only what `scenarios` need."""

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
        if not path.exists():
            raise UsageError(f"--target: no such target file: {option}")
        from harness.backends.external import ExternalBackend
        return ExternalBackend(path)
    raise UsageError(f"--target: unknown target {option!r}; valid: local, docker, or a PATH.yaml target file")
