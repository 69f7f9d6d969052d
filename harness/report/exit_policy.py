"""The exit code a CI job gates on, from the checks' outcomes rather than pytest's test counts.

0 clean; 1 findings at or above the `--fail-on` severity (below it they are reported, not failing);
2 a check errored (it could not judge, so the run proves less than it claims); 4 a usage error (pytest's
own); 5 every selected check skipped, so nothing was tested (`--allow-all-skipped` accepts that). An
interrupted or crashed run keeps pytest's code. Runs without checks (the harness's own tests) keep
pytest's code too.
"""

from __future__ import annotations

import dataclasses

import pytest

from harness.catalog import Severity
from harness.errors import UsageError
from harness.report.model import CheckResult
from harness.report.results import ResultCollector

SEVERITIES: tuple[Severity, ...] = ("critical", "high", "medium", "low")
CLEAN, FINDINGS, ERRORED, NOTHING_TESTED = 0, 1, 2, 5
# pytest's codes the policy may replace: a finished run, with or without failures or collected tests.
REPLACEABLE = (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED, pytest.ExitCode.NO_TESTS_COLLECTED)


def parse_fail_on(value: str) -> Severity:
    if value not in SEVERITIES:
        raise UsageError(f"--fail-on: {value!r} is not a severity; valid: {', '.join(SEVERITIES)}")
    return value  # type: ignore[return-value]


@dataclasses.dataclass(frozen=True)
class Decision:
    code: int
    reason: str


def decide(results: list[CheckResult], fail_on: Severity, allow_all_skipped: bool) -> Decision:
    threshold = SEVERITIES.index(fail_on)
    errored = [r.name for r in results if r.outcome == "error"]
    failed = [r for r in results if r.outcome == "failed"]
    gating = [r.name for r in failed if SEVERITIES.index(r.check.severity) <= threshold]
    below = [r.name for r in failed if SEVERITIES.index(r.check.severity) > threshold]
    noted = f"; {len(below)} finding(s) below {fail_on} reported only" if below else ""
    if errored:
        return Decision(ERRORED, f"{len(errored)} check(s) errored: {', '.join(errored)}{noted}")
    if gating:
        return Decision(FINDINGS, f"{len(gating)} finding(s) at or above {fail_on}: {', '.join(gating)}{noted}")
    if results and all(r.outcome == "skipped" for r in results) and not allow_all_skipped:
        return Decision(NOTHING_TESTED, f"every one of the {len(results)} selected check(s) skipped, so nothing "
                                        "was tested (see the skip reasons; --allow-all-skipped accepts this)")
    return Decision(CLEAN, f"no finding at or above {fail_on}{noted}")


class ExitPolicy:
    """Pytest plugin object: sets the session's exit code from the recorded check outcomes."""

    def __init__(self, collector: ResultCollector, fail_on: Severity, allow_all_skipped: bool) -> None:
        self.collector, self.fail_on, self.allow_all_skipped = collector, fail_on, allow_all_skipped

    def _decision(self, config: pytest.Config) -> Decision | None:
        if not self.collector.results:
            return None
        return decide(self.collector.run(config).results, self.fail_on, self.allow_all_skipped)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        decision = self._decision(session.config)
        if decision is not None and session.exitstatus in REPLACEABLE:
            session.exitstatus = decision.code

    def pytest_terminal_summary(self, terminalreporter: object, config: pytest.Config) -> None:
        decision = self._decision(config)
        if decision is not None:
            terminalreporter.write_line(f"harness: exit {decision.code}: {decision.reason}")  # type: ignore[attr-defined]
