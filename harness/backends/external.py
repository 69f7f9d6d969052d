"""The external backend: an existing deployment described by a target file. Nothing is started; services are
stopped and started only with the operator's own commands from the file's `faults` section."""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path

from harness import config
from harness.backends import Progress, readiness
from harness.backends.fault_commands import CommandFaults
from harness.catalog import SCENARIOS
from harness.deployment import Stack
from harness.reference.profile import Profile
from harness.report.evidence import Redactor


class ExternalBackend:
    name = "external"

    def __init__(self, path: Path) -> None:
        # Loaded now, while options are parsed, so a bad file is a usage error before anything runs.
        self.path = path
        self.target = config.load(path)

    def up(self, profile: Profile, progress: Progress, scenarios: Collection[str] = SCENARIOS) -> Stack:
        progress(f"testing the deployment described by {self.path}")
        # The machine running the checks is where clients stand, so it probes reachability itself.
        redact = Redactor()
        redact.add_secrets(os.environ[name] for name in self.target.secret_envs() if os.environ.get(name))
        faults = CommandFaults(self.target, redact) if self.target.faults.services else None
        return Stack(self.target, os.environ, client_reachable=readiness.tcp_reachable, faults=faults)

    def down(self) -> None:
        """Nothing was started, so nothing is stopped."""
