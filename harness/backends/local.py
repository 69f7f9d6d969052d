"""The local backend: the reference stack as processes on free 127.0.0.1 ports.

Fast to start and needs no Docker, at the price of one network: every port is reachable from the test
process, so exposure checks skip here.
"""

from __future__ import annotations

import contextlib
import functools
import random
import re
import socket
import sys
from collections.abc import Callable, Collection
from pathlib import Path

from harness import config
from harness.backends import Progress, readiness
from harness.backends.supervisor import Supervisor, reap
from harness.catalog import SCENARIOS
from harness.deployment import Stack
from harness.errors import FaultUnsupported, StackError
from harness.reference import proxy, services, stack
from harness.reference.profile import Profile
from harness.reference.runtime import HOST
from harness.reference.services.base import Address, Definition, Health, Placement, Runtime

READY_TIMEOUT_S = 30.0
# Listening ports come from below the kernel's ephemeral range (ip_local_port_range, 32768-60999 unless
# changed), from this port up: every outgoing connection takes its local port from that range, and a port
# bind(0) handed out there can be taken by another process's connection before the service binds it (seen:
# a detection-matrix run's zeebe lost its port to the parallel run's clients).
FIRST_LISTENING_PORT = 20000
EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
# A service that still finds its port taken (another run chose it in the same moment): the stack starts
# again on new ports, this many times in all.
START_ATTEMPTS = 3
PORT_TAKEN = re.compile(r"address already in use|failed to bind|error while attempting to bind", re.IGNORECASE)


def listening_ports() -> range:
    """Where free_ports looks: below the ephemeral range, or nowhere where that leaves too few."""
    try:
        first_ephemeral = int(EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        first_ephemeral = 32768
    return range(FIRST_LISTENING_PORT, max(first_ephemeral, FIRST_LISTENING_PORT))


def free_ports(count: int) -> list[int]:
    """`count` ports nothing listens on now, at random from listening_ports(), the kernel's choice where
    those run out; all sockets stay open until every port is chosen, so none repeat."""
    candidates = listening_ports()
    chosen: list[int] = []
    with contextlib.ExitStack() as sockets:
        for port in [*random.sample(candidates, min(len(candidates), count * 4)), *[0] * count]:
            sock = sockets.enter_context(socket.socket())
            try:
                sock.bind((HOST, port))
            except OSError:
                continue
            chosen.append(sock.getsockname()[1])
            if len(chosen) == count:
                return chosen
    raise StackError(f"no {count} free ports on {HOST}")


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
                if attempt == START_ATTEMPTS or not PORT_TAKEN.search(str(error)):
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
