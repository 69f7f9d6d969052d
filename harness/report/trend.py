"""`harness report trend DIR...`: a series of nightly report.json files as a picture people can look at.

One column per night: each scenario's cell is green (every check passed), red (a finding), orange (a check
errored, nothing failed) or grey (not run); a red triangle under a night marks checks that failed for the
first time in the series. Below, the load scenario's p95/p99 latency and throughput. The same figure goes
into a PNG (for a CI summary) and, as inline SVG with a table of the nights, into a self-contained HTML
page. matplotlib is an optional dependency (`pip install camunda-security-harness[trend]`).
"""

from __future__ import annotations

import dataclasses
import datetime
import html
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.catalog import SCENARIOS
from harness.errors import UsageError
from harness.report.json_report import FILE_NAME

FAILING = frozenset({"failed", "error"})
COLOURS = {"passed": "#2e7d32", "failed": "#c62828", "error": "#ef6c00", "absent": "#bdbdbd"}
LOAD_CHECK = "LOAD-002"


@dataclasses.dataclass(frozen=True)
class Night:
    """One report.json, reduced to what the trend shows."""

    source: Path
    started: float
    outcomes: dict[str, str]  # scenario -> passed | failed | error | absent
    failing: frozenset[str]  # check ids that failed or errored
    load: dict[str, float]  # p95_ms, p99_ms, rps of the load scenario, when it ran

    @property
    def label(self) -> str:
        return datetime.datetime.fromtimestamp(self.started, datetime.UTC).strftime("%Y-%m-%d %H:%M")


def _scenario_outcome(checks: list[dict[str, Any]]) -> str:
    outcomes = {check["outcome"] for check in checks}
    if "failed" in outcomes:
        return "failed"
    if "error" in outcomes:
        return "error"
    return "passed" if "passed" in outcomes else "absent"


def read_night(path: Path) -> Night:
    """A report.json, or a folder holding one; a file that is not one is a UsageError naming it."""
    file = path / FILE_NAME if path.is_dir() else path
    try:
        report = json.loads(file.read_text(encoding="utf-8"))
        checks: list[dict[str, Any]] = report["checks"]
        started = float(report["started"])
        by_scenario = {scenario: [c for c in checks if c["scenario"] == scenario] for scenario in SCENARIOS}
        load = next((c.get("evidence", {}) for c in checks if c["id"] == LOAD_CHECK and c["outcome"] != "skipped"),
                    {})
        return Night(file, started, {s: _scenario_outcome(c) for s, c in by_scenario.items()},
                     frozenset(c["id"] for c in checks if c["outcome"] in FAILING),
                     {key: float(load[key]) for key in ("p95_ms", "p99_ms", "rps") if key in load})
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"{file}: not a harness report.json ({type(exc).__name__}: {exc})") from None


def read_series(paths: Sequence[Path]) -> list[Night]:
    return sorted((read_night(path) for path in paths), key=lambda night: night.started)


def new_failures(series: list[Night]) -> list[frozenset[str]]:
    """Per night, the checks failing that did not fail the night before (none for the first night)."""
    return [frozenset() if i == 0 else night.failing - series[i - 1].failing for i, night in enumerate(series)]


def figure(series: list[Night]) -> Any:
    """The matplotlib figure: the scenario grid with new failures marked, and the load trend under it."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        from matplotlib import pyplot
        from matplotlib.patches import Patch
    except ImportError:
        raise UsageError("report trend needs matplotlib: pip install 'camunda-security-harness[trend]'") from None
    width = max(6.0, 1.1 * len(series) + 3)
    fig, (grid, load) = pyplot.subplots(2, 1, figsize=(width, 7), height_ratios=(3, 2), constrained_layout=True)
    for column, night in enumerate(series):
        for row, scenario in enumerate(SCENARIOS):
            grid.add_patch(pyplot.Rectangle((column, row), 0.92, 0.9, color=COLOURS[night.outcomes[scenario]]))
    for column, new in enumerate(new_failures(series)):
        if new:
            grid.plot(column + 0.46, len(SCENARIOS) + 0.35, marker="v", color=COLOURS["failed"], markersize=12)
            grid.annotate(f"{len(new)} new", (column + 0.46, len(SCENARIOS) + 0.75), ha="center", fontsize=8)
    grid.set_xlim(0, len(series))
    grid.set_ylim(len(SCENARIOS) + 1.1, 0)
    grid.set_yticks([row + 0.45 for row in range(len(SCENARIOS))], list(SCENARIOS))
    grid.set_xticks([column + 0.46 for column in range(len(series))], [n.label for n in series], rotation=30,
                    ha="right", fontsize=8)
    grid.set_title("Checks per scenario, night by night")
    grid.legend(handles=[Patch(color=COLOURS[key], label=key) for key in COLOURS], loc="lower left",
                bbox_to_anchor=(1.0, 0.0), fontsize=8)
    xs = [i for i, night in enumerate(series) if night.load]
    if xs:
        for key, style in (("p95_ms", "-o"), ("p99_ms", "--o")):
            load.plot(xs, [series[i].load.get(key, float("nan")) for i in xs], style, label=key.replace("_ms", " (ms)"))
        load.set_ylabel("latency (ms)")
        throughput = load.twinx()
        throughput.plot(xs, [series[i].load.get("rps", float("nan")) for i in xs], ":s", color="#6a1b9a",
                        label="throughput (calls/s)")
        throughput.set_ylabel("calls/s")
        load.legend(loc="upper left", fontsize=8)
        throughput.legend(loc="upper right", fontsize=8)
    else:
        load.text(0.5, 0.5, "no load scenario in these reports", ha="center", va="center", transform=load.transAxes)
    load.set_xlim(-0.5, len(series) - 0.5)
    load.set_xticks(range(len(series)), [n.label for n in series], rotation=30, ha="right", fontsize=8)
    load.set_title("Load on the proxy/auth hot path")
    return fig


def _page(series: list[Night], svg: str) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(n.label)}</td>"
        + "".join(f'<td class="{n.outcomes[s]}">{n.outcomes[s]}</td>' for s in SCENARIOS)
        + f"<td>{html.escape(', '.join(sorted(new)) or '-')}</td><td>{html.escape(str(n.source))}</td></tr>"
        for n, new in zip(series, new_failures(series), strict=True))
    styles = "".join(f"td.{key}{{background:{colour};color:#fff}}" for key, colour in COLOURS.items())
    return ("<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
            "<title>harness trend</title><style>body{font-family:sans-serif;margin:1.5em}"
            "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em}" + styles + "</style>"
            f"</head><body><h1>Security regression trend ({len(series)} runs)</h1>{svg}<h2>Runs</h2><table>"
            "<tr><th>started (UTC)</th>" + "".join(f"<th>{s}</th>" for s in SCENARIOS)
            + f"<th>new failures</th><th>report</th></tr>{rows}</table></body></html>\n")


def write(paths: Sequence[Path], out: Path) -> tuple[Path, Path]:
    """trend.html and trend.png in `out`, from the reports at `paths` (any order)."""
    if not paths:
        raise UsageError("report trend: give at least one report folder or report.json")
    series = read_series(paths)
    fig = figure(series)
    out.mkdir(parents=True, exist_ok=True)
    png = out / "trend.png"
    fig.savefig(png, dpi=100)
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    svg = buffer.getvalue()
    page = out / "trend.html"
    page.write_text(_page(series, svg[svg.index("<svg"):]), encoding="utf-8")
    return page, png
