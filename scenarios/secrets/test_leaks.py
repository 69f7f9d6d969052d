"""The downstream secret, before and after rotation, never shows in worker logs, job variables (Operate) or
job error messages (SEC-003, SEC-004, SEC-005). The canaries are the real values Vault held during the run;
checks report how many occurred and where, never which."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.backends import Stack
from harness.clients import operate
from harness.config import Worker
from scenarios.secrets.conftest import Batch
from scenarios.secrets.support import Processes, Secrets, jobs_of, worker_events

INCIDENT_WAIT_S = 10.0


@pytest.mark.check("SEC-003")
def test_secret_absent_from_worker_logs(stack: Stack, batch: Batch, canaries: Secrets, worker: Worker,
                                        evidence) -> None:
    if worker.log_file is None:
        pytest.skip("the target declares no workers.<unit>.log_file: the worker's log cannot be read")
    if not jobs_of(worker_events(worker), batch.instances):
        raise RuntimeError("positive control failed: the worker's log shows none of the batch's jobs; is "
                           "log_file the log the worker writes?")
    hits = {name: canaries.found_in(Path(w.log_file).read_text(errors="replace"))
            for name, w in stack.target.workers.items() if w.log_file is not None}
    evidence.record(canaries=len(canaries.canaries), logs=sorted(hits), hits=hits)
    assert not any(hits.values()), f"secret values in worker logs: {hits}"


@pytest.mark.check("SEC-004")
def test_secret_absent_from_job_variables(stack: Stack, batch: Batch, canaries: Secrets, evidence) -> None:
    if stack.target.operate is None:
        pytest.skip("the target declares no operate: job variables cannot be read")
    variables = [v for key in batch.instances
                 for v in operate.search(stack, "variables", {"processInstanceKey": key})]
    if not variables:
        raise RuntimeError("positive control failed: Operate lists no variables for the batch's instances")
    leaking = sorted({str(v["name"]) for v in variables if canaries.found_in(json.dumps(v))})
    # Optimize imports process variables; its data is checked where the target has an Optimize to read.
    optimize = "not declared by the target: Optimize data not checked" if stack.target.optimize is None \
        else "declared, but this version of the harness cannot read Optimize data yet: not checked"
    evidence.record(instances=len(batch.instances), variables=len(variables), leaking=leaking, optimize=optimize)
    assert not leaking, f"secret values in job variables: {leaking}"


@pytest.mark.check("SEC-005")
def test_secret_absent_from_error_messages(processes: Processes, canaries: Secrets, evidence) -> None:
    """A process with a single retry turns the refusal after a rotation into an incident, which shows the
    worker's error message in Operate."""
    definition = processes.deploy(retries=1)
    canaries.rotate()
    instance = processes.start(definition)
    incidents = processes.incidents(instance, wait_s=INCIDENT_WAIT_S)
    if not incidents:
        raise RuntimeError("positive control failed: the refused stale credential raised no incident, so no "
                           "error message could be read")
    messages = [str(i["message"]) for i in incidents]
    hits = sum(canaries.found_in(message) for message in messages)
    evidence.record(incidents=len(incidents), types=sorted({str(i["type"]) for i in incidents}), messages=messages)
    assert hits == 0, f"{hits} secret value(s) in the job's error message"
