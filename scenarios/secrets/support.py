"""What the secrets checks share: the worker under test, Vault access as an operator, process runs through
the gateway, and the worker's log read as `event=... job=<key>` lines.

Everything goes through public protocol: gRPC to the gateway, Operate's search API, Vault's HTTP API (hvac),
the worker's actuator and the log file the Target declares. Secret values the checks create or read are
registered with the report redactor the moment they exist.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import secrets
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from pyzeebe.proto import gateway_pb2

from harness.clients.bpmn import one_task_process
from harness.clients.gateway import PendingCall
from harness.config import Target, Vault, Worker
from harness.deployment import Stack
from harness.outcome import PositiveControlFailed
from harness.waiting import poll

# How long an instance may take to end: a floor for the worker's own work, plus the retries a rotation may
# cost at the target's stated back-off (a production worker waits a minute, the Vault article's figure).
RESULT_FLOOR_MS = 20_000
RETRIES_AFTER_ROTATION = 2
CALL_MARGIN_S = 5
# How long a worker may take to raise an incident; Operate shows it once Zeebe's exporter has written it
# (`exporter.bulk_delay_s` more).
INCIDENT_FLOOR_S = 5.0
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

    def read_current(self) -> None:
        self._remember(str(self.stack.capabilities.secret_store().read(self.path)["password"]))

    def rotate(self) -> None:
        """A new KV version with a fresh password (the username stays): what a rotation job does."""
        store = self.stack.capabilities.secret_store()
        password = secrets.token_urlsafe(18)
        self._remember(password)
        store.write(self.path, {**store.read(self.path), "password": password})

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
        self.stack, self.worker = stack, worker
        self.calls = stack.gateway_as()
        self.tenant = stack.target.clients["default"].tenant

    def deploy(self, retries: int = 3, process_id: str | None = None) -> int:
        """A process of the worker's job type; a new version whenever `retries` differs, so the checks start
        instances by definition key."""
        bpmn = one_task_process(process_id or self.worker.bpmn_process_id, self.worker.job_type, retries)
        reply = self.calls.deploy(bpmn, self.tenant, name=f"secrets-{uuid.uuid4().hex[:8]}.bpmn")
        if not reply.ok:
            raise PositiveControlFailed(f"deploying the test process got {reply.code.name}: "
                               f"{reply.details}")
        return int(reply.response.deployments[0].process.processDefinitionKey)

    @property
    def result_timeout_ms(self) -> int:
        return RESULT_FLOOR_MS + RETRIES_AFTER_ROTATION * self.worker.retry_backoff_ms

    def run(self, definition: int, timeout_ms: int | None = None) -> PendingCall:
        """Start an instance and wait for its end (CreateProcessInstanceWithResult) without blocking, the
        call's deadline just past the wait the gateway is asked for (default: result_timeout_ms)."""
        timeout_ms = timeout_ms or self.result_timeout_ms
        request = gateway_pb2.CreateProcessInstanceWithResultRequest(
            request=gateway_pb2.CreateProcessInstanceRequest(processDefinitionKey=definition, variables="{}",
                                                             tenantId=self.tenant),
            requestTimeout=timeout_ms)
        return self.calls.pending("CreateProcessInstanceWithResult", request, timeout_ms / 1000 + CALL_MARGIN_S)

    def start(self, definition: int) -> int:
        reply = self.calls.call("CreateProcessInstance", gateway_pb2.CreateProcessInstanceRequest(
            processDefinitionKey=definition, variables="{}", tenantId=self.tenant))
        if not reply.ok:
            raise PositiveControlFailed(f"starting an instance got {reply.code.name}")
        return int(reply.response.processInstanceKey)

    @property
    def incident_wait_s(self) -> float:
        return INCIDENT_FLOOR_S + self.stack.target.exporter.bulk_delay_s

    def incidents(self, instance: int, wait_s: float = 0.0) -> list[dict[str, object]]:
        """The instance's incidents in Operate, waiting up to `wait_s` for a first one."""
        operate = self.stack.operate()
        return poll(lambda: operate.search("incidents", {"processInstanceKey": instance}), bool, wait_s).value

    def incidents_of(self, definition: int) -> list[dict[str, object]]:
        """The incidents of every instance of `definition` that Operate shows now."""
        return self.stack.operate().search("incidents", {"processDefinitionKey": definition})

    def close(self) -> None:
        self.calls.channel.close()
