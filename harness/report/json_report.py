"""`report.json` (DESIGN section 4): one entry per check with its outcome and redacted evidence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.report.model import Run

FILE_NAME = "report.json"


def as_dict(run: Run) -> dict[str, Any]:
    """DESIGN section 4's shape, plus `baseline` (regressions) which is null without --baseline."""
    report: dict[str, Any] = {
        "target": run.target,
        "profile": run.profile,
        "started": run.started,
        "duration_s": run.duration_s,
        "summary": run.summary,
        "baseline": None,
        "checks": [result.as_dict(run.today) for result in run.results],
    }
    if run.baseline is not None:
        report["baseline"] = {"path": run.baseline} | {
            key: [r.name for r in run.with_regression(regression)]
            for key, regression in (("new_failures", "new-failure"), ("fixed", "fixed"),
                                    ("still_failing", "still-failing"))}
    return report


def write(run: Run, directory: Path) -> Path:
    path = directory / FILE_NAME
    path.write_text(json.dumps(as_dict(run), indent=2, default=str) + "\n", encoding="utf-8")
    return path
