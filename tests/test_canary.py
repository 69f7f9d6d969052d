"""Canary: every scenario runs against a stack whose credentials we know, then every artifact the run
leaves is searched for those credentials and for token material. One hit is a leak.

The stack runs with a weakness so checks fail: failure paths (tracebacks with argument values, captured
logs, evidence) are where secrets escape. Pytest runs with DEBUG logging shown live, the noisiest setting
a user can pick, because requests-oauthlib logs token request bodies at DEBUG.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import signal
import subprocess
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from harness.report.evidence import encodings
from tests.conftest import CHILD_PYTEST, REPO, launch_stack_up, processes_under

CANARY_PROFILE = "proxy_auth_off"
# Long enough for Locust to write its CSV and HTML (artifacts searched below); the SLO is not the point here.
LOAD_S = 5
WINDOW = 12  # any 12 characters of a secret count: pytest's repr elides long values in the middle
TOKEN_MATERIAL = re.compile(r"eyJ[A-Za-z0-9_-]{10,}")
# Service logs and anything a load run writes (Locust CSV/HTML); service *configuration* in the run
# directory holds the secrets by design and is not an artifact.
RUN_DIR_ARTIFACTS = ("*.log", "*.csv", "*.html")


@dataclasses.dataclass(frozen=True)
class CanaryRun:
    """One canary run's artifacts, the secrets to look for in them, and the processes of its state
    directory still alive after it (none may be)."""

    artifacts: list[Path]
    secrets: dict[str, str]
    leftovers: list[str]


def external_stack_run(work: Path) -> CanaryRun:
    """`harness stack up` in another process, the scenarios pointed at it as at a deployment (a target file)."""
    state_dir = work / "state"
    environ = os.environ | {"HARNESS_STATE_DIR": str(state_dir)}
    with (work / "stack.stdout").open("w+") as out, (work / "stack.stderr").open("w") as err:
        process, target = launch_stack_up(work / "stack.env", "--profile", CANARY_PROFILE, stderr=err, env=environ)
        try:
            out.write(target)
            credentials = dict(line.split("=", 1) for line in (work / "stack.env").read_text().splitlines())
            (work / "staging.yaml").write_text(yaml.safe_dump(json.loads(target)))
            result = run_all_scenarios(work, environ | credentials, "--target=staging.yaml")
        finally:
            process.send_signal(signal.SIGINT)
            rest, _ = process.communicate(timeout=30)
            out.write(rest)
    assert result.returncode == 1, (work / "pytest.stdout").read_text()[-3000:]
    secrets = {name: value for name, value in credentials.items() if name.endswith("_SECRET")}
    artifacts = run_artifacts(work, state_dir) + [work / "stack.stdout", work / "stack.stderr"]
    return CanaryRun(artifacts, secrets, processes_under(state_dir))


def in_process_stack_run(work: Path) -> CanaryRun:
    """The default `--target=local`: pytest starts the stack itself; its secrets are read back from the
    Identity configuration in the run directory, the one place they are meant to be."""
    state_dir = work / "state"
    result = run_all_scenarios(work, os.environ | {"HARNESS_STATE_DIR": str(state_dir)}, f"--profile={CANARY_PROFILE}")
    assert result.returncode == 1, (work / "pytest.stdout").read_text()[-3000:]
    (config,) = (state_dir / "runs").glob("*/identity.json")
    secrets = {name: client["secret"] for name, client in json.loads(config.read_text())["clients"].items()}
    return CanaryRun(run_artifacts(work, state_dir), secrets, processes_under(state_dir))


@pytest.fixture(scope="module")
def canary_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Future[CanaryRun]]]:
    """Both runs at once, each its own stack and state directory: a run is mostly waiting (services, load,
    bounded waits), and leaks, unlike SLOs, do not depend on how busy the machine is."""
    with ThreadPoolExecutor(2, thread_name_prefix="canary") as pool:
        yield {name: pool.submit(run, tmp_path_factory.mktemp(name))
               for name, run in (("external", external_stack_run), ("in-process", in_process_stack_run))}


def secret_windows(secret: str) -> set[str]:
    """Every WINDOW-long piece of the secret in every form it can leave in (raw, percent-encoded, escaped,
    base64): the reference stack's harness clients' secrets hold characters that change form."""
    return {form[i:i + WINDOW] for form in encodings(secret) for i in range(len(form) - WINDOW + 1)}


def assert_no_leaks(artifacts: list[Path], secrets: dict[str, str]) -> None:
    leaks = []
    for path in artifacts:
        text = path.read_text(errors="replace")
        leaks += [f"{path.name}: {name}" for name, value in secrets.items()
                  if any(window in text for window in secret_windows(value))]
        leaks += [f"{path.name}: token material at offset {m.start()}" for m in TOKEN_MATERIAL.finditer(text)]
    assert leaks == [], f"{len(leaks)} leak(s) in {len(artifacts)} artifacts: {leaks[:10]}"


def run_all_scenarios(cwd: Path, environ: dict[str, str], *args: str) -> subprocess.CompletedProcess[bytes]:
    """Every scenario, with the noisiest output a user can ask for; pytest's output goes to files."""
    with (cwd / "pytest.stdout").open("w") as out, (cwd / "pytest.stderr").open("w") as err:
        return subprocess.run(
            [*CHILD_PYTEST, "--scenario=all", f"--rootdir={REPO}",
             str(REPO / "scenarios"), "--report-dir=out", "--junitxml=junit.xml", "-rA", "-vv", "--showlocals",
             "--tb=long", "--debug=pytest-debug.log", f"--load-duration={LOAD_S}",
             "--log-level=DEBUG", "-o", "log_cli=true", "--log-cli-level=DEBUG", *args],
            cwd=cwd, env=environ, stdout=out, stderr=err, timeout=300, check=False)


def run_artifacts(cwd: Path, state_dir: Path) -> list[Path]:
    summary = json.loads((cwd / "out" / "report.json").read_text())["summary"]
    assert summary["failed"] >= 1 and summary["passed"] >= 1, "both the failure and the success paths ran"
    artifacts = [cwd / name for name in ("pytest.stdout", "pytest.stderr", "junit.xml", "pytest-debug.log")]
    artifacts += [p for p in (cwd / "out").rglob("*") if p.is_file()]
    run_dirs = [p for p in (state_dir / "runs").iterdir() if p.is_dir()]
    assert run_dirs, "the stack's run directory is under HARNESS_STATE_DIR"
    artifacts += [p for run_dir in run_dirs for pattern in RUN_DIR_ARTIFACTS for p in run_dir.rglob(pattern)]
    assert {"report.json", "report.sarif", "report.html", "identity.log", "access.log"} <= {p.name for p in artifacts}
    assert "[REDACTED]" in (cwd / "pytest.stdout").read_text(), "the run had something to redact, and did"
    return artifacts


def test_no_secret_reaches_any_artifact(canary_runs: dict[str, Future[CanaryRun]]) -> None:
    run = canary_runs["external"].result()
    assert len(run.secrets) >= 2 and all(len(value) >= 24 for value in run.secrets.values())
    assert any(set("+/&=%\"'\\") <= set(value) and not value.isascii() for value in run.secrets.values()), \
        "the canary needs secrets that change form when encoded"
    assert run.leftovers == [], "the stack left processes behind"
    assert_no_leaks(run.artifacts, run.secrets)


def test_no_secret_reaches_any_artifact_of_an_in_process_stack(canary_runs: dict[str, Future[CanaryRun]]) -> None:
    run = canary_runs["in-process"].result()
    assert len(run.secrets) >= 2
    assert run.leftovers == [], "the run left processes behind"
    assert_no_leaks(run.artifacts, run.secrets)
