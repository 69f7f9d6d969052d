"""The reference stack's composition, shared by the local and docker backends.

`plan` combines the service definitions a run needs (harness.reference.services): each writes its config
into the run directory and contributes its Target section. A backend decides only where the addresses
come from (free loopback ports, or container names on private networks with some ports published on
127.0.0.1) and how a service is run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from harness.reference.pki import Pki
from harness.reference.profile import Profile
from harness.reference.services import DEFINITIONS
from harness.reference.services.base import Build, Definition, Placement, Runtime, ServiceSpec

# What every reference stack can do to itself besides what its services offer.
BACKEND_CAPABILITIES = ("stop_service",)


@dataclasses.dataclass(frozen=True)
class StackPlan:
    services: tuple[ServiceSpec, ...]
    target: dict[str, Any]
    environ: dict[str, str]
    ca_file: Path


def _merge(into: dict[str, Any], section: Mapping[str, Any]) -> None:
    """Definitions contribute disjoint Target sections, or disjoint keys of one (e.g. `clients`)."""
    for key, value in section.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        elif key in into:
            raise ValueError(f"two service definitions set the Target's {key}")
        else:
            into[key] = value


def plan(run_dir: Path, profile: Profile, placements: Mapping[str, Placement], runtime: Runtime,
         definitions: Sequence[Definition] = tuple(DEFINITIONS.values())) -> StackPlan:
    """Write the config of every service in `definitions` into `run_dir`; say how to start each and what
    Target results. `placements` holds every listener of those services."""
    environ: dict[str, str] = {}
    for definition in definitions:
        environ.update(definition.credentials())
    build = Build(run_dir, profile, placements, runtime, Pki(run_dir / "pki"), environ)
    services = tuple(spec for definition in definitions for spec in definition.specs(build))
    target: dict[str, Any] = {"ca_file": str(build.pki.ca_file)}
    for definition in definitions:
        _merge(target, definition.target(build))
    target["capabilities"] = sorted({*BACKEND_CAPABILITIES,
                                     *(c for definition in definitions for c in definition.capabilities)})
    return StackPlan(services, target, environ, build.pki.ca_file)
