"""`report.html`: one self-contained page (inline CSS and JS, no external assets) people read after a run.

Its Content-Security-Policy forbids loading anything from outside the file, so it renders the same
from a CI artifact store, an email attachment or an air-gapped laptop.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import jinja2

from harness.report.model import OUTCOMES, Run

FILE_NAME = "report.html"
_ENV = jinja2.Environment(loader=jinja2.PackageLoader("harness.report", "templates"),
                          autoescape=True, undefined=jinja2.StrictUndefined)


def render(run: Run) -> str:
    return _ENV.get_template("report.html.j2").render(
        run=run, outcomes=OUTCOMES, summary=run.summary,
        started=datetime.datetime.fromtimestamp(run.started, datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        new_failures=run.with_regression("new-failure"), fixed=run.with_regression("fixed"),
        failures=[r for r in run.results if r.outcome in {"failed", "error"}],
        evidence_json=lambda evidence: json.dumps(evidence, indent=2, default=str))


def write(run: Run, directory: Path) -> Path:
    path = directory / FILE_NAME
    path.write_text(render(run), encoding="utf-8")
    return path
