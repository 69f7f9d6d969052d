"""What a run's results are: one CheckResult per test of a check, and the finished, redacted Run.

Every writer (JSON, SARIF, HTML, JUnit names, the terminal summary) renders these; `results` builds them.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from harness.catalog import Check
from harness.report import baseline as baseline_mod
from harness.report.waivers import Waiver

OUTCOMES = ("passed", "failed", "skipped", "error", "waived")
# Report order: the regression first, then what fails, then what is waived, then the rest.
RANK = {"new-failure": 0, "error": 1, "failed": 2, "waived": 3, "fixed": 4, "skipped": 5, "passed": 6}


@dataclasses.dataclass
class CheckResult:
    """One test implementing a check; a parametrized check has one result per parameter set."""

    check: Check
    test: str
    name: str
    path: str
    line: int | None
    outcome: str = "passed"
    duration_s: float = 0.0
    message: str = ""
    evidence: dict[str, Any] = dataclasses.field(default_factory=dict)
    waiver: Waiver | None = None
    regression: baseline_mod.Regression | None = None

    @property
    def rank(self) -> int:
        if self.regression == "new-failure":
            return RANK["new-failure"]
        return RANK.get(self.outcome, len(RANK))

    def as_dict(self, today: datetime.date) -> dict[str, Any]:
        entry = self.check.as_dict() | {
            "outcome": self.outcome, "duration_s": round(self.duration_s, 3), "evidence": self.evidence,
            "test": self.test, "name": self.name, "path": self.path, "line": self.line,
            "regression": self.regression}
        if self.message:
            entry["message" if self.outcome != "skipped" else "skip_reason"] = self.message
        if self.waiver is not None:
            entry["waiver"] = self.waiver.as_dict(today)
        return entry


@dataclasses.dataclass(frozen=True)
class Run:
    """A finished run, redacted, results ordered as every report shows them."""

    target: dict[str, Any]
    profile: str
    started: float
    duration_s: float
    results: list[CheckResult]
    baseline: str | None
    today: datetime.date

    @property
    def summary(self) -> dict[str, int]:
        return {outcome: sum(1 for r in self.results if r.outcome == outcome) for outcome in OUTCOMES}

    def with_regression(self, regression: str) -> list[CheckResult]:
        return [r for r in self.results if r.regression == regression]

    def scenarios(self) -> dict[str, list[CheckResult]]:
        grouped: dict[str, list[CheckResult]] = {}
        for result in self.results:
            grouped.setdefault(result.check.scenario, []).append(result)
        return grouped


def junit_name(check_id: str, nodeid: str) -> str:
    """The check id, plus the parameter suffix of a parametrized test so names stay unique."""
    _, bracket, params = nodeid.partition("[")
    return f"{check_id}[{params}" if bracket else check_id
