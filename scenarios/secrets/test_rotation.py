"""Rotation without incidents (the Vault article's retry back-off), also while Vault is down (SEC-002, SEC-008).

The worker caches its downstream credential; after a rotation the downstream refuses it at once, the worker
fails the job with retries - 1 and a back-off, reloads the secret, and the retry completes. Job outcomes come
from the gateway (instances run to their end) and Operate (incidents); retry timing from what Zeebe recorded
(scenarios/secrets/retries.py), every wait and deadline from the worker's stated `retry_backoff_ms`.
"""

from __future__ import annotations

import math
import time

import pytest

from harness.config import Worker
from harness.deployment import Stack
from harness.outcome import PositiveControlFailed
from harness.waiting import poll
from scenarios.secrets.conftest import Batch
from scenarios.secrets.retries import history, require_source
from scenarios.secrets.support import CALL_MARGIN_S, Processes, Secrets

# Record and log timestamps have millisecond resolution.
CLOCK_SLACK_S = 0.002
# Vault stays down for half a back-off (at least this long): the job fails at once, and its retry after the
# back-off finds Vault back, so one failure and one full wait prove the back-off at any promised length.
OUTAGE_MIN_S = 2.0
# How long Vault (and the downstream that checks against it) may take to serve again once started: the
# reference stack's in about a second, a real one unsealing or a rescheduled pod longer.
RESTART_BUDGET_S = 15.0
# Retries beyond those the outage and the restart can consume at the promised back-off.
SPARE_RETRIES = 3


@pytest.mark.check("SEC-002")
def test_rotation_mid_batch_completes_without_incident(stack: Stack, batch: Batch, processes: Processes,
                                                       worker: Worker, evidence) -> None:
    if not batch.rotated:
        pytest.skip(batch.skip_reason)
    require_source(stack, worker)
    unfinished = [f"{r.code.name}: {r.details}" for r in batch.replies if not r.ok]
    incidents = [i for key in batch.instances for i in processes.incidents(key)]
    retries = history(stack, worker, batch.instances, batch.instances)
    if not retries.failures:
        raise PositiveControlFailed(f"the rotation caused no job failure ({retries.source}), so it proves "
                                    "nothing (does the worker read its secret on every job?)")
    backoff_s = worker.retry_backoff_ms / 1000
    early, exhausted = retries.early(worker.retry_backoff_ms, CLOCK_SLACK_S), retries.exhausted()
    evidence.record(instances=len(batch.replies), completed=len(batch.instances), incidents=len(incidents),
                    backoff_s=backoff_s, result_timeout_s=processes.result_timeout_ms / 1000, **retries.evidence())
    assert not unfinished, f"{len(unfinished)} of {len(batch.replies)} instances did not complete: {unfinished[:3]}"
    assert not incidents, f"{len(incidents)} incident(s) after the rotation: {[i['message'] for i in incidents][:3]}"
    assert not early, (f"{len(early)} of {len(retries.failures)} retries came before the {backoff_s:g} s back-off "
                       f"({retries.source}: {early[0]})")
    assert not exhausted, f"{len(exhausted)} failure(s) left no retries"


@pytest.mark.check("SEC-008")
def test_vault_outage_during_rotation_recovers(stack: Stack, processes: Processes, canaries: Secrets,
                                               worker: Worker, evidence) -> None:
    require_source(stack, worker)
    backoff_s = worker.retry_backoff_ms / 1000
    outage_s = max(backoff_s / 2, OUTAGE_MIN_S)
    # Enough retries to outlast the outage and the restart at the promised back-off, far too few without one.
    unavailable_s = outage_s + RESTART_BUDGET_S
    definition = processes.deploy(retries=math.ceil(unavailable_s / backoff_s) + SPARE_RETRIES)
    canaries.rotate()
    stack.capabilities.services().stop("vault")
    try:
        running = processes.run(definition, timeout_ms=int(unavailable_s * 1000) + processes.result_timeout_ms)
        time.sleep(outage_s)
    finally:
        stack.capabilities.services().start("vault")
    # An incident means the instance will never end: the wait stops there rather than at the deadline.
    poll(lambda: running.done() or bool(processes.incidents_of(definition)), bool,
         unavailable_s + processes.result_timeout_ms / 1000 + CALL_MARGIN_S)
    running.cancel()
    reply = running.reply()
    incidents = processes.incidents_of(definition)
    instance = int(reply.response.processInstanceKey) if reply.ok else \
        next((int(str(i["processInstanceKey"])) for i in incidents), None)
    started = {instance} if instance else set()
    retries = history(stack, worker, started, started if reply.ok else set())
    early = retries.early(worker.retry_backoff_ms, CLOCK_SLACK_S)
    evidence.record(vault_stopped_s=outage_s, completed=reply.ok, grpc_status=reply.code.name,
                    incidents=len(incidents), backoff_s=backoff_s, **retries.evidence())
    assert reply.ok, (f"the instance started while Vault was down did not complete ({reply.code.name}): "
                      + (f"its retries ran out before Vault returned (incident: {incidents[0]['message']})"
                         if incidents else "the worker did not recover"))
    if not retries.failures:
        raise PositiveControlFailed(f"the job never failed during the Vault outage ({retries.source}), so the "
                                    "outage proves nothing")
    assert not incidents, f"{len(incidents)} incident(s) during the Vault outage"
    # Retries can outlast the outage without a back-off where each attempt is slow to fail (a stopped
    # container's address times out), so the waits themselves must show the back-off.
    assert not early, (f"{len(early)} of {len(retries.failures)} retries during the Vault outage came before "
                       f"the {backoff_s:g} s back-off ({retries.source}: {early[0]})")
