"""`report.json` (DESIGN section 4): one entry per check with its outcome and redacted evidence."""

from __future__ import annotations

import json
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from harness.catalog import CHECKS
from harness.report.evidence import Evidence, Redactor
from harness.reference.profile import Profile

TARGET_KEY = pytest.StashKey[dict[str, Any]]()
OUTCOMES = ("passed", "failed", "skipped", "error")


class JsonReport:
    """A pytest plugin object collecting per-check outcomes and writing them at session end."""

    def __init__(self, directory: Path, profile: Profile, redact: Redactor) -> None:
        self.directory = directory
        self.profile = profile
        self.redact = redact
        self.started = time.time()
        self.results: dict[str, dict[str, Any]] = {}

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
        outcome = yield
        report: pytest.TestReport = outcome.get_result()
        marker = item.get_closest_marker("check")
        if marker is None:
            return
        check = CHECKS[marker.args[0]]
        entry = self.results.setdefault(item.nodeid, check.as_dict() | {"outcome": "passed", "duration_s": 0.0,
                                                                         "test": item.nodeid})
        entry["duration_s"] = round(entry["duration_s"] + report.duration, 3)
        if report.skipped:
            entry["outcome"] = "skipped"
            entry["skip_reason"] = str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else ""
        elif report.failed:
            entry["outcome"] = "failed" if report.when == "call" else "error"
            crash = getattr(report.longrepr, "reprcrash", None)
            entry["message"] = crash.message if crash is not None else report.longreprtext.strip()[-500:]
        evidence = item.stash.get(Evidence.KEY, None)
        entry["evidence"] = evidence.as_dict() if evidence else {}

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        checks = [self.redact(entry) for entry in self.results.values()]
        summary = {outcome: sum(1 for c in checks if c["outcome"] == outcome) for outcome in OUTCOMES}
        report = {
            "target": self.redact(session.config.stash.get(TARGET_KEY, {})),
            "profile": self.profile.name,
            "started": self.started,
            "duration_s": round(time.time() - self.started, 3),
            "summary": summary,
            "checks": checks,
        }
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / "report.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
