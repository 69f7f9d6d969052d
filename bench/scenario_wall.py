"""Wall time of the everyday runs, as a user starts them: `pytest --scenario=tls` and all security
scenarios, each including the stack's start and stop, as medians of several runs.

Each sample is a fresh `python -m pytest` process on the local reference stack, secure profile, timed from
spawn to exit (without the test-only hypothesis plugin a user's install lacks), so interpreter start, collection, the services the scenarios need, the checks and the
teardown all count. The load average before each sample is printed: a busy machine is slower.

    python bench/scenario_wall.py [--runs 3] [--set tls] [--set tls,auth,tenancy,secrets,headers]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

TARGETS_S = {"tls": 5.0, "tls,auth,tenancy,secrets,headers": 30.0}
TIMEOUT_S = 600


def sample(scenarios: str, state_dir: str) -> float:
    started = time.perf_counter()
    # hypothesis (a test dependency of the harness, not a user's) registers a pytest plugin that imports all of
    # it at the end of every run (~0.5 s): switched off here, as a user's install does not have it.
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:hypothesispytest",
                             f"--scenario={scenarios}"],
                            env={**os.environ, "HARNESS_STATE_DIR": state_dir}, capture_output=True, text=True,
                            timeout=TIMEOUT_S, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"--scenario={scenarios} exited {result.returncode}:\n{result.stdout[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--set", action="append", dest="sets", metavar="SCENARIO[,SCENARIO...]")
    args = parser.parse_args()
    for scenarios in args.sets or list(TARGETS_S):
        times = []
        with tempfile.TemporaryDirectory() as state_dir:
            for _ in range(args.runs):
                load = os.getloadavg()[0]
                times.append(sample(scenarios, state_dir))
                print(f"  --scenario={scenarios}: {times[-1]:.1f} s (load average before: {load:.2f})", flush=True)
        target = f"(target: median <= {TARGETS_S[scenarios]:.0f} s)" if scenarios in TARGETS_S else ""
        print(f"pytest --scenario={scenarios} incl. stack up/down ({args.runs} runs): median "
              f"{statistics.median(times):.1f} s, min {min(times):.1f} s, max {max(times):.1f} s {target}")


if __name__ == "__main__":
    main()
