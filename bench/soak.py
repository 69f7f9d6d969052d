"""Soak: N consecutive secure runs of every scenario, as a nightly job would make them, looking for flaky
checks (any outcome but passed or skipped on the secure profile) and for anything a run leaves behind
(processes under its state directory, harness-labelled containers and networks).

    python bench/soak.py [--runs 10] [--target local|docker] [--scenario all]

Prints one line per run and a summary: flaky checks with how often each was not green, and the most
leftovers seen after any run (the goal is 0 and 0).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUN_TIMEOUT_S = 1800


def leftover_processes(state_dir: Path) -> int:
    count = 0
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit() and int(proc.name) != os.getpid():
            try:
                if str(state_dir) in (proc / "cmdline").read_bytes().decode(errors="replace"):
                    count += 1
            except OSError:
                continue
    return count


def leftover_containers() -> int:
    try:
        found = [subprocess.run(["docker", kind, "ls", "-q", "--filter", "label=harness"] if kind == "network"
                                else ["docker", "ps", "-aq", "--filter", "label=harness"],
                                capture_output=True, text=True, check=True, timeout=30).stdout.split()
                 for kind in ("container", "network")]
    except (OSError, subprocess.SubprocessError):
        return 0  # no Docker engine: nothing of the harness can be left there
    return sum(len(ids) for ids in found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--target", choices=("local", "docker"), default="local")
    parser.add_argument("--scenario", default="all")
    args = parser.parse_args()
    not_green: collections.Counter[str] = collections.Counter()
    worst_processes = worst_containers = 0
    with tempfile.TemporaryDirectory() as scratch:
        state_dir, report_dir = Path(scratch) / "state", Path(scratch) / "out"
        for run in range(1, args.runs + 1):
            started = time.monotonic()
            result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                                     f"--scenario={args.scenario}", f"--target={args.target}",
                                     f"--report-dir={report_dir}"],
                                    env={**os.environ, "HARNESS_STATE_DIR": str(state_dir)}, capture_output=True,
                                    text=True, check=False, timeout=RUN_TIMEOUT_S)
            checks = json.loads((report_dir / "report.json").read_text())["checks"]
            bad = sorted({c["test"] for c in checks if c["outcome"] not in ("passed", "skipped")})
            not_green.update(bad)
            processes, containers = leftover_processes(state_dir), leftover_containers()
            worst_processes, worst_containers = max(worst_processes, processes), max(worst_containers, containers)
            print(f"run {run}: exit {result.returncode} in {time.monotonic() - started:.0f} s, {len(checks)} results, "
                  f"{len(bad)} not green, leftovers: {processes} process(es), {containers} container(s)/network(s)",
                  flush=True)
    print(f"soak ({args.runs} runs, --target={args.target}, --scenario={args.scenario}): "
          f"{len(not_green)} flaky check(s); most leftovers after a run: {worst_processes} process(es), "
          f"{worst_containers} container(s)/network(s)")
    for test, count in not_green.most_common():
        print(f"  {count}/{args.runs} not green: {test}")


if __name__ == "__main__":
    main()
