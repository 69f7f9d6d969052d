"""`harness report trend`: four nights of report.json become a PNG and an HTML page whose picture shows the
scenario grid (green, red for a finding, orange for an error), the new failure marked, and the load trend."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from PIL import Image

from harness.catalog import CHECKS
from tests.test_reports import chromium, headless

DAY_S = 86_400
# night -> check id -> outcome (everything else passed); the load evidence changes night by night.
NIGHTS = [{}, {"AUTH-001": "failed"}, {"AUTH-001": "failed", "TEN-001": "error"}, {}]
COLOURS = {"green": (0x2E, 0x7D, 0x32), "red": (0xC6, 0x28, 0x28), "orange": (0xEF, 0x6C, 0x00)}


def write_nights(root: Path) -> list[Path]:
    folders = []
    for night, changed in enumerate(NIGHTS):
        checks = [{"id": c.id, "scenario": c.scenario, "outcome": changed.get(c.id, "passed"),
                   "evidence": {"p95_ms": 40 + 10 * night, "p99_ms": 80 + 15 * night, "rps": 900 - 50 * night}
                   if c.id == "LOAD-002" else {}} for c in CHECKS.values()]
        folder = root / f"night-{night}"
        folder.mkdir(parents=True)
        (folder / "report.json").write_text(json.dumps({"started": 1_790_000_000 + night * DAY_S, "checks": checks}))
        folders.append(folder)
    return folders


def pixels(image: Path) -> dict[str, int]:
    """How many pixels are (nearly) each of the grid's colours."""
    with Image.open(image) as opened:
        rgb = opened.convert("RGB")
        counts = {name: 0 for name in COLOURS}
        for count, colour in rgb.getcolors(maxcolors=1 << 22) or []:
            for name, wanted in COLOURS.items():
                if all(abs(a - b) <= 8 for a, b in zip(colour, wanted, strict=True)):
                    counts[name] += count
    return counts


def harness(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "harness.cli", *args], capture_output=True, text=True, timeout=120,
                          check=False)


def test_trend_png_and_page_show_the_series(tmp_path: Path) -> None:
    folders = write_nights(tmp_path / "reports")
    result = harness("report", "trend", *map(str, reversed(folders)), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    seen = pixels(tmp_path / "out" / "trend.png")
    # Six scenarios x four nights: 21 green cells, two red (AUTH-001 two nights), one orange, the new-failure mark.
    assert seen["green"] > 5 * seen["red"] > 0 and seen["orange"] > 0, seen
    page = (tmp_path / "out" / "trend.html").read_text()
    assert "<svg" in page and "default-src 'none'" in page and " src=" not in page
    assert page.count("<tr>") == 1 + len(NIGHTS)
    assert "<td>AUTH-001</td>" in page and "<td>TEN-001</td>" in page, "new failures listed per night"

    shot = tmp_path / "page.png"
    taken = headless(chromium(), tmp_path / "profile", f"--screenshot={shot}", "--window-size=1200,1100",
                     (tmp_path / "out" / "trend.html").as_uri())
    assert taken.returncode == 0 and shot.is_file(), taken.stderr[-2000:]
    rendered = pixels(shot)
    assert rendered["green"] > 5 * rendered["red"] > 0 and rendered["orange"] > 0, f"chart not visible: {rendered}"


def test_a_file_that_is_not_a_report_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "report.json").write_text("{}")
    result = harness("report", "trend", str(tmp_path), "--out", str(tmp_path / "out"))
    assert result.returncode == 2  # the harness command's usage error
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "not a harness report.json" in lines[0], result.stderr
