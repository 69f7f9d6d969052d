"""The downstream secret, before and after rotation, never shows in worker logs, job variables (Operate and
the process variables Optimize imported) or job error messages (SEC-003, SEC-004, SEC-005). The canaries are the real values Vault held during the run;
checks report how many occurred and where, never which."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.clients.optimize import optimize_of
from harness.config import Worker
from harness.deployment import Stack
from harness.outcome import PositiveControlFailed
from harness.waiting import poll
from scenarios.secrets.conftest import Batch
from scenarios.secrets.support import Processes, Secrets, jobs_of, worker_events

# Beyond the exporter's bulk delay and Optimize's import back-off: Elasticsearch's refreshes (Zeebe's indices
# 1 s, Optimize's `es.settings.index.refresh_interval` 2 s) and the import's own run.
IMPORT_SLACK_S = 5.0


def optimize_import_wait_s(stack: Stack) -> float:
    """How long the batch's variables may take to travel from Zeebe into Optimize's reports, from what the
    Target states: the exporter's `bulk.delay`, then Optimize's longest idle pause between imports."""
    optimize = stack.target.optimize
    assert optimize is not None
    return stack.target.exporter.bulk_delay_s + optimize.import_backoff_s + IMPORT_SLACK_S


@pytest.mark.check("SEC-003")
def test_secret_absent_from_worker_logs(stack: Stack, batch: Batch, canaries: Secrets, worker: Worker,
                                        evidence) -> None:
    if worker.log_file is None:
        pytest.skip("the target declares no workers.<unit>.log_file: the worker's log cannot be read")
    if not jobs_of(worker_events(worker), batch.instances):
        raise PositiveControlFailed("the worker's log shows none of the batch's jobs; is "
                           "log_file the log the worker writes?")
    hits = {name: canaries.found_in(Path(w.log_file).read_text(errors="replace"))
            for name, w in stack.target.workers.items() if w.log_file is not None}
    evidence.record(canaries=len(canaries.canaries), logs=sorted(hits), hits=hits)
    assert not any(hits.values()), f"secret values in worker logs: {hits}"


@pytest.mark.check("SEC-004")
def test_secret_absent_from_job_variables(stack: Stack, batch: Batch, canaries: Secrets, evidence) -> None:
    operate = stack.operate()
    variables = [v for key in batch.instances for v in operate.search("variables", {"processInstanceKey": key})]
    if not variables:
        raise PositiveControlFailed("Operate lists no variables for the batch's instances")
    leaking = {"operate": sorted({str(v["name"]) for v in variables if canaries.found_in(json.dumps(v))})}
    optimize: dict[str, Any] = {"skipped": "the target declares no optimize: Optimize data not checked"}
    if stack.target.optimize is not None:
        optimize, leaking["optimize"] = optimize_variables(stack, batch, canaries)
    evidence.record(instances=len(batch.instances), variables=len(variables), leaking=leaking, optimize=optimize)
    assert not any(leaking.values()), f"secret values in job variables: {leaking}"


def optimize_variables(stack: Stack, batch: Batch, canaries: Secrets) -> tuple[dict[str, Any], list[str]]:
    """Read every report of the target's collections that the client which started the batch may see, until
    the batch's variables show (the positive control: otherwise nothing was imported to judge); then (what
    was read, the names of variables holding a canary in any row)."""
    api, collections = stack.optimize("default"), optimize_of(stack).collection_ids
    wanted = {str(key) for key in batch.instances}
    wait_s = optimize_import_wait_s(stack)

    def look() -> tuple[list[str], dict[str, Any]]:
        """The reports the default client may read, and every instance's variables across them."""
        report_ids = [rid for cid in collections for rid in api.report_ids(cid)[1]]
        return report_ids, {key: row for rid in report_ids for key, row in api.rows(rid).variables.items()}

    waited = poll(look, lambda found: any(found[1].get(key) for key in wanted), wait_s)
    report_ids, seen = waited.value
    if not waited.held:
        raise PositiveControlFailed(
            f"after {wait_s:g} s (exporter.bulk_delay_s + optimize.import_backoff_s + {IMPORT_SLACK_S:g} s) "
            f"none of the batch's variables shows in the {len(report_ids)} Optimize report(s) the default "
            "client may read; is a raw-data report over the batch's process in optimize.collection_ids?")
    leaking = sorted({name for variables in seen.values() for name, value in variables.items()
                      if canaries.found_in(json.dumps(value))})
    return {"reports": len(report_ids), "rows": len(seen), "batch_instances_seen": len(wanted & set(seen)),
            "import_wait_s": round(waited.elapsed_s, 2), "import_wait_bound_s": wait_s,
            "bound_from": {"exporter.bulk_delay_s": stack.target.exporter.bulk_delay_s,
                           "optimize.import_backoff_s": stack.target.optimize.import_backoff_s,  # type: ignore[union-attr]
                           "slack_s": IMPORT_SLACK_S}}, leaking


@pytest.mark.check("SEC-005")
def test_secret_absent_from_error_messages(processes: Processes, canaries: Secrets, evidence) -> None:
    """A process with a single retry turns the refusal after a rotation into an incident, which shows the
    worker's error message in Operate."""
    definition = processes.deploy(retries=1)
    canaries.rotate()
    instance = processes.start(definition)
    incidents = processes.incidents(instance, wait_s=processes.incident_wait_s)
    if not incidents:
        raise PositiveControlFailed("the refused stale credential raised no incident, so no "
                           "error message could be read")
    messages = [str(i["message"]) for i in incidents]
    hits = sum(canaries.found_in(message) for message in messages)
    evidence.record(incidents=len(incidents), types=sorted({str(i["type"]) for i in incidents}), messages=messages)
    assert hits == 0, f"{hits} secret value(s) in the job's error message"
