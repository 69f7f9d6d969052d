"""Turns the report options (--report-dir, --baseline, --waivers, --junitxml) into registered plugin objects."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.catalog import CHECKS
from harness.report import baseline, html, json_report, sarif, waivers
from harness.report.evidence import Redactor
from harness.report.exit_policy import ExitPolicy, parse_fail_on
from harness.report.junit import JunitCheckNames
from harness.report.log_redaction import LogRedaction
from harness.report.results import ResultCollector

WRITERS = (json_report.write, sarif.write, html.write)


def register(config: pytest.Config, profile: str, redact: Redactor) -> None:
    """Raises UsageError (one line naming the option) for a bad baseline or waiver file."""
    report_dir = config.getoption("report_dir")
    baseline_path = config.getoption("baseline")
    waivers_path = config.getoption("waivers")
    collector = ResultCollector(
        profile, redact,
        waivers=waivers.load(Path(waivers_path), CHECKS) if waivers_path else {},
        previous=baseline.load(Path(baseline_path)) if baseline_path else None,
        baseline_path=baseline_path,
        report_dir=Path(report_dir) if report_dir else None,
        writers=WRITERS)
    config.pluginmanager.register(collector, "harness-results")
    config.pluginmanager.register(ExitPolicy(collector, parse_fail_on(config.getoption("fail_on")),
                                             config.getoption("allow_all_skipped")), "harness-exit-policy")
    config.pluginmanager.register(LogRedaction(redact), "harness-log-redaction")
    if config.getoption("xmlpath", None):
        config.pluginmanager.register(JunitCheckNames(config), "harness-junit")
