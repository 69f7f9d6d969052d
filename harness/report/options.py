"""Turns the report options (--report-dir, --baseline, --waivers, --junitxml) into registered plugin objects."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from harness.catalog import CHECKS
from harness.errors import UsageError
from harness.report import baseline, html, json_report, sarif, waivers
from harness.report.evidence import Redactor
from harness.report.exit_policy import ExitPolicy, parse_fail_on
from harness.report.junit import JunitCheckNames
from harness.report.log_redaction import LogRedaction
from harness.report.results import ResultCollector

WRITERS = (json_report.write, sarif.write, html.write)


def writable_dir(option: str, value: str) -> Path:
    """A folder reports can be written into, made now if missing, so a bad path is a usage error before
    the run rather than a traceback after it."""
    path = Path(value)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise UsageError(f"{option}: {value} exists and is not a folder") from None
    except OSError as exc:
        raise UsageError(f"{option}: cannot create {value}: {exc.strerror}") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise UsageError(f"{option}: {value} is not writable")
    return path


def register(config: pytest.Config, profile: str, redact: Redactor) -> None:
    """Raises UsageError (one line naming the option) for a bad baseline or waiver file, or a report path
    that cannot be written."""
    report_dir = config.getoption("report_dir")
    if report_dir:
        writable_dir("--report-dir", report_dir)
    if config.getoption("xmlpath", None):
        writable_dir("--junit-xml", str(Path(config.getoption("xmlpath")).parent or "."))
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
