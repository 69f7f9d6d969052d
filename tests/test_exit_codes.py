"""The exit-code policy CI gates on (harness/report/exit_policy.py): 0 clean, 1 findings at or above
--fail-on, 2 a check errored, 4 usage, 5 nothing tested unless --allow-all-skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.catalog import CHECKS
from harness.report.exit_policy import decide
from harness.report.model import CheckResult
from tests.conftest import REPO, run_pytest


def result(check_id: str, outcome: str) -> CheckResult:
    return CheckResult(CHECKS[check_id], f"t::{check_id}", check_id, "t.py", 1, outcome=outcome)


@pytest.mark.parametrize(("outcomes", "fail_on", "allow", "code"), [
    ({"AUTH-001": "passed", "TLS-009": "skipped"}, "low", False, 0),
    ({"AUTH-001": "failed"}, "low", False, 1),                      # critical
    ({"AUTH-005": "failed"}, "high", False, 0),                     # medium, below the threshold
    ({"AUTH-005": "failed"}, "medium", False, 1),
    ({"AUTH-005": "failed", "AUTH-001": "error"}, "low", False, 2),  # an error outranks findings
    ({"AUTH-001": "waived"}, "low", False, 0),
    ({"AUTH-001": "skipped", "TLS-009": "skipped"}, "low", False, 5),
    ({"AUTH-001": "skipped", "TLS-009": "skipped"}, "low", True, 0),
])
def test_decision(outcomes: dict[str, str], fail_on: str, allow: bool, code: int) -> None:
    assert decide([result(cid, o) for cid, o in outcomes.items()], fail_on, allow).code == code  # type: ignore[arg-type]


def test_fail_on_reports_lower_findings_without_failing(tmp_path: Path, state_dir: Path) -> None:
    """AUTH-005 and AUTH-012 are medium: under proxy_auth_off they fail, and --fail-on=high lets the run pass
    while the summary still names them."""
    args = ["--scenario=auth", "--profile=proxy_auth_off", "-k", "AUTH-005 or AUTH-012"]
    gated = run_pytest([*args, "--fail-on=high"], cwd=REPO)
    assert gated.returncode == 0, gated.stdout[-2000:]
    assert "harness: exit 0: no finding at or above high; 2 finding(s) below high reported only" in gated.stdout
    assert "FAILED" in gated.stdout, "pytest still shows the findings"
    assert run_pytest(args, cwd=REPO).returncode == 1


def test_bad_fail_on_is_a_usage_error(tmp_path: Path) -> None:
    result = run_pytest(["--scenario=tls", "--fail-on=severe"], cwd=tmp_path)
    assert result.returncode == 4
    assert "--fail-on: 'severe' is not a severity; valid: critical, high, medium, low" in result.stderr
    assert "Traceback" not in result.stderr
