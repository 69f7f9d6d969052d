"""Regressions against a previous run's report.json: what broke since, what got fixed, what still fails."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from harness.errors import UsageError
from harness.user_files import read_text

Regression = Literal["new-failure", "fixed", "still-failing"]
FAILING = frozenset({"failed", "error"})
# Worst first, so a check implemented by several tests takes the outcome of its worst one.
SEVERITY_OF_OUTCOME = {"error": 0, "failed": 1, "waived": 2, "skipped": 3, "passed": 4}


def worst(outcomes: list[str]) -> str:
    return min(outcomes, key=lambda outcome: SEVERITY_OF_OUTCOME.get(outcome, len(SEVERITY_OF_OUTCOME)))


# A report.json of every check with its evidence is a few hundred KB; this leaves room for big evidence.
MAX_REPORT_BYTES = 50_000_000


def load(path: Path) -> dict[str, str]:
    """Check id -> outcome from a report.json (or a directory holding one)."""
    if path.is_dir():
        path = path / "report.json"
    text = read_text(path, "--baseline", MAX_REPORT_BYTES)
    try:
        report = json.loads(text)
        by_id: dict[str, list[str]] = {}
        for check in report["checks"]:
            by_id.setdefault(str(check["id"]), []).append(str(check["outcome"]))
    except (ValueError, KeyError, TypeError, RecursionError):
        raise UsageError(f"--baseline: {path}: not a harness report.json (needs checks[].id and .outcome)") from None
    return {check_id: worst(outcomes) for check_id, outcomes in by_id.items()}


def classify(previous: str | None, now: str) -> Regression | None:
    """None when nothing changed that matters: passing before and now, or skipped now."""
    was_failing = previous in FAILING
    if now in FAILING:
        return "still-failing" if was_failing else "new-failure"
    if was_failing and now == "passed":
        return "fixed"
    return None
