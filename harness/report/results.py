"""The one model of a run's results: collected once by a pytest plugin object, read by every writer.

The JSON, SARIF and HTML writers and the terminal summary all render the same redacted `Run`, so
waivers, baseline regressions and redaction are applied in exactly one place.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import pytest

from harness.catalog import CHECKS
from harness.outcome import VERDICT_EXCEPTIONS, verdict
from harness.report import baseline as baseline_mod
from harness.report import terminal
from harness.report.evidence import Evidence, Redactor
from harness.report.model import CheckResult, Run, junit_name
from harness.report.waivers import Waiver

TARGET_KEY = pytest.StashKey[dict[str, Any]]()
Writer = Callable[[Run, Path], Path]


class ResultCollector:
    """Pytest plugin object: applies waivers, records each check's outcome, hands one `Run` to the writers."""

    def __init__(self, profile: str, redact: Redactor, waivers: dict[str, Waiver],
                 previous: dict[str, str] | None, baseline_path: str | None,
                 report_dir: Path | None, writers: tuple[Writer, ...],
                 today: datetime.date | None = None) -> None:
        self.profile = profile
        self.redact = redact
        self.waivers = waivers
        self.previous = previous
        self.baseline_path = baseline_path
        self.report_dir = report_dir
        self.writers = writers
        self.today = today or datetime.date.today()
        self.started = time.time()
        self.results: dict[str, CheckResult] = {}
        self._run: Run | None = None

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            marker = item.get_closest_marker("check")
            if marker is None:
                continue
            check_id = marker.args[0]
            item.user_properties.append(("check_id", check_id))
            waiver = self.waivers.get(check_id)
            if waiver is None or not waiver.active(self.today):
                continue
            reason = f"waived until {waiver.expiration_date}: {waiver.justification}"
            # A waived failure is an expected failure: pytest reports it as xfail and the run stays green.
            item.add_marker(pytest.mark.xfail(reason=reason, raises=VERDICT_EXCEPTIONS) if waiver.run
                            else pytest.mark.skip(reason=reason))

    @pytest.hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
        outcome = yield
        report: pytest.TestReport = outcome.get_result()
        self._redact_report(report)
        marker = item.get_closest_marker("check")
        if marker is not None:
            self._record(item, marker.args[0], report, call)

    def _redact_report(self, report: pytest.TestReport) -> None:
        """Pytest's own output (tracebacks with argument values, captured output) goes through the
        redactor too, via the report's serialised form, before the terminal or JUnit see it."""
        if not report.longrepr and not report.sections:
            return
        # The report's own (de)serialisation, not the pytest_report_*_serializable hooks: `--debug` traces
        # every hook call with its result, and the unredacted form would land in pytest's trace file.
        clean = pytest.TestReport._from_json(self.redact(report._to_json()))
        report.longrepr, report.sections = clean.longrepr, clean.sections

    def _record(self, item: pytest.Item, check_id: str, report: pytest.TestReport,
                call: pytest.CallInfo[None]) -> None:
        path, line, _ = item.location
        result = self.results.setdefault(item.nodeid, CheckResult(
            CHECKS[check_id], item.nodeid, junit_name(check_id, item.nodeid), path,
            None if line is None else line + 1, waiver=self.waivers.get(check_id)))
        result.duration_s += report.duration
        if report.skipped and hasattr(report, "wasxfail") and result.waiver is not None:
            result.outcome, result.message = "waived", self._crash_message(report)
        elif report.skipped:
            result.outcome = "skipped"
            result.message = str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else ""
        elif report.failed and result.outcome not in baseline_mod.FAILING:
            result.outcome = verdict(report.when, call.excinfo)
            result.message = self._crash_message(report)
        evidence = item.stash.get(Evidence.KEY, None)
        result.evidence = evidence.as_dict() if evidence else {}

    @staticmethod
    def _crash_message(report: pytest.TestReport) -> str:
        crash = getattr(report.longrepr, "reprcrash", None)
        return crash.message if crash is not None else report.longreprtext.strip()[-500:]

    def run(self, config: pytest.Config) -> Run:
        """The finished run, built once: redacted, classified against the baseline, in report order."""
        if self._run is None:
            results = list(self.results.values())
            for result in results:
                result.message = self.redact.text(result.message)
                result.evidence = self.redact(result.evidence)
                if self.previous is not None:
                    result.regression = baseline_mod.classify(self.previous.get(result.check.id), result.outcome)
            results.sort(key=lambda r: (r.rank, r.check.scenario, r.check.id, r.test))
            self._run = Run(self.redact(config.stash.get(TARGET_KEY, {})), self.profile, self.started,
                            round(time.time() - self.started, 3), results, self.baseline_path, self.today)
        return self._run

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.report_dir is None:
            return
        self.report_dir.mkdir(parents=True, exist_ok=True)
        run = self.run(session.config)
        for write in self.writers:
            write(run, self.report_dir)

    def pytest_terminal_summary(self, terminalreporter: Any, config: pytest.Config) -> None:
        if not self.results:
            return
        terminalreporter.write_sep("=", "harness summary")
        for line in terminal.summary_lines(self.run(config)):
            terminalreporter.write_line(line)
