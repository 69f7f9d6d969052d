"""Rotation without incidents (the Vault article's retry back-off), also while Vault is down (SEC-002, SEC-008).

The worker caches its downstream credential; after a rotation the downstream refuses it at once, the worker
fails the job with retries - 1 and a back-off, reloads the secret, and the retry completes. Job outcomes come
from the gateway (instances run to their end) and Operate (incidents); retry timing from the worker's log.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest

from harness.backends import Stack
from harness.config import Worker
from harness.outcome import PositiveControlFailed
from scenarios.secrets.conftest import Batch
from scenarios.secrets.support import LogEvent, Processes, Secrets, jobs_of, worker_events

# Log timestamps have millisecond resolution.
CLOCK_SLACK_S = 0.002
OUTAGE_BUDGET_S = 15.0
OUTAGE_MIN_S = 2.0


def retry_waits(events: list[LogEvent], jobs: set[int]) -> tuple[list[LogEvent], list[float]]:
    """Every failure of these jobs, and for each retry the time from the failure to the next activation."""
    failures, waits = [], []
    for job in jobs:
        own = [e for e in events if e.job == job]
        for index, event in enumerate(own):
            if event.event != "failing":
                continue
            failures.append(event)
            retry = next((e for e in own[index + 1:] if e.event == "activated"), None)
            if retry is not None:
                waits.append((retry.at - event.at) / dt.timedelta(seconds=1))
    return failures, waits


def needs_log(worker: Worker) -> None:
    if worker.log_file is None:
        pytest.skip("the target declares no workers.<unit>.log_file: retry timing cannot be read")


@pytest.mark.check("SEC-002")
def test_rotation_mid_batch_completes_without_incident(batch: Batch, processes: Processes, worker: Worker,
                                                       evidence) -> None:
    if not batch.rotated:
        pytest.skip(batch.skip_reason)
    needs_log(worker)
    unfinished = [f"{r.code.name}: {r.details}" for r in batch.replies if not r.ok]
    incidents = [i for key in batch.instances for i in processes.incidents(key)]
    failures, waits = retry_waits(worker_events(worker), jobs_of(worker_events(worker), batch.instances))
    if not failures:
        raise PositiveControlFailed("the rotation caused no retry, so it proves nothing "
                           "(does the worker read its secret on every job?)")
    backoff_s = worker.retry_backoff_ms / 1000
    early = [w for w in waits if w + CLOCK_SLACK_S < backoff_s]
    exhausted = [f for f in failures if int(f.fields.get("retries", 0)) < 1]
    evidence.record(instances=len(batch.replies), completed=len(batch.instances), incidents=len(incidents),
                    failures=len(failures), retries=len(waits), backoff_s=backoff_s,
                    shortest_wait_s=round(min(waits, default=0.0), 3), longest_wait_s=round(max(waits, default=0.0), 3))
    assert not unfinished, f"{len(unfinished)} of {len(batch.replies)} instances did not complete: {unfinished[:3]}"
    assert not incidents, f"{len(incidents)} incident(s) after the rotation: {[i['message'] for i in incidents][:3]}"
    assert not early, (f"{len(early)} of {len(waits)} retries came before the {backoff_s:g} s back-off "
                       f"(shortest {min(early):.3f} s)")
    assert not exhausted, f"{len(exhausted)} failure(s) left no retries"


@pytest.mark.check("SEC-008")
def test_vault_outage_during_rotation_recovers(stack: Stack, processes: Processes, canaries: Secrets,
                                               worker: Worker, evidence) -> None:
    needs_log(worker)
    backoff_s = worker.retry_backoff_ms / 1000
    # Enough retries to outlast the outage and Vault's restart at the promised back-off, far too few without it.
    definition = processes.deploy(retries=max(3, int(OUTAGE_BUDGET_S / backoff_s)))
    canaries.rotate()
    outage_s = max(3 * backoff_s, OUTAGE_MIN_S)
    stack.faults.stop("vault")
    try:
        running = processes.run(definition, timeout_ms=int((OUTAGE_BUDGET_S + outage_s) * 1000))
        time.sleep(outage_s)
    finally:
        stack.faults.start("vault")
    reply = running.result()
    instance = int(reply.response.processInstanceKey) if reply.ok else None
    events = worker_events(worker)
    failures, waits = retry_waits(events, jobs_of(events, {instance} if instance else set()))
    incidents = processes.incidents(instance) if instance else []
    early = [w for w in waits if w + CLOCK_SLACK_S < backoff_s]
    evidence.record(vault_stopped_s=outage_s, completed=reply.ok, grpc_status=reply.code.name,
                    failures=len(failures), incidents=len(incidents), retries=len(waits), backoff_s=backoff_s,
                    shortest_wait_s=round(min(waits, default=0.0), 3))
    assert reply.ok, (f"the instance started while Vault was down did not complete ({reply.code.name}): "
                      "retries ran out before Vault returned, or the worker did not recover")
    if not failures:
        raise PositiveControlFailed("the job never failed during the Vault outage, so the "
                           "outage proves nothing")
    assert not incidents, f"{len(incidents)} incident(s) during the Vault outage"
    # Retries can outlast the outage without a back-off where each attempt is slow to fail (a stopped
    # container's address times out), so the waits themselves must show the back-off.
    assert not early, (f"{len(early)} of {len(waits)} retries during the Vault outage came before the "
                       f"{backoff_s:g} s back-off (shortest {min(early):.3f} s)")
