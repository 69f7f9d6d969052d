"""The local backend: the reference stack as processes on free 127.0.0.1 ports.

Fast to start and needs no Docker, at the price of one network: every port is reachable from the test
process, so exposure checks skip here.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable, Collection
from pathlib import Path

from harness import config
from harness.backends import Progress, readiness
from harness.backends.ports import free_ports
from harness.backends.supervisor import ServiceExited, Supervisor, reap
from harness.catalog import SCENARIOS
from harness.deployment import Stack
from harness.errors import FaultUnsupported, StackError
from harness.reference import proxy, services, stack
from harness.reference.profile import Profile
from harness.reference.runtime import HOST
from harness.reference.services.base import Address, Definition, Health, Placement, Runtime

READY_TIMEOUT_S = 30.0
# A service that still finds its port taken (by a process outside the harness): the stack starts again on
# new ports, this many times in all.
START_ATTEMPTS = 3
PORT_TAKEN = re.compile(r"address already in use|failed to bind|error while attempting to bind", re.IGNORECASE)


def lost_its_port(error: StackError) -> bool:
    """Whether a service ended for want of its port (its log says so, wherever in its last words)."""
    return isinstance(error, ServiceExited) and PORT_TAKEN.search(
        error.log_file.read_text(errors="replace")) is not None


def all_of(probes: list[Callable[[], bool]]) -> Callable[[], bool]:
    return lambda: all(check() for check in probes)


def probe(health: Health, address: Address, ca_file: Path) -> Callable[[], bool]:
    if health.kind == "https":
        return functools.partial(readiness.https_ok, address.host, address.port, health.path, ca_file)
    if health.kind == "grpc":
        return functools.partial(readiness.grpc_serving, address.host, address.port)
    return functools.partial(readiness.tcp_open, address.host, address.port)


class LocalBackend:
    name = "local"

    def __init__(self) -> None:
        self.supervisor: Supervisor | None = None
        self._probes: dict[str, Callable[[], bool]] = {}

    def up(self, profile: Profile, progress: Progress, scenarios: Collection[str] = SCENARIOS) -> Stack:
        leftovers = reap()
        if leftovers:
            progress(f"stopped {len(leftovers)} process(es) a killed run left behind")
        attempt = 1
        while True:
            self.supervisor = supervisor = Supervisor()
            progress(f"run directory {supervisor.run_dir}")
            try:
                return self._start(supervisor, profile, progress, services.needed(scenarios))
            except StackError as error:
                self.down()
                if attempt == START_ATTEMPTS or not lost_its_port(error):
                    raise
                attempt += 1
                progress(f"{error}; starting again on other ports")
            except BaseException:
                self.down()
                raise

    def _start(self, supervisor: Supervisor, profile: Profile, progress: Progress,
               definitions: list[Definition]) -> Stack:
        listeners = services.listeners(definitions)
        addresses = {name: Address(HOST, port) for name, port in zip(listeners, free_ports(len(listeners)), strict=True)}
        placements = {name: Placement(bind=a, internal=a, external=a) for name, a in addresses.items()}
        runtime = Runtime(sys.executable, proxy.nginx_binary(), proxy.find_js_module())
        planned = stack.plan(supervisor.run_dir, profile, placements, runtime, definitions)
        for service in planned.services:
            supervisor.start(service.name, service.argv)
        self._probes = probes = {
            s.name: all_of([probe(h, addresses[h.listener], planned.ca_file) for h in s.health])
            for s in planned.services}
        supervisor.wait_ready(probes, READY_TIMEOUT_S,
                              on_ready=lambda name, seconds: progress(f"{name} ready after {seconds:.2f} s"))
        target = config.validate({"name": f"local:{profile.name}", **planned.target}, source="local backend")
        return Stack(target, planned.environ, faults=self)

    def _running(self) -> Supervisor:
        if self.supervisor is None:
            raise StackError("the local stack is not up")
        return self.supervisor

    def stoppable(self, service: str) -> bool:
        return service in self._probes

    def stop(self, service: str) -> None:
        self._running().stop(service)

    def start(self, service: str) -> None:
        supervisor = self._running()
        supervisor.start_again(service)
        supervisor.wait_ready({service: self._probes[service]}, READY_TIMEOUT_S)

    def pause(self, service: str, paused: bool = True) -> None:
        self._running().pause(service, paused)

    def isolate(self, service: str, isolated: bool = True) -> None:
        raise FaultUnsupported("the local backend runs every service on one loopback and cannot cut one "
                               "off the network; use --target=docker")

    def down(self) -> None:
        if self.supervisor is not None:
            self.supervisor.stop_all()
            self.supervisor = None
