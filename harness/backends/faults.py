"""Fault controls of the local backend: stop and start a reference service's process.

Checks reach them through `Stack.faults`, never through the supervisor, so an external target without
fault controls makes those checks skip with a reason instead of reaching into a deployment.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from harness.backends.supervisor import Supervisor
from harness.errors import UsageError

START_TIMEOUT_S = 15.0


class ProcessFaults:
    def __init__(self, supervisor: Supervisor, probes: Mapping[str, Callable[[], bool]]) -> None:
        self.supervisor, self.probes = supervisor, dict(probes)

    def _known(self, service: str) -> None:
        if service not in self.probes:
            raise UsageError(f"service: unknown service {service!r}; valid: {', '.join(sorted(self.probes))}")

    def stop(self, service: str) -> None:
        self._known(service)
        self.supervisor.stop(service)

    def start(self, service: str) -> None:
        """Start a stopped service with its original command and wait until it serves again."""
        self._known(service)
        self.supervisor.restart(service)
        self.supervisor.wait_ready({service: self.probes[service]}, START_TIMEOUT_S)
