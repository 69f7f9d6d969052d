"""The harness image as a nightly job runs it: built from this checkout, pointed at a deployment through a
mounted target file, credentials from an env file, reports written to a mounted folder, as a non-root user.

The deployment is the docker reference stack (`harness stack up --target docker`, only the services tls
and auth need); the image's container joins the host network, where the stack publishes its client-facing
ports on 127.0.0.1, as a CI runner reaches an ingress.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import launch_stack_up

pytestmark = pytest.mark.docker
SCENARIOS = "tls,auth"
RUN_TIMEOUT_S = 300
# The uid docker/harness.Dockerfile runs as.
HARNESS_UID = 10001


def build_harness_image() -> str:
    built = subprocess.run([sys.executable, "-m", "harness.cli", "image", "build"], capture_output=True, text=True,
                           check=False, timeout=900, env=os.environ)
    assert built.returncode == 0, built.stderr[-3000:]
    return built.stdout.strip().splitlines()[-1]


def mounted_target(target: dict[str, object], env_file: Path, folder: Path) -> None:
    """The stack's Target as a file in the folder mounted at /targets, its CA beside it; Camunda's CA
    variable in the env file points at the mounted copy, as a job's would."""
    folder.mkdir()
    shutil.copyfile(str(target["ca_file"]), folder / "ca.pem")
    (folder / "target.yaml").write_text(yaml.safe_dump({**target, "ca_file": "/targets/ca.pem"}))
    lines = [line for line in env_file.read_text().splitlines() if not line.startswith("ZEEBE_CA_CERTIFICATE_PATH=")]
    env_file.write_text("\n".join([*lines, "ZEEBE_CA_CERTIFICATE_PATH=/targets/ca.pem"]) + "\n")


def test_image_runs_the_scenarios_against_a_docker_stack_and_writes_reports_to_the_host(
        tmp_path: Path, state_dir: Path) -> None:
    image = build_harness_image()
    env_file = tmp_path / "stack.env"
    stack, printed = launch_stack_up(env_file, "--target", "docker", "--scenario", SCENARIOS)
    try:
        mounted_target(json.loads(printed), env_file, tmp_path / "targets")
        reports = tmp_path / "reports"
        reports.mkdir()
        reports.chmod(0o777)  # the container's user is not the host's
        run = subprocess.run(
            ["docker", "run", "--rm", "--network", "host", "--env-file", str(env_file),
             "-v", f"{tmp_path / 'targets'}:/targets:ro", "-v", f"{reports}:/reports", image,
             f"--scenario={SCENARIOS}", "--target=/targets/target.yaml", "--report-dir=/reports",
             "--junit-xml=/reports/junit.xml", "-q"],
            capture_output=True, text=True, check=False, timeout=RUN_TIMEOUT_S)
    finally:
        stack.send_signal(signal.SIGINT)
        stack.communicate(timeout=120)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    written = {path.name: path for path in reports.iterdir()}
    assert {"report.json", "report.sarif", "report.html", "junit.xml"} <= set(written), sorted(written)
    assert {path.stat().st_uid for path in written.values()} == {HARNESS_UID}, "the image must not run as root"
    report = json.loads(written["report.json"].read_text())
    outcomes = {check["outcome"] for check in report["checks"]}
    scenarios = {check["scenario"] for check in report["checks"]}
    assert scenarios == set(SCENARIOS.split(",")) and outcomes <= {"passed", "skipped"}, outcomes
    assert sum(check["outcome"] == "passed" for check in report["checks"]) > 50
