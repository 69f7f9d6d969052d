"""Canary: every scenario runs against a stack whose credentials we know, then every artifact the run
leaves is searched for those credentials and for token material. One hit is a leak.

The stack runs with a weakness so checks fail: failure paths (tracebacks with argument values, captured
logs, evidence) are where secrets escape. Pytest runs with DEBUG logging shown live, the noisiest setting
a user can pick, because requests-oauthlib logs token request bodies at DEBUG.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
from collections.abc import Iterator
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


@pytest.fixture
def weak_stack(tmp_path: Path, state_dir: Path) -> Iterator[tuple[dict[str, object], dict[str, str], Path]]:
    env_file = tmp_path / "stack.env"
    out, err = (tmp_path / "stack.stdout").open("w+"), (tmp_path / "stack.stderr").open("w")
    process, target = launch_stack_up(env_file, "--profile", CANARY_PROFILE, stderr=err)
    out.write(target)
    credentials = dict(line.split("=", 1) for line in env_file.read_text().splitlines())
    yield json.loads(target), credentials, tmp_path
    process.send_signal(signal.SIGINT)
    rest, _ = process.communicate(timeout=30)
    out.write(rest)
    out.close()
    err.close()
    assert processes_under(state_dir) == []


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


def test_no_secret_reaches_any_artifact(weak_stack: tuple[dict[str, object], dict[str, str], Path],
                                        state_dir: Path) -> None:
    target, credentials, work = weak_stack
    (work / "staging.yaml").write_text(yaml.safe_dump(target))
    secrets = {name: value for name, value in credentials.items() if name.endswith("_SECRET")}
    assert len(secrets) >= 2 and all(len(value) >= 24 for value in secrets.values())
    assert any(set("+/&=%\"'\\") <= set(value) and not value.isascii() for value in secrets.values()), \
        "the canary needs secrets that change form when encoded"
    result = run_all_scenarios(work, os.environ | credentials, "--target=staging.yaml")
    assert result.returncode == 1, (work / "pytest.stdout").read_text()[-3000:]
    artifacts = run_artifacts(work, state_dir) + [work / "stack.stdout", work / "stack.stderr"]
    assert_no_leaks(artifacts, secrets)


def test_no_secret_reaches_any_artifact_of_an_in_process_stack(tmp_path: Path, state_dir: Path) -> None:
    """The default `--target=local`: pytest starts the stack itself; its secrets are read back from the
    Identity configuration in the run directory, the one place they are meant to be."""
    result = run_all_scenarios(tmp_path, dict(os.environ), f"--profile={CANARY_PROFILE}")
    assert result.returncode == 1, (tmp_path / "pytest.stdout").read_text()[-3000:]
    (config,) = (state_dir / "runs").glob("*/identity.json")
    secrets = {name: client["secret"] for name, client in json.loads(config.read_text())["clients"].items()}
    assert len(secrets) >= 2
    assert_no_leaks(run_artifacts(tmp_path, state_dir), secrets)
