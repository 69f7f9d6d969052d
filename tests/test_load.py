"""Load: the SLO judgement, and `harness load` as a release pipeline calls it (exit code on a breach)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from harness import config
from harness.config import LoadSlo
from harness.deployment import Stack
from harness.load.runner import LoadSettings, read_stats, user_classes
from harness.load.thresholds import LoadResult, breaches

STATS_HEADER = ("Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
                "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,"
                "90%,95%,98%,99%,99.9%,99.99%,100%")


def test_read_stats_separates_valid_calls_from_attacks(tmp_path: Path) -> None:
    stats = tmp_path / "locust_stats.csv"
    stats.write_text("\n".join([  # noqa: FLY002
        STATS_HEADER,
        "grpc,Topology,1000,2,20,25,5,300,40,100.0,0.2,20,22,25,27,30,60,80,90,200,300,300",
        "attack,Topology,300,1,10,12,3,50,0,30.0,0.1,10,11,12,13,15,20,25,30,50,50,50",
        ",Aggregated,1300,3,18,22,3,300,30,130.0,0.3,18,20,22,24,28,50,70,80,200,300,300",
    ]))
    result = read_stats(stats, duration_s=10)
    assert (result.requests, result.failures, result.rps) == (1000, 2, 100.0)
    assert (result.p95_ms, result.p99_ms) == (60.0, 90.0)
    assert (result.attack_requests, result.bypasses) == (300, 1)


def test_breaches_name_every_missed_objective() -> None:
    slow = LoadResult(requests=100, failures=5, rps=10.0, p50_ms=200, p95_ms=400, p99_ms=900,
                      attack_requests=10, bypasses=0, duration_s=10)
    missed = breaches(slow, LoadSlo())
    assert [line.split()[0] for line in missed] == ["p95", "p99", "error", "throughput"]
    fast = LoadResult(requests=1000, failures=0, rps=100.0, p50_ms=10, p95_ms=20, p99_ms=30,
                      attack_requests=10, bypasses=0, duration_s=10)
    assert breaches(fast, LoadSlo()) == []


def _stack(**sections: object) -> Stack:
    client = {"client_id_env": "X_ID", "client_secret_env": "X_SECRET", "audience": "zeebe-api"}
    return Stack(config.validate({"gateway": {"address": "127.0.0.1:1"}, "clients": {"default": client},
                                  **sections}), {})


def test_optimize_reader_runs_only_where_the_target_has_optimize_and_its_client() -> None:
    optimize_client = {"client_id_env": "O_ID", "client_secret_env": "O_SECRET", "audience": "optimize-api"}
    default = ["ValidCaller", "Attacker"]
    assert user_classes(_stack(), LoadSettings()) == default
    assert user_classes(_stack(optimize={"url": "https://127.0.0.1:2"}), LoadSettings()) == default
    reader = {"url": "https://127.0.0.1:2", "audience": "optimize-api", "client": "reader"}
    assert user_classes(_stack(optimize=reader, clients={"default": optimize_client, "reader": optimize_client}),
                        LoadSettings()) == default  # no collection to read
    with_optimize = _stack(optimize={**reader, "collection_ids": ["c1"]},
                           clients={"default": optimize_client, "reader": optimize_client})
    assert user_classes(with_optimize, LoadSettings()) == [*default, "OptimizeReader"]
    assert user_classes(with_optimize, LoadSettings(users_of=("TopologyCaller",))) == ["TopologyCaller"]


def harness_load(tmp_path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "harness.cli", "load", "--run-time", "6", "--users", "10",
                           "--out", str(tmp_path / "load"), *options], capture_output=True, text=True, check=False, timeout=180)


def test_harness_load_passes_on_secure_and_writes_reports(tmp_path: Path, state_dir: Path) -> None:
    result = harness_load(tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads(result.stdout)
    assert summary["requests"] > 0 and summary["bypasses"] == 0
    assert (tmp_path / "load" / "locust.html").is_file() and (tmp_path / "load" / "locust_stats.csv").is_file()
    assert "SLO held" in result.stderr


def test_harness_load_exits_1_on_a_breached_slo(tmp_path: Path, state_dir: Path) -> None:
    result = harness_load(tmp_path, "--profile", "slow_auth")
    assert result.returncode == 1, result.stderr[-2000:]
    assert "SLO breached: p95" in result.stderr
