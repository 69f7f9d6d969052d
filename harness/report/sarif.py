"""`report.sarif`: SARIF 2.1.0, one result per failed (or waived) check, rule metadata from the catalog.

Code-scanning UIs read it as they read a linter's output: rules carry severity and refs, a waiver is an
external suppression with its justification, and a baseline maps onto SARIF's own `baselineState`.
"""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path
from typing import Any

from harness.catalog import CHECKS, Check
from harness.report.model import CheckResult, Run

FILE_NAME = "report.sarif"
SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
DISTRIBUTION = "camunda-security-harness"
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
# GitHub code scanning ranks security results by this property (CVSS-like 0.0-10.0).
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
BASELINE_STATE = {"new-failure": "new", "still-failing": "unchanged", "fixed": "absent", None: "new"}
REPORTED = frozenset({"failed", "error", "waived"})


def _rule(check: Check) -> dict[str, Any]:
    return ({"help": {"text": check.remediation}} if check.remediation else {}) | {
        "id": check.id,
        "name": check.id.replace("-", ""),
        "shortDescription": {"text": check.title},
        "fullDescription": {"text": f"{check.title}. Detects: {', '.join(check.detects)}."},
        "defaultConfiguration": {"level": LEVEL[check.severity]},
        "properties": {"tags": ["security", check.scenario], "scenario": check.scenario,
                       "severity": check.severity, "security-severity": SECURITY_SEVERITY[check.severity],
                       "refs": list(check.refs), "detects": list(check.detects)},
    }


def _result(result: CheckResult, rule_index: int, with_baseline: bool, run: Run) -> dict[str, Any]:
    message = result.message or ("fixed since the baseline" if result.regression == "fixed" else result.check.title)
    entry: dict[str, Any] = {
        "ruleId": result.check.id,
        "ruleIndex": rule_index,
        "level": "none" if result.regression == "fixed" else LEVEL[result.check.severity],
        "message": {"text": f"{result.check.title}: {message}"},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": result.path, "uriBaseId": "SRCROOT"},
            **({"region": {"startLine": result.line}} if result.line else {})}}],
        "properties": {"test": result.test, "outcome": result.outcome, "evidence": result.evidence},
    }
    if with_baseline:
        entry["baselineState"] = BASELINE_STATE[result.regression]
    if result.outcome == "waived" and result.waiver is not None:
        entry["suppressions"] = [{"kind": "external", "status": "accepted",
                                  "justification": result.waiver.justification,
                                  "properties": result.waiver.as_dict(run.today)}]
    return entry


def as_dict(run: Run) -> dict[str, Any]:
    index = {check_id: i for i, check_id in enumerate(CHECKS)}
    with_baseline = run.baseline is not None
    reported = [r for r in run.results if r.outcome in REPORTED or r.regression == "fixed"]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": DISTRIBUTION, "version": version(DISTRIBUTION),
                                "rules": [_rule(c) for c in CHECKS.values()]}},
            "originalUriBaseIds": {"SRCROOT": {"description": {"text": "the folder pytest ran from (rootdir)"}}},
            "invocations": [{"executionSuccessful": not any(r.outcome == "error" for r in run.results),
                             "properties": {"profile": run.profile, "summary": run.summary,
                                            "target": run.target.get("name")}}],
            "results": [_result(r, index[r.check.id], with_baseline, run) for r in reported],
        }],
    }


def write(run: Run, directory: Path) -> Path:
    path = directory / FILE_NAME
    path.write_text(json.dumps(as_dict(run), indent=2, default=str) + "\n", encoding="utf-8")
    return path
