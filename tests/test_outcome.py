"""A check's outcome cannot lie: only its own assertion makes it `failed` (a detection); a positive control
that did not hold, or anything else its body raised, makes it `error`. The detection matrix counts `failed`
only, so a weakness that merely breaks a service cannot pass for a detection."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tests.conftest import REPO, run_pytest
from tests.plugins.stop_service import SERVICE_ENV

CHECK_BODIES = '''
import pytest
from harness.outcome import positive

@pytest.mark.check("AUTH-001")
def test_assertion():
    assert False, "the control is off"

@pytest.mark.check("AUTH-002")
def test_fail_call():
    pytest.fail("the control is off")

@pytest.mark.check("AUTH-003")
def test_positive_control():
    positive(False, "a valid token gets in")

@pytest.mark.check("AUTH-004")
def test_connection_refused():
    raise ConnectionRefusedError("nothing listens")

@pytest.mark.check("AUTH-005")
def test_passes():
    positive(True, "a valid token gets in")
'''


def outcomes(report_dir: Path) -> dict[str, dict[str, Any]]:
    return {check["id"]: check for check in json.loads((report_dir / "report.json").read_text())["checks"]}


def test_only_the_checks_own_assertion_is_a_failure(tmp_path: Path) -> None:
    (tmp_path / "test_bodies.py").write_text(CHECK_BODIES)
    result = run_pytest(["test_bodies.py", f"--report-dir={tmp_path / 'out'}", "-ra"], cwd=tmp_path)
    checks = outcomes(tmp_path / "out")
    assert {cid: c["outcome"] for cid, c in checks.items()} == {
        "AUTH-001": "failed", "AUTH-002": "failed", "AUTH-003": "error", "AUTH-004": "error", "AUTH-005": "passed"}
    assert checks["AUTH-003"]["message"].endswith("positive control failed: a valid token gets in")
    # pytest's own summary agrees with the report.
    assert "2 failed, 1 passed, 2 errors" in result.stdout, result.stdout[-2000:]
    assert "ERROR test_bodies.py::test_positive_control" in result.stdout


def test_a_broken_service_is_an_error_not_a_detection(tmp_path: Path, state_dir: Path) -> None:
    """TEN-001 with the gateway stopped under it: its positive control (a client deploys into its own tenant)
    does not hold, so the run reports an error; before this rule it counted as `failed`, a detection."""
    env = os.environ | {SERVICE_ENV: "zeebe"}
    result = run_pytest(["-p", "tests.plugins.stop_service", "--scenario=tenancy", "-k", "TEN-001",
                         f"--report-dir={tmp_path / 'out'}"], cwd=REPO, env=env)
    assert result.returncode == 2, result.stdout[-3000:] + result.stderr  # a check errored
    check = outcomes(tmp_path / "out")["TEN-001"]
    assert check["outcome"] == "error", check
    assert "positive control failed" in check["message"]
