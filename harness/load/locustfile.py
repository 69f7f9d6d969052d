"""Locust users for the proxy/auth hot path, against the Target the runner hands over.

Valid callers hold a real token (refreshed before it expires); attackers send forged tokens from the JWT
probe catalog, and any call of theirs that succeeds is recorded as a failure of request type `attack`:
a bypass. TopologyCaller is the throughput bench's user: only the cheapest authenticated call, so the
figure measures the proxy's auth path and Locust, not the engine. OptimizeReader reads Optimize's public
API, only where the Target declares Optimize and a client for it. Run by harness.load.runner, never
imported by the harness itself (Locust patches with gevent).
"""

from __future__ import annotations

import functools
import json
import os
import random
import resource
import time
from pathlib import Path

import gevent
import gevent.event
import gevent.lock
import grpc
from gevent import ssl
from locust import FastHttpUser, events, task
from locust.env import Environment
from pyzeebe.proto import gateway_pb2, gateway_pb2_grpc

from harness.clients.bpmn import one_task_process
from harness.deployment import Stack
from harness.load.grpc_user import GrpcUser
from harness.probes import jwt

MAX_REQUESTS = int(os.environ.get("HARNESS_LOAD_MAX_REQUESTS", "1000000"))
CPU_REPORT_DIR = os.environ.get("HARNESS_LOAD_CPU_DIR")
REFRESH_MARGIN_S = 30
CALL_TIMEOUT_S = 5
LOAD_PROCESS, LOAD_JOB = "harness-load", "harness-load-job"
ACTIVATE_POLL_MS = 100
DEPLOYING: list[str] = []
DEPLOYED = gevent.event.Event()


@functools.cache
def stack() -> Stack:
    """The Target the runner handed over, read on first use: importing this file (Locust does, and so do
    tests listing its users) needs no target."""
    return Stack.from_target_file(Path(os.environ["HARNESS_LOAD_TARGET"]))


def tenant() -> str:
    """The tenant the valid callers' commands name (the default client's), so a multi-tenant gateway
    takes them."""
    return stack().target.clients["default"].tenant


class Bypass(Exception):
    """A call with a forged token succeeded."""


class TokenSource:
    """One token for all users of this process, fetched again shortly before it expires.

    The lock matters: users start together, and without it each would fetch (and hold) its own token.
    The call metadata is built once per token, so a call costs one clock read here.
    """

    def __init__(self, client: str = "default", audience: str | None = None) -> None:
        self._client, self._audience = client, audience
        self._token, self._refresh_at = "", 0.0
        self._metadata: tuple[tuple[str, str], ...] = ()
        self._lock = gevent.lock.Semaphore()

    def _current(self) -> None:
        if time.time() >= self._refresh_at:
            with self._lock:
                if time.time() >= self._refresh_at:
                    self._token = stack().token(self._client, self._audience)
                    self._metadata = (("authorization", f"Bearer {self._token}"),)
                    self._refresh_at = jwt.split(self._token)[1]["exp"] - REFRESH_MARGIN_S

    def token(self) -> str:
        self._current()
        return self._token

    def metadata(self) -> tuple[tuple[str, str], ...]:
        self._current()
        return self._metadata


TOKENS = TokenSource()
TOPOLOGY = gateway_pb2.TopologyRequest()


@functools.cache
def optimize_tokens(client: str, audience: str | None) -> TokenSource:
    """One token source for every Optimize reader of this process."""
    return TokenSource(client, audience)


def open_gateway_channel(address: str) -> grpc.Channel:
    gateway = stack().target.gateway
    return stack().channel(address, gateway is not None and gateway.tls)


def refused_or_bypass(error: grpc.RpcError | None) -> Exception | None:
    if error is None:
        return Bypass("a forged token was accepted")
    return None if error.code() == grpc.StatusCode.UNAUTHENTICATED else error


@events.init.add_listener
def bound_request_count(environment: Environment, **_: object) -> None:
    """Every run is bounded in requests as well as in time (--run-time): stop once MAX_REQUESTS is reached."""
    stopping: list[gevent.Greenlet] = []

    def count(**_: object) -> None:
        runner = environment.runner
        if not stopping and runner is not None and runner.stats.total.num_requests >= MAX_REQUESTS:
            stopping.append(gevent.spawn(runner.quit))

    environment.events.request.add_listener(count)


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)  # every thread of this process, grpc's included
    return usage.ru_utime + usage.ru_stime


def _succeeded_valid_calls(environment: Environment) -> int:
    return sum(entry.num_requests - entry.num_failures for (_, kind), entry in environment.stats.entries.items()
               if kind == GrpcUser.request_type)


@events.init.add_listener
def report_cpu(environment: Environment, **_: object) -> None:
    """For bench/load_ceiling.py: this process's CPU seconds and its succeeded valid calls from all users
    spawned to the end of the run, so calls per Locust core leave out interpreter start and spawning."""
    if CPU_REPORT_DIR is None:
        return
    start: dict[str, float] = {}

    def spawned(**_: object) -> None:
        start.update(cpu_s=_cpu_s(), calls=_succeeded_valid_calls(environment), at=time.monotonic())

    def stopped(**_: object) -> None:
        if start:
            report = {"cpu_s": _cpu_s() - start["cpu_s"], "wall_s": time.monotonic() - start["at"],
                      "calls": _succeeded_valid_calls(environment) - start["calls"]}
            (Path(CPU_REPORT_DIR) / f"cpu-{os.getpid()}.json").write_text(json.dumps(report))

    environment.events.spawning_complete.add_listener(spawned)
    environment.events.test_stop.add_listener(stopped)


class AuthenticatedCaller(GrpcUser):
    """A gateway client with the process's token."""

    abstract = True
    stub_class = gateway_pb2_grpc.GatewayStub

    def open_channel(self, address: str) -> grpc.Channel:
        return open_gateway_channel(address)

    def metadata(self) -> tuple[tuple[str, str], ...]:
        return TOKENS.metadata()


class TopologyCaller(AuthenticatedCaller):
    """The hot path alone: Topology is the cheapest authenticated call, so each one is auth plus transport."""

    @task
    def topology(self) -> None:
        self.stub.Topology(TOPOLOGY, metadata=self.metadata(), timeout=CALL_TIMEOUT_S)


class ValidCaller(AuthenticatedCaller):
    """A client doing real work through the proxy: topology, new instances, and their jobs."""

    weight = 4

    def on_start(self) -> None:
        """The first user of a Locust process deploys the load process; the others wait for it (a failed
        deployment shows as failed creations, not as a hang)."""
        if not DEPLOYING:
            DEPLOYING.append(LOAD_PROCESS)
            resource = gateway_pb2.Resource(name="harness-load.bpmn", content=one_task_process(LOAD_PROCESS, LOAD_JOB))
            try:
                self.stub.DeployResource(gateway_pb2.DeployResourceRequest(resources=[resource], tenantId=tenant()),
                                         metadata=self.metadata(), timeout=CALL_TIMEOUT_S)
            finally:
                DEPLOYED.set()
        DEPLOYED.wait(CALL_TIMEOUT_S)

    @task(2)
    def topology(self) -> None:
        self.stub.Topology(TOPOLOGY, metadata=self.metadata(), timeout=CALL_TIMEOUT_S)

    @task
    def create_instance(self) -> None:
        self.stub.CreateProcessInstance(gateway_pb2.CreateProcessInstanceRequest(bpmnProcessId=LOAD_PROCESS,
                                                                                 version=-1, tenantId=tenant()),
                                        metadata=self.metadata(), timeout=CALL_TIMEOUT_S)

    @task
    def work_on_jobs(self) -> None:
        """A short ActivateJobs long poll, then complete what it handed out."""
        request = gateway_pb2.ActivateJobsRequest(type=LOAD_JOB, worker="harness-load", timeout=30_000,
                                                  maxJobsToActivate=5, requestTimeout=ACTIVATE_POLL_MS,
                                                  tenantIds=[tenant()] if tenant() else [])
        for response in self.stub.ActivateJobs(request, metadata=self.metadata(), timeout=CALL_TIMEOUT_S):
            for job in response.jobs:
                self.stub.CompleteJob(gateway_pb2.CompleteJobRequest(jobKey=job.key), metadata=self.metadata(),
                                      timeout=CALL_TIMEOUT_S)


class Attacker(AuthenticatedCaller):
    """Forges from the token valid callers use, so a verdict cached under a wrong key would let it in."""

    weight = 1
    request_type = "attack"
    judge = staticmethod(refused_or_bypass)

    def on_start(self) -> None:
        genuine = TOKENS.token()
        self.forgeries = [(("authorization", f"Bearer {forged}"),)
                          for forged in (jwt.alg_none(genuine), jwt.alg_none(genuine, "None"), genuine[:-4] + "AAAA")]

    @task
    def forged_topology(self) -> None:
        try:
            self.stub.Topology(TOPOLOGY, metadata=random.choice(self.forgeries), timeout=CALL_TIMEOUT_S)
        except grpc.RpcError as error:
            # The interceptor has judged the call; a refusal is the expected outcome, not a task error.
            if error.code() != grpc.StatusCode.UNAUTHENTICATED:
                raise


def target_ssl_context(cafile: str | None = None) -> ssl.SSLContext:
    """geventhttpclient passes its own bundle (certifi's) as `cafile`; the Target's CA is what counts."""
    ca_file = stack().target.ca_file
    return ssl.create_default_context(cafile=str(ca_file) if ca_file else cafile)


class OptimizeReader(FastHttpUser):
    """A reader of Optimize's public API with a bearer token of the Target's `optimize.client`: the first
    declared collection's dashboards, and one of its reports' results exported. The runner selects it only
    where the Target declares that client and a collection (harness.load.runner.user_classes)."""

    weight = 1
    insecure = False

    def __init__(self, environment: Environment) -> None:
        optimize = stack().target.optimize
        assert optimize is not None and optimize.client is not None and optimize.collection_ids
        self.host = optimize.url  # --host names the gateway; this user talks to Optimize
        self.collection = {"collectionId": optimize.collection_ids[0]}
        self.tokens = optimize_tokens(optimize.client, optimize.audience)
        self.ssl_context_factory = target_ssl_context
        super().__init__(environment)

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens.token()}"}

    @task
    def dashboards(self) -> None:
        self.client.get("/api/public/dashboard", params=self.collection, headers=self.headers(), name="dashboards")

    @task
    def export_report(self) -> None:
        reports = self.client.get("/api/public/report", params=self.collection, headers=self.headers(),
                                  name="reports")
        if reports.ok and reports.json():
            report = random.choice(reports.json())["id"]
            self.client.get(f"/api/public/export/report/{report}/result/json", headers=self.headers(),
                            params={"limit": 100, "paginationTimeout": 1}, name="export report result")
