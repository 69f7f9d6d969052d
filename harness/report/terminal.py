"""The end-of-run summary pytest prints: regressions first, failures with one line of evidence, a table per scenario."""

from __future__ import annotations

import json
from typing import Any

from harness.report.model import CheckResult, Run

EVIDENCE_WIDTH = 160
COLUMNS = ("check", "outcome", "severity", "title")


def one_line(evidence: dict[str, Any], width: int = EVIDENCE_WIDTH) -> str:
    text = "; ".join(f"{key}={json.dumps(value, default=str)}" for key, value in evidence.items()) or "-"
    return text if len(text) <= width else text[: width - 3] + "..."


def _outcome(result: CheckResult) -> str:
    return f"{result.outcome} ({result.regression})" if result.regression else result.outcome


def _table(results: list[CheckResult]) -> list[str]:
    rows = [{"check": r.name, "outcome": _outcome(r), "severity": r.check.severity, "title": r.check.title}
            for r in results]
    widths = {c: max(len(c), *(len(row[c]) for row in rows)) for c in COLUMNS[:-1]}
    return ["  " + "  ".join(line[c].ljust(widths.get(c, 0)) for c in COLUMNS).rstrip()
            for line in [{c: c.upper() for c in COLUMNS}, *rows]]


def summary_lines(run: Run) -> list[str]:
    lines = []
    if run.baseline is not None:
        new = [r.name for r in run.with_regression("new-failure")]
        fixed = [r.name for r in run.with_regression("fixed")]
        lines.append(f"against baseline {run.baseline}: {len(new)} new failure(s)"
                     + (f": {', '.join(new)}" if new else "") + f"; {len(fixed)} fixed"
                     + (f": {', '.join(fixed)}" if fixed else ""))
    for result in run.results:
        if result.outcome in {"failed", "error", "waived"}:
            tag = result.regression.upper() if result.regression == "new-failure" else result.outcome.upper()
            lines.append(f"{tag} {result.name} {result.check.title}: {result.message.splitlines()[0] if result.message else ''}")
            lines.append(f"    evidence: {one_line(result.evidence)}")
            if result.waiver is not None and result.outcome == "waived":
                lines.append(f"    waived until {result.waiver.expiration_date}: {result.waiver.justification}")
            elif result.waiver is not None and not result.waiver.active(run.today):
                lines.append(f"    waiver expired on {result.waiver.expiration_date}: fails again")
    unneeded = [r.name for r in run.results
                if r.outcome == "passed" and r.waiver is not None and r.waiver.active(run.today)]
    if unneeded:
        lines.append(f"waiver no longer needed, the check passes: {', '.join(unneeded)}")
    for scenario, results in run.scenarios().items():
        counts = ", ".join(f"{sum(1 for r in results if r.outcome == o)} {o}"
                           for o in ("failed", "error", "waived", "passed", "skipped")
                           if any(r.outcome == o for r in results))
        lines.append(f"scenario {scenario}: {counts}")
        lines.extend(_table(results))
    return lines
