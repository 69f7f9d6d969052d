"""The auth scenario with the whole surface, as a user runs it: `pytest --scenario=auth` on the local
reference stack (stack start and stop included), and inside it the two whole-surface checks, AUTH-040 (every
gateway RPC x the representative forgeries, on the proxy and on the gateway checking tokens itself) and
AUTH-041 (every route of every authenticated HTTP API x the same forgeries), with the calls each made.

Each sample is a fresh `python -m pytest` process; the figures are medians. Call counts come from the checks'
own evidence (what they sent), durations from report.json. The load average before each sample is printed.

    python bench/auth_surface.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 15.0  # issue 18: all gateway methods x refusal variants on this 2-core machine
SURFACE_CHECKS = ("AUTH-040", "AUTH-041")
TIMEOUT_S = 600


def sample(state_dir: str, report_dir: Path) -> tuple[float, dict[str, list[tuple[float, int]]], int]:
    """(wall seconds, per surface check its (duration, calls) per test item, checks run)."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--scenario=auth",
                             f"--report-dir={report_dir}"], env={**os.environ, "HARNESS_STATE_DIR": state_dir},
                            capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"--scenario=auth exited {result.returncode}:\n{result.stdout[-2000:]}")
    checks = json.loads((report_dir / "report.json").read_text())["checks"]
    surface: dict[str, list[tuple[float, int]]] = {check_id: [] for check_id in SURFACE_CHECKS}
    for check in checks:
        if check["id"] in surface:
            surface[check["id"]].append((check["duration_s"], int(check["evidence"].get("calls", 0))))
    return wall, surface, len(checks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    walls: list[float] = []
    durations: dict[str, list[float]] = {check_id: [] for check_id in SURFACE_CHECKS}
    calls: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for run in range(args.runs):
            load = os.getloadavg()[0]
            wall, surface, count = sample(scratch, Path(scratch) / f"report-{run}")
            walls.append(wall)
            for check_id, items in surface.items():
                durations[check_id].append(sum(duration for duration, _ in items))
                calls[check_id] = sum(made for _, made in items)
            print(f"  --scenario=auth: {wall:.1f} s, {count} results, "
                  + ", ".join(f"{c} {durations[c][-1]:.2f} s / {calls[c]} calls" for c in SURFACE_CHECKS)
                  + f" (load average before: {load:.2f})", flush=True)
    print(f"pytest --scenario=auth incl. stack up/down ({args.runs} runs): median {statistics.median(walls):.1f} s, "
          f"min {min(walls):.1f} s, max {max(walls):.1f} s (target: median <= {TARGET_S:.0f} s)")
    for check_id in SURFACE_CHECKS:
        print(f"{check_id}: median {statistics.median(durations[check_id]):.2f} s for {calls[check_id]} refused calls")


if __name__ == "__main__":
    main()
