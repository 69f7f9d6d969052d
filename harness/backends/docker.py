"""The docker backend: the reference stack as containers through testcontainers, on private networks.

Two networks per run: `internal` (Docker's internal mode) carries service-to-service traffic, `client`
is where clients stand. Only what clients legitimately reach (the proxy and Identity) joins the client
network and publishes a port on 127.0.0.1; the gateway emulator stays internal, so exposure checks are
real here. A small probe container on the client network answers "can a client reach this address?".

testcontainers' Ryuk cannot run without a registry, so it stays disabled and the harness removes its own
containers and networks: at the end of the run, and by label when a killed run left them behind.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Collection, Mapping
from pathlib import Path

from harness import config
from harness.backends import Progress, images
from harness.backends.ports import free_ports
from harness.backends.supervisor import ProcessRecord, Supervisor
from harness.catalog import SCENARIOS
from harness.deployment import Stack
from harness.errors import StackError
from harness.reference import services, stack
from harness.reference.profile import Profile
from harness.reference.services.base import Address, Definition, Listener, Placement, Runtime, ServiceSpec

os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")
# Published ports are bound to loopback only; without this, testcontainers running inside a container
# (a CI job) would look for them on the Docker bridge's gateway address.
os.environ.setdefault("TESTCONTAINERS_CONNECTION_MODE", "docker_host")
os.environ.setdefault("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1")

import docker.errors
from docker.models.containers import Container
from testcontainers.core.container import DockerContainer
from testcontainers.core.network import Network
from testcontainers.core.wait_strategies import (
    CompositeWaitStrategy,
    HttpWaitStrategy,
    LogMessageWaitStrategy,
    PortWaitStrategy,
    WaitStrategy,
)

import docker

LABEL = "harness"
OWNER_LABEL = "harness.owner"
# 127.0.0.11 is Docker's embedded DNS on user-defined networks.
IN_CONTAINER = Runtime("python", "nginx", Path("/usr/lib/nginx/modules/ngx_http_js_module.so"), "127.0.0.11")
READY_TIMEOUT_S = 15
PROBE_TIMEOUT_S = 2
STOP_TIMEOUT_S = 2


def engine() -> docker.DockerClient:
    """The Docker engine, or a one-line StackError saying why not."""
    try:
        client = docker.from_env()
        client.ping()
    except docker.errors.DockerException as exc:
        raise StackError(f"the Docker engine is not reachable: {exc}") from None
    return client


def _wait_strategy(spec: ServiceSpec, listeners: Mapping[str, Listener], exposed: set[str]) -> CompositeWaitStrategy:
    """Every health probe of a service: through its published port where it has one, else its log."""
    strategies: list[WaitStrategy] = []
    for health in spec.health:
        port = listeners[health.listener].container_port
        if health.listener not in exposed:
            strategies.append(LogMessageWaitStrategy(f"listening on [^ ]*:{port}"))
        elif health.kind == "https":
            # Readiness only; the checks verify the certificate chain themselves.
            strategies.append(HttpWaitStrategy(port, health.path).using_tls(insecure=True))
        else:
            strategies.append(PortWaitStrategy(port))
    return CompositeWaitStrategy(*strategies).with_startup_timeout(READY_TIMEOUT_S)


class DockerBackend:
    name = "docker"

    def __init__(self) -> None:
        self._specs: dict[str, ServiceSpec] = {}
        self._listeners: dict[str, Listener] = {}
        self._exposed: set[str] = set()
        self._run: Supervisor | None = None
        self._containers: dict[str, DockerContainer] = {}
        self._networks: dict[str, Network] = {}

    def up(self, profile: Profile, progress: Progress, scenarios: Collection[str] = SCENARIOS) -> Stack:
        client = engine()
        removed = reap(client)
        if removed:
            progress(f"removed {len(removed)} container(s)/network(s) a killed run left behind")
        image = images.reference_image(client, progress)
        self._run = run = Supervisor()
        progress(f"run directory {run.run_dir}")
        try:
            return self._start(image, run, profile, progress, services.needed(scenarios))
        except BaseException:
            self.down()
            raise

    def _labels(self) -> dict[str, str]:
        """The run id (what `docker ps --filter label=harness` shows) and the owning process, so a later
        run can tell a killed run's leftovers from a live run's containers."""
        assert self._run is not None
        owner = ProcessRecord.of(os.getpid())
        return {LABEL: self._run.run_id, OWNER_LABEL: f"{owner.pid}:{owner.start_time}"}

    def _network(self, kind: str) -> Network:
        assert self._run is not None
        network = Network(docker_network_kw={"labels": self._labels(), "internal": kind == "internal"})
        network.name = f"harness-{self._run.run_id}-{kind}"
        self._networks[kind] = network.create()
        return network

    def _start(self, image: str, run: Supervisor, profile: Profile, progress: Progress,
               definitions: list[Definition]) -> Stack:
        self._listeners = listeners = services.listeners(definitions)
        internal, client_network = self._network("internal"), self._network("client")
        exposed = {name for name, listener in listeners.items() if listener.client_facing}
        if profile.has("gateway_exposed") and "zeebe" in listeners:
            exposed.add("zeebe")
        host_ports = dict(zip(sorted(exposed), free_ports(len(exposed)), strict=True))
        # A listener only the stack may use binds to the service's address on the internal network, so it
        # stays closed on the client network even when another listener of the same process is published.
        placements = {
            name: Placement(
                bind=Address("0.0.0.0" if name in exposed else listener.service, listener.container_port),
                internal=Address(listener.service, listener.container_port),
                external=Address("127.0.0.1", host_ports[name]) if name in exposed else None)
            for name, listener in listeners.items()}
        self._exposed = exposed
        planned = stack.plan(run.run_dir, profile, placements, IN_CONTAINER, definitions)
        started = time.monotonic()
        # Create and start every container first (each on the internal network, so nginx resolves its
        # upstreams at start), join the published ones to the client network, then wait for readiness:
        # a published port only answers once its container is on a non-internal network.
        for spec in planned.services:
            container = (DockerContainer(image, labels=self._labels(), name=f"harness-{run.run_id}-{spec.name}")
                         .with_command(list(spec.argv))
                         .with_volume_mapping(str(run.run_dir), str(run.run_dir), "rw")
                         .with_network(internal).with_network_aliases(spec.name))
            published = [name for name in exposed if listeners[name].service == spec.name]
            for name in published:
                # with_bind_ports takes no host IP; docker-py's port map does, and it must be loopback.
                container.ports[str(listeners[name].container_port)] = ("127.0.0.1", host_ports[name])  # type: ignore[assignment]
            progress(f"starting {spec.name}")
            self._containers[spec.name] = container.start()
            if published:
                # Clients reach published ports on 127.0.0.1; the service's name resolves on the client
                # network only where a listener that should be internal is exposed (gateway_exposed).
                internal_exposed = any(not listeners[name].client_facing for name in published)
                client_network.connect(container.get_container_id(), [spec.name] if internal_exposed else None)
        for spec in planned.services:
            try:
                _wait_strategy(spec, listeners, exposed).wait_until_ready(self._containers[spec.name])
            except Exception as exc:  # noqa: BLE001  (any wait failure becomes one line with the log)
                raise StackError(f"{spec.name} did not become ready: {type(exc).__name__}; "
                                 f"its log ends: {self._tail(spec.name)}") from None
            progress(f"{spec.name} ready after {time.monotonic() - started:.2f} s")
        probe = (DockerContainer(image, labels=self._labels(), name=f"harness-{run.run_id}-client")
                 .with_command(["sleep", "infinity"]).with_network(client_network))
        self._containers["client"] = probe.start()
        target = config.validate({"name": f"docker:{profile.name}", **planned.target}, source="docker backend")
        self._specs = {spec.name: spec for spec in planned.services}
        return Stack(target, planned.environ, client_reachable=self.reachable_from_client, faults=self)

    def _tail(self, service: str) -> str:
        with contextlib.suppress(Exception):
            stdout, stderr = self._containers[service].get_logs()
            lines = (stdout + stderr).decode(errors="replace").strip().splitlines()
            return " | ".join(lines[-3:]) or "(empty)"
        return "(unavailable)"

    def reachable_from_client(self, address: str) -> bool:
        """Whether a TCP connection from the client network to `address` (host:port) succeeds."""
        host, port = address.rsplit(":", 1)
        code = (f"import socket; socket.create_connection(({host!r}, {int(port)}), {PROBE_TIMEOUT_S}).close()")
        result = self._containers["client"].exec(["python", "-c", code])
        return result.exit_code == 0

    def _container(self, service: str) -> Container:
        if service not in self._specs:
            raise StackError(f"no such service in the docker stack: {service}")
        return self._containers[service].get_wrapped_container()

    def stoppable(self, service: str) -> bool:
        return service in self._specs

    def stop(self, service: str) -> None:
        self._container(service).stop(timeout=STOP_TIMEOUT_S)

    def start(self, service: str) -> None:
        self._container(service).start()
        _wait_strategy(self._specs[service], self._listeners, self._exposed).wait_until_ready(self._containers[service])

    def pause(self, service: str, paused: bool = True) -> None:
        container = self._container(service)
        container.pause() if paused else container.unpause()

    def isolate(self, service: str, isolated: bool = True) -> None:
        """Cut the service off the internal network, where the rest of the stack reaches it (and back on,
        under its name), without stopping it."""
        container_id = self._container(service).id
        network = self._networks["internal"]
        if isolated:
            engine().networks.get(network.id).disconnect(container_id)
        else:
            network.connect(container_id, [service])

    def down(self) -> None:
        for name, container in reversed(list(self._containers.items())):
            if self._run is not None:
                with contextlib.suppress(Exception):
                    stdout, stderr = container.get_logs()
                    self._run.log_file(name).write_bytes(stdout + stderr)
            with contextlib.suppress(Exception):
                container.stop()
        for network in self._networks.values():
            with contextlib.suppress(Exception):
                network.remove()
        self._containers.clear()
        self._networks.clear()
        if self._run is not None:
            self._run.stop_all()
            self._run = None


def _owner_alive(labels: dict[str, str]) -> bool:
    pid, _, start_time = labels.get(OWNER_LABEL, "").partition(":")
    return pid.isdigit() and ProcessRecord(int(pid), start_time or None).alive()


def reap(client: docker.DockerClient | None = None) -> list[str]:
    """Remove the containers, then the networks, of runs whose owner is gone; returns their names.

    `harness stack down` first asks live owners to stop (supervisor.reap), so what is left is removed.
    """
    client = client or engine()
    removed: list[str] = []
    for container in client.containers.list(all=True, filters={"label": LABEL}):
        if not _owner_alive(container.labels):
            with contextlib.suppress(docker.errors.APIError):
                container.remove(force=True)
                removed.append(container.name)
    for network in client.networks.list(filters={"label": LABEL}):
        if not _owner_alive(network.attrs["Labels"]):
            with contextlib.suppress(docker.errors.APIError):
                network.remove()
                removed.append(network.name)
    return removed
