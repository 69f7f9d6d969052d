"""What the secrets checks share: the worker under test, Vault access as an operator, process runs through
the gateway, and the worker's log read as `event=... job=<key>` lines.

Everything goes through public protocol: gRPC to the gateway, Operate's search API, Vault's HTTP API (hvac),
the worker's actuator and the log file the Target declares. Secret values the checks create or read are
registered with the report redactor the moment they exist.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
import secrets
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import hvac
import pytest
from pyzeebe.proto import gateway_pb2

from harness.backends import Stack
from harness.clients.oauth import fetch_token
from harness.clients.operate import OperateApi
from harness.clients.zeebe import Reply, ZeebeCalls, one_task_process
from harness.config import Target, Vault, Worker
from harness.outcome import PositiveControlFailed

RESULT_TIMEOUT_MS = 20_000
LOG_LINE = re.compile(r"^(?P<ts>\S+Z) .*?event=(?P<event>\w+) job=(?P<job>\d+)(?P<rest>.*)$")
FIELD = re.compile(r"(\w+)=(\S+)")


@dataclasses.dataclass(frozen=True)
class LogEvent:
    at: dt.datetime
    event: str
    job: int
    fields: dict[str, str]


def worker_events(worker: Worker) -> list[LogEvent]:
    """The job events in the worker's log, oldest first; timestamps are UTC with milliseconds."""
    assert worker.log_file is not None
    events = []
    for line in Path(worker.log_file).read_text(errors="replace").splitlines():
        match = LOG_LINE.match(line)
        if match:
            at = dt.datetime.strptime(match["ts"], "%Y-%m-%dT%H:%M:%S.%fZ")
            events.append(LogEvent(at, match["event"], int(match["job"]), dict(FIELD.findall(match["rest"]))))
    return events


def jobs_of(events: list[LogEvent], instances: set[int]) -> set[int]:
    """The job keys the log says belong to these process instances (from their activation lines)."""
    return {e.job for e in events if e.event == "activated" and int(e.fields.get("instance", 0)) in instances}


def under_test(target: Target) -> tuple[str, Worker, Vault]:
    """The first business unit's worker and Vault, or a skip naming what the target lacks."""
    if not target.workers:
        pytest.skip("the target declares no workers: no job-worker runtime to test")
    if target.vault is None:
        pytest.skip("the target declares no vault")
    unit, worker = next(iter(target.workers.items()))
    return unit, worker, target.vault


class Secrets:
    """Operator access to the unit's KV path: read the current secret, write a new version (rotation).

    Every value read or written is a canary: it must never show anywhere but Vault and the downstream."""

    def __init__(self, stack: Stack, vault: Vault, path: str, register: Callable[[list[str]], None]) -> None:
        self.stack, self.vault, self.path, self.register = stack, vault, path, register
        self.canaries: list[str] = []

    def _client(self) -> hvac.Client:
        env = self.vault.admin_token_env
        if env is None or not self.stack.environ.get(env):
            pytest.skip("the target names no vault.admin_token_env with a value: the secret cannot be rotated")
        return hvac.Client(url=self.vault.url, token=self.stack.environ[env],
                           verify=str(self.stack.target.ca_file) if self.stack.target.ca_file else True)

    def read_current(self) -> None:
        data = self._client().secrets.kv.v2.read_secret_version(self.path, mount_point=self.vault.mount,
                                                                 raise_on_deleted_version=True)["data"]["data"]
        self._remember(str(data["password"]))

    def rotate(self) -> None:
        """A new KV version with a fresh password (the username stays): what a rotation job does."""
        if "rotate_secret" not in self.stack.target.capabilities:
            pytest.skip("the target has no rotate_secret capability: the secret is not rotated")
        client = self._client()
        current = client.secrets.kv.v2.read_secret_version(self.path, mount_point=self.vault.mount,
                                                           raise_on_deleted_version=True)["data"]["data"]
        password = secrets.token_urlsafe(18)
        self._remember(password)
        client.secrets.kv.v2.create_or_update_secret(self.path, {**current, "password": password},
                                                     mount_point=self.vault.mount)

    def _remember(self, value: str) -> None:
        if value not in self.canaries:
            self.register([value])
            self.canaries.append(value)

    def found_in(self, text: str) -> int:
        """How many canaries occur in `text` (the count only: a message never repeats a value)."""
        return sum(1 for canary in self.canaries if canary in text)


class Processes:
    """Deploy the worker's process in variants and run instances through the gateway (the default client)."""

    def __init__(self, stack: Stack, worker: Worker) -> None:
        assert stack.target.gateway is not None
        gateway = stack.target.gateway
        self.stack, self.worker = stack, worker
        self.calls = ZeebeCalls(gateway.address, gateway.tls, stack.target.ca_file, fetch_token(stack))
        self.pool = ThreadPoolExecutor(max_workers=16)

    def deploy(self, retries: int = 3, process_id: str | None = None) -> int:
        """A process of the worker's job type; a new version whenever `retries` differs, so the checks start
        instances by definition key."""
        bpmn = one_task_process(process_id or self.worker.bpmn_process_id, self.worker.job_type, retries)
        reply = self.calls.deploy(bpmn, "", name=f"secrets-{uuid.uuid4().hex[:8]}.bpmn")
        if not reply.ok:
            raise PositiveControlFailed(f"deploying the test process got {reply.code.name}: "
                               f"{reply.details}")
        return int(reply.response.deployments[0].process.processDefinitionKey)

    def run(self, definition: int, timeout_ms: int = RESULT_TIMEOUT_MS) -> Future[Reply]:
        """Start an instance and wait for its end (CreateProcessInstanceWithResult) in a pool thread."""
        request = gateway_pb2.CreateProcessInstanceWithResultRequest(
            request=gateway_pb2.CreateProcessInstanceRequest(processDefinitionKey=definition, variables="{}"),
            requestTimeout=timeout_ms)
        return self.pool.submit(self.calls.call, "CreateProcessInstanceWithResult", request)

    def start(self, definition: int) -> int:
        reply = self.calls.call("CreateProcessInstance", gateway_pb2.CreateProcessInstanceRequest(
            processDefinitionKey=definition, variables="{}"))
        if not reply.ok:
            raise PositiveControlFailed(f"starting an instance got {reply.code.name}")
        return int(reply.response.processInstanceKey)

    @functools.cached_property
    def operate(self) -> OperateApi:
        return OperateApi(self.stack)

    def incidents(self, instance: int, wait_s: float = 0.0) -> list[dict[str, object]]:
        """The instance's incidents in Operate, waiting up to `wait_s` for a first one."""
        deadline = time.monotonic() + wait_s
        while True:
            found = self.operate.search("incidents", {"processInstanceKey": instance})
            if found or time.monotonic() >= deadline:
                return found
            time.sleep(0.1)

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        self.calls.channel.close()
