"""The external backend: an existing deployment described by a target file; nothing to start or stop."""

from __future__ import annotations

import os
from pathlib import Path

from harness import config
from harness.backends import Progress, Stack, readiness
from harness.reference.profile import Profile


class ExternalBackend:
    name = "external"

    def __init__(self, path: Path) -> None:
        # Loaded now, while options are parsed, so a bad file is a usage error before anything runs.
        self.path = path
        self.target = config.load(path)

    def up(self, profile: Profile, progress: Progress) -> Stack:
        progress(f"testing the deployment described by {self.path}")
        # The machine running the checks is where clients stand, so it probes reachability itself.
        return Stack(self.target, os.environ, client_reachable=readiness.tcp_reachable)

    def down(self) -> None:
        """Nothing was started, so nothing is stopped."""
