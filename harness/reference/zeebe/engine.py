"""The gateway emulator's in-memory engine: deployments, instances, jobs, incidents and messages.

It keeps Zeebe's observable rules: int64 keys from partition 1, job retries with back-off (a failed job
with retries left is invisible to activation until its back-off has passed), an incident when retries run
out, NOT_FOUND for unknown keys (and for keys of tenants the caller may not see, as Zeebe does), and
FAILED_PRECONDITION for commands on an entity in the wrong state. Nothing here knows about gRPC messages;
the servicer maps requests and answers. With exporting on, every variable written or changed becomes a
VARIABLE record (CREATED or UPDATED) and every job transition a JOB record (CREATED, FAILED with the retries,
`retryBackoff` and `recurringTime` the worker asked for, RECURRED_AFTER_BACKOFF when the back-off ends,
RETRIES_UPDATED, ERROR_THROWN, COMPLETED), each at the next log position, for an exporter to take, as
Zeebe's exporters read its log (camunda/camunda `zeebe/engine/.../processing/job/JobFailProcessor.java`:
`recurringTime` = the command's timestamp + back-off, set only with retries and a back-off left).
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import json
import time
from collections.abc import Collection
from typing import Any

import grpc

from harness.reference.zeebe import bpmn

DEFAULT_TENANT = "<default>"
PARTITION_ID = 1
KEY_START = (PARTITION_ID << 51) + 1
NO_RETRIES_MESSAGE = "No more retries left."
# The gateway's long-polling timeout when an activation names none.
DEFAULT_LONG_POLL_S = 10.0
JSON_NODE_TYPES = {list: "ARRAY", str: "STRING", int: "NUMBER", float: "NUMBER", bool: "BOOLEAN"}

# `None` means the caller may see every tenant (tenant checks off); otherwise the tenants it may see.
Tenants = Collection[str] | None


class Rejection(Exception):
    """A command Zeebe would reject: the gRPC code and the message a client sees."""

    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def not_found(command: str, text: str) -> Rejection:
    return Rejection(grpc.StatusCode.NOT_FOUND, f"Command '{command}' rejected with code 'NOT_FOUND': {text}")


def already_exists(command: str, text: str) -> Rejection:
    return Rejection(grpc.StatusCode.ALREADY_EXISTS, f"Command '{command}' rejected with code 'ALREADY_EXISTS': {text}")


def invalid_state(command: str, text: str) -> Rejection:
    return Rejection(grpc.StatusCode.FAILED_PRECONDITION,
                     f"Command '{command}' rejected with code 'INVALID_STATE': {text}")


def parse_variables(document: str) -> dict[str, Any]:
    """Zeebe accepts an empty document or a JSON object; anything else is INVALID_ARGUMENT."""
    if not document.strip():
        return {}
    try:
        value = json.loads(document)
    except ValueError:
        raise Rejection(grpc.StatusCode.INVALID_ARGUMENT,
                        "Property 'variables' is invalid: Expected document to be valid JSON") from None
    if not isinstance(value, dict):
        raise Rejection(grpc.StatusCode.INVALID_ARGUMENT, "Property 'variables' is invalid: Expected document to "
                        f"be a root level object, but was '{JSON_NODE_TYPES.get(type(value), 'NULL')}'")
    return value


def _visible(tenant: str, tenants: Tenants) -> bool:
    return tenants is None or tenant in tenants


@dataclasses.dataclass
class Definition:
    key: int
    process: bpmn.Process
    version: int
    resource_name: str
    resource: bytes
    tenant_id: str


@dataclasses.dataclass
class Instance:
    key: int
    definition: Definition
    tenant_id: str
    variables: dict[str, Any] = dataclasses.field(default_factory=dict)
    # Each variable keeps the key it got when created, as its UPDATED records carry it.
    variable_keys: dict[str, int] = dataclasses.field(default_factory=dict)
    state: str = "ACTIVE"
    result: asyncio.Future[dict[str, Any]] | None = None


@dataclasses.dataclass(frozen=True)
class VariableRecord:
    """A VARIABLE event of Zeebe's log: `value` is the variable's JSON text, as Zeebe records it."""

    position: int
    key: int
    intent: str
    timestamp_ms: int
    name: str
    value: str
    process_instance_key: int
    process_definition_key: int
    bpmn_process_id: str
    tenant_id: str


@dataclasses.dataclass(frozen=True)
class JobRecord:
    """A JOB event of Zeebe's log with the JobRecord fields a reader of a job's history needs (-1: unset)."""

    position: int
    key: int
    intent: str
    timestamp_ms: int
    job_type: str
    worker: str
    retries: int
    retry_backoff_ms: int
    recurring_time_ms: int
    deadline_ms: int
    error_message: str
    element_id: str
    element_instance_key: int
    process_instance_key: int
    process_definition_key: int
    bpmn_process_id: str
    tenant_id: str


Record = VariableRecord | JobRecord


@dataclasses.dataclass
class Job:
    key: int
    element: bpmn.Element
    instance: Instance
    element_instance_key: int
    retries: int
    state: str = "ACTIVATABLE"
    visible_at: float = 0.0
    deadline_ms: int = 0
    worker: str = ""
    error_message: str = ""


@dataclasses.dataclass
class Incident:
    key: int
    job: Job
    error_type: str
    message: str
    created_ms: int
    state: str = "ACTIVE"


@dataclasses.dataclass
class UserTask:
    """A Camunda user task waiting for its completion (8.8+: completed through the REST API)."""

    key: int
    element: bpmn.Element
    instance: Instance
    element_instance_key: int
    created_ms: int
    state: str = "CREATED"
    completed_ms: int | None = None


@dataclasses.dataclass
class Message:
    key: int
    name: str
    correlation_key: str
    expires_at: float
    message_id: str
    variables: dict[str, Any]
    tenant_id: str


class Engine:
    def __init__(self, exporting: bool = False) -> None:
        self._keys = itertools.count(KEY_START)
        self._positions = itertools.count(1)
        # Records not yet taken by the exporter; None without one (Zeebe then keeps no log to export).
        self._records: list[Record] | None = [] if exporting else None
        self.definitions: dict[int, Definition] = {}
        self.instances: dict[int, Instance] = {}
        self.jobs: dict[int, Job] = {}
        self.incidents: dict[int, Incident] = {}
        self.messages: dict[int, Message] = {}
        self.user_tasks: dict[int, UserTask] = {}
        self._changed = asyncio.Event()

    def next_key(self) -> int:
        return next(self._keys)

    def take_records(self) -> list[Record]:
        """The records written since the last call, oldest first (the exporter owns them from now on)."""
        if self._records is None:
            return []
        taken, self._records = self._records, []
        return taken

    def _write_variables(self, instance: Instance, variables: dict[str, Any]) -> None:
        """Set variables on the instance; a new name is CREATED, a changed value UPDATED, the same value
        writes nothing, as in Zeebe."""
        for name, value in variables.items():
            intent = "UPDATED" if name in instance.variables else "CREATED"
            if intent == "UPDATED" and instance.variables[name] == value:
                continue
            instance.variables[name] = value
            key = instance.variable_keys.setdefault(name, self.next_key())
            if self._records is not None:
                definition = instance.definition
                self._records.append(VariableRecord(
                    next(self._positions), key, intent, int(time.time() * 1000), name,
                    json.dumps(value, separators=(",", ":")), instance.key, definition.key,
                    definition.process.bpmn_process_id, instance.tenant_id))

    def _write_job(self, job: Job, intent: str, *, backoff_ms: int = 0, recurs: bool = False) -> None:
        """A JOB event for the job as it is now; `recurs`: it comes back after `backoff_ms` from this record's
        timestamp (`recurringTime`). Nothing without an exporter."""
        if self._records is None:
            return
        instance, now_ms = job.instance, int(time.time() * 1000)
        self._records.append(JobRecord(
            next(self._positions), job.key, intent, now_ms, job.element.job_type, job.worker,
            job.retries, backoff_ms, now_ms + backoff_ms if recurs else -1,
            job.deadline_ms if job.state == "ACTIVATED" else -1,
            job.error_message, job.element.id, job.element_instance_key, instance.key, instance.definition.key,
            instance.definition.process.bpmn_process_id, instance.tenant_id))

    def changed(self) -> asyncio.Event:
        """An event set at the next change that may make jobs activatable (long polling waits on it)."""
        return self._changed

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    # deployments and instances

    def deploy(self, resources: list[tuple[str, bytes]], tenant: str) -> list[Definition]:
        parsed = []
        errors = []
        for name, content in resources:
            if not name.endswith((".bpmn", ".xml")):
                errors.append(f"'{name}': resource type is not supported by this gateway (only BPMN)")
                continue
            try:
                parsed.extend((name, content, process) for process in bpmn.parse(content))
            except bpmn.BpmnError as exc:
                errors.append(f"'{name}': {exc}")
        if errors or not parsed:
            raise Rejection(grpc.StatusCode.INVALID_ARGUMENT,
                            "Command 'CREATE' rejected with code 'INVALID_ARGUMENT': Expected to deploy new "
                            "resources, but encountered the following errors:\n" +
                            "\n".join(errors or ["no resources were given"]))
        return [self._register(name, content, process, tenant) for name, content, process in parsed]

    def _register(self, name: str, content: bytes, process: bpmn.Process, tenant: str) -> Definition:
        latest = self.latest(process.bpmn_process_id, tenant)
        if latest is not None and latest.resource == content:
            return latest
        definition = Definition(self.next_key(), process, (latest.version + 1) if latest else 1, name, content, tenant)
        self.definitions[definition.key] = definition
        return definition

    def latest(self, bpmn_process_id: str, tenant: str) -> Definition | None:
        found = [d for d in self.definitions.values()
                 if d.process.bpmn_process_id == bpmn_process_id and d.tenant_id == tenant]
        return max(found, key=lambda d: d.version, default=None)

    def find_definition(self, key: int, bpmn_process_id: str, version: int, tenant: str,
                        tenants: Tenants) -> Definition:
        if key:
            definition = self.definitions.get(key)
            if definition is None or not _visible(definition.tenant_id, tenants):
                raise not_found("CREATE", f"Expected to find process definition with key '{key}', but none found")
            return definition
        if version > 0:
            for candidate in self.definitions.values():
                if (candidate.process.bpmn_process_id, candidate.version, candidate.tenant_id) == (
                        bpmn_process_id, version, tenant):
                    return candidate
            raise not_found("CREATE", f"Expected to find process definition with process ID '{bpmn_process_id}' "
                                      f"and version '{version}', but none found")
        definition = self.latest(bpmn_process_id, tenant)
        if definition is None:
            raise not_found("CREATE", f"Expected to find process definition with process ID '{bpmn_process_id}', "
                                      "but none found")
        return definition

    def create_instance(self, definition: Definition, variables: dict[str, Any], with_result: bool = False
                        ) -> Instance:
        instance = Instance(self.next_key(), definition, definition.tenant_id)
        self._write_variables(instance, variables)
        if with_result:
            instance.result = asyncio.get_running_loop().create_future()
        self.instances[instance.key] = instance
        self._advance(instance, definition.process.start)
        return instance

    def _advance(self, instance: Instance, from_element: str) -> None:
        element = instance.definition.process.following(from_element)
        if element is None or element.kind == "endEvent":
            instance.state = "COMPLETED"
            if instance.result is not None and not instance.result.done():
                instance.result.set_result(dict(instance.variables))
            return
        if element.kind == "userTask":
            task = UserTask(self.next_key(), element, instance, self.next_key(), int(time.time() * 1000))
            self.user_tasks[task.key] = task
            return
        job = Job(self.next_key(), element, instance, self.next_key(), element.retries)
        self.jobs[job.key] = job
        self._write_job(job, "CREATED")
        self._notify()

    def cancel(self, key: int, tenants: Tenants) -> None:
        instance = self.instances.get(key)
        if instance is None or instance.state != "ACTIVE" or not _visible(instance.tenant_id, tenants):
            raise not_found("CANCEL", f"Expected to cancel a process instance with key '{key}', but no such "
                                      "process was found")
        instance.state = "TERMINATED"
        for job in [j for j in self.jobs.values() if j.instance is instance]:
            del self.jobs[job.key]
        for task in self.user_tasks.values():
            if task.instance is instance and task.state == "CREATED":
                task.state = "CANCELED"
        for incident in self.incidents.values():
            if incident.job.instance is instance:
                incident.state = "RESOLVED"

    def set_variables(self, element_instance_key: int, variables: dict[str, Any], tenants: Tenants) -> int:
        instance = self.instances.get(element_instance_key)
        if instance is None:
            instance = next((j.instance for j in self.jobs.values()
                             if j.element_instance_key == element_instance_key), None)
        if instance is None or instance.state != "ACTIVE" or not _visible(instance.tenant_id, tenants):
            raise not_found("UPDATE", f"Expected to update variables for element with key '{element_instance_key}'"
                                      ", but no such element was found")
        self._write_variables(instance, variables)
        return self.next_key()

    # jobs

    def activatable(self, job_type: str, tenants: Tenants, now: float, processes: frozenset[str] | None = None
                    ) -> list[Job]:
        """`processes`: the process ids whose jobs the caller may take (Camunda 8.8+'s JobBatchCollector skips
        the others without a word); None for all."""
        found = []
        for job in self.jobs.values():
            if job.element.job_type != job_type or not _visible(job.instance.tenant_id, tenants):
                continue
            if processes is not None and job.instance.definition.process.bpmn_process_id not in processes:
                continue
            timed_out = job.state == "ACTIVATED" and job.deadline_ms <= int(time.time() * 1000)
            if (job.state == "ACTIVATABLE" and job.visible_at <= now) or timed_out:
                found.append(job)
        return found

    def next_visible_in(self, job_type: str, tenants: Tenants, now: float) -> float | None:
        """Seconds until the next back-off or job timeout ends for this type, so long polling wakes on time."""
        waits = []
        wall_ms = int(time.time() * 1000)
        for job in self.jobs.values():
            if job.element.job_type != job_type or not _visible(job.instance.tenant_id, tenants):
                continue
            if job.state == "ACTIVATABLE" and job.visible_at > now:
                waits.append(job.visible_at - now)
            elif job.state == "ACTIVATED":
                waits.append(max(0.0, (job.deadline_ms - wall_ms) / 1000))
        return min(waits, default=None)

    def activate(self, job_type: str, worker: str, timeout_ms: int, limit: int, tenants: Tenants,
                 processes: frozenset[str] | None = None) -> list[Job]:
        jobs = self.activatable(job_type, tenants, time.monotonic(), processes)[:max(limit, 0)]
        deadline = int(time.time() * 1000) + timeout_ms
        for job in jobs:
            job.state, job.deadline_ms, job.worker = "ACTIVATED", deadline, worker
        return jobs

    async def activate_waiting(self, job_type: str, worker: str, timeout_ms: int, limit: int, tenants: Tenants,
                               request_timeout_ms: int, processes: frozenset[str] | None = None) -> list[Job]:
        """Zeebe's long polling, for the gRPC and REST gateways alike: activate at once, or wait (at most
        `request_timeout_ms`; 0 the gateway's default, negative not at all) for a job, a back-off's end or a
        job timeout."""
        if request_timeout_ms < 0:
            wait_s = 0.0
        else:
            wait_s = request_timeout_ms / 1000 if request_timeout_ms > 0 else DEFAULT_LONG_POLL_S
        deadline = time.monotonic() + wait_s
        while True:
            changed = self.changed()
            jobs = self.activate(job_type, worker, timeout_ms, limit, tenants, processes)
            now = time.monotonic()
            if jobs or now >= deadline:
                return jobs
            next_visible = self.next_visible_in(job_type, tenants, now)
            timeout = deadline - now if next_visible is None else min(deadline - now, next_visible)
            try:
                await asyncio.wait_for(changed.wait(), timeout)
            except TimeoutError:
                pass

    def _job(self, command: str, verb: str, key: int, tenants: Tenants) -> Job:
        job = self.jobs.get(key)
        if job is None or not _visible(job.instance.tenant_id, tenants):
            raise not_found(command, f"Expected to {verb} job with key '{key}', but no such job was found")
        return job

    def _open_job(self, command: str, verb: str, key: int, tenants: Tenants) -> Job:
        job = self._job(command, verb, key, tenants)
        if job.state not in ("ACTIVATABLE", "ACTIVATED"):
            raise invalid_state(command, f"Expected to {verb} job with key '{key}', but it is in state '{job.state}'")
        return job

    def complete(self, key: int, variables: dict[str, Any], tenants: Tenants) -> None:
        job = self._open_job("COMPLETE", "complete", key, tenants)
        del self.jobs[key]
        self._write_job(job, "COMPLETED")
        self._write_variables(job.instance, variables)
        self._advance(job.instance, job.element.id)

    def fail(self, key: int, retries: int, message: str, backoff_ms: int, variables: dict[str, Any],
             tenants: Tenants) -> None:
        job = self._open_job("FAIL", "fail", key, tenants)
        self._write_variables(job.instance, variables)
        job.retries, job.error_message = retries, message
        backoff_ms = max(backoff_ms, 0)
        retry_later = retries > 0 and backoff_ms > 0
        job.state = "ACTIVATABLE" if retries > 0 else "FAILED"
        job.visible_at = time.monotonic() + backoff_ms / 1000 if retries > 0 else job.visible_at
        self._write_job(job, "FAILED", backoff_ms=backoff_ms, recurs=retry_later)
        job.worker = ""
        if retry_later:
            asyncio.get_running_loop().call_later(backoff_ms / 1000, self._recur_after_backoff, job, job.visible_at)
        if retries > 0:
            self._notify()
            return
        self._raise_incident(job, "JOB_NO_RETRIES", message or NO_RETRIES_MESSAGE)

    def _recur_after_backoff(self, job: Job, visible_at: float) -> None:
        """The back-off ended (Zeebe's JobBackoffChecker): the job is activatable again, recorded as
        RECURRED_AFTER_BACKOFF, unless it changed since."""
        if self.jobs.get(job.key) is job and job.state == "ACTIVATABLE" and job.visible_at == visible_at:
            self._write_job(job, "RECURRED_AFTER_BACKOFF")
            self._notify()

    def throw_error(self, key: int, code: str, message: str, tenants: Tenants) -> None:
        job = self._open_job("THROW_ERROR", "throw an error for", key, tenants)
        job.state, job.error_message = "ERROR_THROWN", message
        self._write_job(job, "ERROR_THROWN")
        # The emulator runs no error catch events, so every thrown error is uncaught, as in Zeebe.
        self._raise_incident(job, "UNHANDLED_ERROR_EVENT",
                             f"Expected to throw an error event with the code '{code}' with message '{message}', "
                             "but it was not caught. No error events are available in the scope.")

    def update_retries(self, key: int, retries: int, tenants: Tenants) -> None:
        job = self._job("UPDATE_RETRIES", "update retries for", key, tenants)
        if retries < 1:
            raise Rejection(grpc.StatusCode.INVALID_ARGUMENT, "Command 'UPDATE_RETRIES' rejected with code "
                            f"'INVALID_ARGUMENT': Expected to update retries for job with key '{key}' with a "
                            f"positive amount of retries, but retries was '{retries}'")
        job.retries = retries
        self._write_job(job, "RETRIES_UPDATED")

    def _raise_incident(self, job: Job, error_type: str, message: str) -> None:
        incident = Incident(self.next_key(), job, error_type, message, int(time.time() * 1000))
        self.incidents[incident.key] = incident

    def resolve_incident(self, key: int, tenants: Tenants) -> None:
        incident = self.incidents.get(key)
        if incident is None or not _visible(incident.job.instance.tenant_id, tenants):
            raise not_found("RESOLVE", f"Expected to resolve incident with key '{key}', but no such incident was found")
        if incident.state != "ACTIVE":
            raise invalid_state("RESOLVE", f"Expected to resolve incident with key '{key}', but it is resolved")
        incident.state = "RESOLVED"
        job = incident.job
        if job.state == "FAILED":
            if job.retries > 0:
                job.state, job.visible_at = "ACTIVATABLE", 0.0
                self._notify()
            else:
                self._raise_incident(job, incident.error_type, incident.message)

    def visible_instances(self, tenants: Tenants) -> list[Instance]:
        return [i for i in self.instances.values() if _visible(i.tenant_id, tenants)]

    def visible_user_tasks(self, tenants: Tenants) -> list[UserTask]:
        return [t for t in self.user_tasks.values() if _visible(t.instance.tenant_id, tenants)]

    def user_task(self, key: int, tenants: Tenants) -> UserTask:
        """An open user task the caller's tenants see; NOT_FOUND otherwise (another tenant's included)."""
        task = self.user_tasks.get(key)
        if task is None or task.state != "CREATED" or not _visible(task.instance.tenant_id, tenants):
            raise not_found("COMPLETE", f"Expected to complete user task with key '{key}', but no such user task "
                                        "was found")
        return task

    def complete_user_task(self, task: UserTask, variables: dict[str, Any]) -> None:
        task.state, task.completed_ms = "COMPLETED", int(time.time() * 1000)
        self._write_variables(task.instance, variables)
        self._advance(task.instance, task.element.id)

    def visible_incidents(self, tenants: Tenants) -> list[Incident]:
        return [i for i in self.incidents.values() if _visible(i.job.instance.tenant_id, tenants)]

    # messages

    def publish(self, name: str, correlation_key: str, ttl_ms: int, message_id: str, variables: dict[str, Any],
                tenant: str) -> int:
        now = time.monotonic()
        self.messages = {k: m for k, m in self.messages.items() if m.expires_at > now}
        if message_id and any(m.message_id == message_id and m.name == name and m.tenant_id == tenant
                              for m in self.messages.values()):
            raise Rejection(grpc.StatusCode.ALREADY_EXISTS,
                            f"Command 'PUBLISH' rejected with code 'ALREADY_EXISTS': Expected to publish a new message "
                            f"with id '{message_id}', but a message with that id was already published")
        message = Message(self.next_key(), name, correlation_key, now + max(ttl_ms, 0) / 1000, message_id, variables,
                          tenant)
        self.messages[message.key] = message
        return message.key
