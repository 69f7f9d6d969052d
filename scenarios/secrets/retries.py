"""A worker's retries of the jobs of some instances, as SEC-002 and SEC-008 judge them.

The source is what Zeebe itself recorded where the Target lets the harness read it: the JOB records of the
exporter (`search` + `exporter`), whose FAILED events carry the retries left and the back-off the worker
asked for, and whose RECURRED_AFTER_BACKOFF event is when Zeebe made the job activatable again. Without
`search`, the worker's own log (`workers.<unit>.log_file`, `event=failing|activated job=<key>` lines) is
read instead; with neither, the timing cannot be judged and the check skips saying so.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection

import pytest

from harness.clients.zeebe_records import JobEvent, ZeebeRecords
from harness.config import Worker
from harness.deployment import Stack
from harness.outcome import PositiveControlFailed
from harness.waiting import poll
from scenarios.secrets.support import LogEvent, jobs_of, worker_events

# Beyond the exporter's bulk delay: Elasticsearch's refresh of the new records (1 s by default).
EXPORT_SLACK_S = 3.0


@dataclasses.dataclass(frozen=True)
class Retry:
    """One failure of a job: the retries it left, the back-off asked for (None where the source does not say)
    and how long the job then stayed away (None where it never came back)."""

    job: int
    retries_left: int
    asked_backoff_ms: int | None
    waited_s: float | None


@dataclasses.dataclass(frozen=True)
class RetryHistory:
    source: str
    failures: tuple[Retry, ...]

    def early(self, backoff_ms: int, slack_s: float) -> list[Retry]:
        """Retries that came back (or asked to come back) before the promised back-off."""
        return [r for r in self.failures if r.retries_left > 0 and (
            (r.asked_backoff_ms is not None and r.asked_backoff_ms < backoff_ms)
            or (r.waited_s is not None and r.waited_s + slack_s < backoff_ms / 1000))]

    def exhausted(self) -> list[Retry]:
        return [r for r in self.failures if r.retries_left < 1]

    def evidence(self) -> dict[str, object]:
        waits = [r.waited_s for r in self.failures if r.waited_s is not None]
        asked = [r.asked_backoff_ms for r in self.failures if r.asked_backoff_ms is not None]
        return {"timing_source": self.source, "failures": len(self.failures), "retries": len(waits),
                "shortest_wait_s": round(min(waits, default=0.0), 3), "longest_wait_s": round(max(waits, default=0.0), 3),
                "smallest_backoff_asked_ms": min(asked, default=None)}


def require_source(stack: Stack, worker: Worker) -> None:
    """Skip, before anything is done to the deployment, where no source of retry timing is declared."""
    if stack.target.search is None and worker.log_file is None:
        pytest.skip("the target declares neither search (Zeebe's exported job records) nor "
                    "workers.<unit>.log_file: retry timing cannot be read")


def history(stack: Stack, worker: Worker, instances: Collection[int], completed: Collection[int]) -> RetryHistory:
    """The retries of these instances' jobs, from Zeebe's records where `search` is declared, else the worker's
    log (`require_source` first)."""
    if stack.target.search is not None:
        return from_records(stack, instances, completed)
    assert worker.log_file is not None
    return from_log(worker_events(worker), instances)


def from_records(stack: Stack, instances: Collection[int], completed: Collection[int]) -> RetryHistory:
    """Zeebe's JOB records, read once every completed instance's job shows COMPLETED there (the positive
    control that the records are the exporter's and complete); waits up to the exporter's bulk delay."""
    records, wait_s = ZeebeRecords(stack), stack.target.exporter.bulk_delay_s + EXPORT_SLACK_S
    waited = poll(lambda: records.jobs_of(instances), lambda found: set(completed) <= _completed(found), wait_s)
    events = waited.value
    if not waited.held:
        raise PositiveControlFailed(
            f"{len(set(completed) - _completed(events))} completed instance(s) show no COMPLETED job record in "
            f"{records.pattern} after {wait_s:g} s (exporter.bulk_delay_s + {EXPORT_SLACK_S:g} s); is "
            "exporter.index_prefix the prefix Zeebe's Elasticsearch exporter writes?")
    return RetryHistory("zeebe job records", tuple(record_retries(events)))


def _completed(events: list[JobEvent]) -> set[int]:
    return {e.process_instance for e in events if e.intent == "COMPLETED"}


def record_retries(events: list[JobEvent]) -> list[Retry]:
    found = []
    for index, event in enumerate(events):
        if event.intent != "FAILED":
            continue
        later = [e for e in events[index + 1:] if e.job == event.job]
        recurred = next((e for e in later if e.intent == "RECURRED_AFTER_BACKOFF"), None)
        if event.retry_backoff_ms <= 0:
            waited = 0.0 if event.retries > 0 else None  # activatable at once (JobFailProcessor)
        else:
            waited = None if recurred is None else (recurred.at_ms - event.at_ms) / 1000
        found.append(Retry(event.job, event.retries, event.retry_backoff_ms, waited))
    return found


def from_log(events: list[LogEvent], instances: Collection[int]) -> RetryHistory:
    """The worker's log: each `failing` line, and the time to the job's next `activated` line."""
    found = []
    for job in jobs_of(events, set(instances)):
        own = [e for e in events if e.job == job]
        for index, event in enumerate(own):
            if event.event != "failing":
                continue
            retry = next((e for e in own[index + 1:] if e.event == "activated"), None)
            waited = None if retry is None else (retry.at - event.at) / dt.timedelta(seconds=1)
            found.append(Retry(job, int(event.fields.get("retries", 0)), None, waited))
    return RetryHistory("worker log", tuple(found))
