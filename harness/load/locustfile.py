"""Locust users for the proxy/auth hot path, against the Target the runner hands over.

Valid callers hold a real token (refreshed before it expires); attackers send forged tokens from the JWT
probe catalog, and any call of theirs that succeeds is recorded as a failure of request type `attack`:
a bypass. Run by harness.load.runner, never imported by the harness itself (Locust patches with gevent).
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path

import gevent
import gevent.event
import gevent.lock
import grpc
from locust import events, task
from locust.env import Environment
from pyzeebe.proto import gateway_pb2, gateway_pb2_grpc

from harness import config
from harness.backends import Stack
from harness.clients.oauth import fetch_token
from harness.clients.zeebe import one_task_process
from harness.load.grpc_user import GrpcUser
from harness.probes import jwt

STACK = Stack(config.validate(json.loads(Path(os.environ["HARNESS_LOAD_TARGET"]).read_text())), os.environ)
MAX_REQUESTS = int(os.environ.get("HARNESS_LOAD_MAX_REQUESTS", "1000000"))
REFRESH_MARGIN_S = 30
CALL_TIMEOUT_S = 5
LOAD_PROCESS, LOAD_JOB = "harness-load", "harness-load-job"
ACTIVATE_POLL_MS = 100
DEPLOYING: list[str] = []
DEPLOYED = gevent.event.Event()


class Bypass(Exception):
    """A call with a forged token succeeded."""


class TokenSource:
    """One token for all users of this process, fetched again shortly before it expires.

    The lock matters: users start together, and without it each would fetch (and hold) its own token.
    """

    def __init__(self) -> None:
        self._token, self._refresh_at = "", 0.0
        self._lock = gevent.lock.Semaphore()

    def bearer(self) -> str:
        if time.time() >= self._refresh_at:
            with self._lock:
                if time.time() >= self._refresh_at:
                    self._token = fetch_token(STACK)
                    self._refresh_at = jwt.split(self._token)[1]["exp"] - REFRESH_MARGIN_S
        return f"Bearer {self._token}"


TOKENS = TokenSource()


def open_gateway_channel(address: str) -> grpc.Channel:
    gateway = STACK.target.gateway
    if gateway is None or not gateway.tls:
        return grpc.insecure_channel(address)
    ca_file = STACK.target.ca_file
    return grpc.secure_channel(address, grpc.ssl_channel_credentials(ca_file.read_bytes() if ca_file else None))


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


class ValidCaller(GrpcUser):
    """A client doing real work through the proxy: topology, new instances, and their jobs."""

    weight = 4
    stub_class = gateway_pb2_grpc.GatewayStub

    def open_channel(self, address: str) -> grpc.Channel:
        return open_gateway_channel(address)

    def metadata(self) -> list[tuple[str, str]]:
        return [("authorization", TOKENS.bearer())]

    def on_start(self) -> None:
        """The first user of a Locust process deploys the load process; the others wait for it (a failed
        deployment shows as failed creations, not as a hang)."""
        if not DEPLOYING:
            DEPLOYING.append(LOAD_PROCESS)
            resource = gateway_pb2.Resource(name="harness-load.bpmn", content=one_task_process(LOAD_PROCESS, LOAD_JOB))
            try:
                self.stub.DeployResource(gateway_pb2.DeployResourceRequest(resources=[resource]),
                                         metadata=self.metadata(), timeout=CALL_TIMEOUT_S)
            finally:
                DEPLOYED.set()
        DEPLOYED.wait(CALL_TIMEOUT_S)

    @task(2)
    def topology(self) -> None:
        self.stub.Topology(gateway_pb2.TopologyRequest(), metadata=self.metadata(), timeout=CALL_TIMEOUT_S)

    @task
    def create_instance(self) -> None:
        self.stub.CreateProcessInstance(gateway_pb2.CreateProcessInstanceRequest(bpmnProcessId=LOAD_PROCESS,
                                                                                 version=-1),
                                        metadata=self.metadata(), timeout=CALL_TIMEOUT_S)

    @task
    def work_on_jobs(self) -> None:
        """A short ActivateJobs long poll, then complete what it handed out."""
        request = gateway_pb2.ActivateJobsRequest(type=LOAD_JOB, worker="harness-load", timeout=30_000,
                                                  maxJobsToActivate=5, requestTimeout=ACTIVATE_POLL_MS)
        for response in self.stub.ActivateJobs(request, metadata=self.metadata(), timeout=CALL_TIMEOUT_S):
            for job in response.jobs:
                self.stub.CompleteJob(gateway_pb2.CompleteJobRequest(jobKey=job.key), metadata=self.metadata(),
                                      timeout=CALL_TIMEOUT_S)


class Attacker(GrpcUser):
    weight = 1
    request_type = "attack"
    stub_class = gateway_pb2_grpc.GatewayStub
    judge = staticmethod(refused_or_bypass)

    def open_channel(self, address: str) -> grpc.Channel:
        return open_gateway_channel(address)

    def on_start(self) -> None:
        genuine = TOKENS.bearer().removeprefix("Bearer ")
        self.forgeries = [jwt.alg_none(genuine), jwt.alg_none(genuine, "None"), genuine[:-4] + "AAAA"]

    @task
    def forged_topology(self) -> None:
        forged = random.choice(self.forgeries)
        self.stub.Topology(gateway_pb2.TopologyRequest(), metadata=[("authorization", f"Bearer {forged}")],
                           timeout=CALL_TIMEOUT_S)
