"""The command-line contract of the plugin (DESIGN section 4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import REPO, processes_under, run_pytest


@pytest.mark.parametrize(("args", "message"), [
    (["--scenario=nope"], "--scenario: unknown scenario 'nope'; valid: tls, auth,"),
    (["--scenario=tls", "--profile=bogus"], "--profile: unknown weakness 'bogus', nor a preset (c8run, helm-8.8); valid for local: secure,"),
    (["--scenario=tls", "--target=foo"], "--target: unknown target 'foo'; valid: local, docker"),
    (["--scenario=tls", "--target=missing.yaml"], "--target: no such target file: missing.yaml"),
])
def test_bad_option_is_one_line_and_exit_4(tmp_path: Path, args: list[str], message: str) -> None:
    result = run_pytest(args, cwd=tmp_path)
    assert result.returncode == 4
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_bad_target_file_names_the_field(tmp_path: Path) -> None:
    (tmp_path / "staging.yaml").write_text("gateway: {address: zeebe.example.com}\n")
    result = run_pytest(["--scenario=auth", "--target=staging.yaml"], cwd=tmp_path)
    assert result.returncode == 4
    assert "gateway.address" in result.stderr and "Traceback" not in result.stderr


def test_options_have_their_own_help_group(tmp_path: Path) -> None:
    result = run_pytest(["--help"], cwd=tmp_path)
    section = result.stdout.split("Camunda 8 security harness:", 1)[1]
    for option in ("--scenario", "--target", "--profile", "--report-dir"):
        assert option in section


def test_report_json_has_the_design_shape(tmp_path: Path, state_dir: Path) -> None:
    result = run_pytest(["--scenario=tls,auth", f"--report-dir={tmp_path / 'out'}", "-q"], cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-2000:]
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert {"target", "profile", "started", "duration_s", "summary", "checks"} <= set(report)
    summary = report["summary"]
    assert summary["failed"] == summary["error"] == summary["waived"] == 0
    assert summary["passed"] + summary["skipped"] == len(report["checks"])
    assert all(c["skip_reason"] for c in report["checks"] if c["outcome"] == "skipped")
    for check in report["checks"]:
        assert {"id", "title", "scenario", "severity", "outcome", "detects", "refs", "evidence",
                "duration_s"} <= set(check)
    assert report["target"]["gateway"]["address"].startswith("127.0.0.1:")


def test_failing_profile_fails_the_auth_checks(tmp_path: Path, state_dir: Path) -> None:
    result = run_pytest(["--scenario=auth", "--profile=proxy_auth_off", f"--report-dir={tmp_path}", "-q"], cwd=REPO)
    assert result.returncode == 1
    checks = json.loads((tmp_path / "report.json").read_text())["checks"]
    failed = [c["test"] for c in checks if c["outcome"] == "failed"]
    # The proxy's weakness fails the gateway's cases (and the key-rotation check, which goes through the
    # proxy too, as does the whole-surface check); Identity's admin API checks its tokens itself.
    through_proxy = ("[gateway", "test_rotated_out_key", "test_every_gateway_rpc")
    assert failed and all(any(part in test for part in through_proxy) for test in failed), failed
    assert processes_under(state_dir) == [], "a failing run leaves nothing running either"


def test_unmet_needs_skip_with_the_declared_reason_before_any_fixture(tmp_path: Path) -> None:
    """TEN-004 declares grant_tenant and identity.tenant_grant_ttl_s (harness.catalog): on a target without
    them it skips saying exactly that, before its fixtures touch the (absent) gateway."""
    target = tmp_path / "bare.yaml"
    target.write_text("name: bare\ngateway: {address: '127.0.0.1:1'}\n")  # something tenancy tests, no grants
    result = run_pytest([f"--target={target}", "--scenario=tenancy", "-k", "TEN-004", "-rs",
                         f"--report-dir={tmp_path / 'out'}"], cwd=REPO)
    assert result.returncode == 5, result.stdout[-2000:] + result.stderr  # every selected check skipped
    check = json.loads((tmp_path / "out" / "report.json").read_text())["checks"][0]
    assert check["outcome"] == "skipped"
    assert check["skip_reason"].endswith("the target lacks the grant_tenant capability (capabilities: [grant_tenant]); "
                                         "the target states no identity.tenant_grant_ttl_s")
