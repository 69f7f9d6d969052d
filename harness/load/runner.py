"""Runs Locust headless against a Stack, bounded in time and requests, and reads back its statistics.

Locust runs in its own process: it patches the interpreter with gevent, which the harness (grpc, threads,
subprocesses) must not inherit. Its CSV and HTML reports land in the output directory.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness.deployment import Stack
from harness.errors import StackError
from harness.load.thresholds import LoadResult

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
GRACE_S = 60
# Waiting is what these calls are for (a long poll) or they run once (setup): they count for errors and
# throughput, not for the hot path's latency percentiles.
NOT_LATENCY_BOUND = frozenset({"ActivateJobs", "DeployResource"})


@dataclasses.dataclass(frozen=True)
class LoadSettings:
    users: int = 20
    spawn_rate: float = 20.0
    run_time_s: int = 20
    max_requests: int = 200_000
    processes: int = 1
    master: bool = False
    expect_workers: int = 1
    worker: bool = False
    master_host: str = "127.0.0.1"
    # Locust user classes of harness/load/locustfile.py; empty: the release mix (user_classes).
    users_of: tuple[str, ...] = ()
    # bench/load_ceiling.py: where each Locust process writes its CPU seconds and calls.
    cpu_report_dir: Path | None = None


def user_classes(stack: Stack, settings: LoadSettings) -> list[str]:
    """The users to run: the settings' choice, or valid callers and attackers, plus Optimize's reader
    where the Target names Optimize's client and a collection (otherwise there is nothing to read)."""
    if settings.users_of:
        return list(settings.users_of)
    optimize = stack.target.optimize
    optimize = optimize is not None and optimize.client is not None and bool(optimize.collection_ids)
    return ["ValidCaller", "Attacker", *(["OptimizeReader"] if optimize else [])]


def locust_command(stack: Stack, settings: LoadSettings, out_dir: Path) -> list[str]:
    if stack.target.gateway is None:
        raise StackError("load: the target has no gateway to put load on")
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--host", stack.target.gateway.address,
               *user_classes(stack, settings)]
    if settings.worker:
        return [*command, "--worker", "--master-host", settings.master_host]
    command += ["--headless", "--users", str(settings.users), "--spawn-rate", str(settings.spawn_rate),
                "--run-time", f"{settings.run_time_s}s", "--stop-timeout", "5", "--exit-code-on-error", "0",
                "--csv", str(out_dir / "locust"), "--html", str(out_dir / "locust.html")]
    if settings.processes > 1:
        command += ["--processes", str(settings.processes)]
    if settings.master:
        command += ["--master", "--expect-workers", str(settings.expect_workers)]
    return command


def locust_environment(stack: Stack, settings: LoadSettings, out_dir: Path) -> dict[str, str]:
    """The Target as JSON (no secrets) plus the credential variables it names, for the locustfile."""
    target_file = out_dir / "load-target.json"
    target_file.write_text(json.dumps(stack.target.public_json()))
    credentials = {name: stack.environ[name] for name in stack.target.credential_envs() if name in stack.environ}
    return {**credentials, "HARNESS_LOAD_TARGET": str(target_file),
            "HARNESS_LOAD_MAX_REQUESTS": str(settings.max_requests),
            **({"HARNESS_LOAD_CPU_DIR": str(settings.cpu_report_dir)} if settings.cpu_report_dir else {})}


def read_stats(stats_csv: Path, duration_s: float) -> LoadResult:
    rows = list(csv.DictReader(stats_csv.open()))
    # Valid callers' rows: gRPC calls and Optimize's HTTP requests (Locust's Aggregated row has no type).
    valid = [r for r in rows if r["Type"] not in ("attack", "")]
    attacks = [r for r in rows if r["Type"] == "attack"]

    def total(selected: list[dict[str, str]], column: str) -> int:
        return sum(int(r[column]) for r in selected)

    def slowest(column: str) -> float:
        timed = [r for r in valid if r["Name"] not in NOT_LATENCY_BOUND and r[column] not in ("", "N/A")]
        return max((float(r[column]) for r in timed), default=0.0)

    requests = total(valid, "Request Count")
    return LoadResult(requests=requests, failures=total(valid, "Failure Count"),
                      rps=round(sum(float(r["Requests/s"]) for r in valid), 1),
                      p50_ms=slowest("50%"), p95_ms=slowest("95%"), p99_ms=slowest("99%"),
                      attack_requests=total(attacks, "Request Count"), bypasses=total(attacks, "Failure Count"),
                      duration_s=round(duration_s, 2))


def run(stack: Stack, settings: LoadSettings, out_dir: Path, *, live: bool = False) -> LoadResult:
    """One bounded headless run; `live` shows Locust's periodic statistics on the terminal instead of
    writing its output to `locust.log`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    command = locust_command(stack, settings, out_dir)
    env = {**os.environ, **locust_environment(stack, settings, out_dir)}
    started = time.monotonic()
    with contextlib.ExitStack() as files:
        output = None if live else files.enter_context((out_dir / "locust.log").open("w"))
        completed = subprocess.run(command if live else [*command, "--only-summary"], env=env, stdout=output,
                                   stderr=subprocess.STDOUT if output else None,
                                   check=False, timeout=settings.run_time_s + GRACE_S)
    duration = time.monotonic() - started
    stats = out_dir / "locust_stats.csv"
    if completed.returncode != 0 or not stats.is_file():
        raise StackError(f"locust exited with code {completed.returncode}; see {out_dir / 'locust.log'}")
    return read_stats(stats, duration)


def run_worker(stack: Stack, master_host: str) -> int:
    """Serve a Locust master on another machine until it ends the run (the master bounds it)."""
    with tempfile.TemporaryDirectory(prefix="harness-load-worker-") as scratch:
        settings = LoadSettings(worker=True, master_host=master_host)
        env = {**os.environ, **locust_environment(stack, settings, Path(scratch))}
        return subprocess.run(locust_command(stack, settings, Path(scratch)), env=env, check=False).returncode
