"""Cold start of the local reference stack (all services, secure profile): median of several runs.

Each sample is a fresh interpreter, timed from spawn until the stack reports ready, so imports, key
generation, PKI and every service's start count, as they do for a user's `pytest --scenario=...`.

    python bench/stack_start.py [--runs 5] [--profile secure]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time

SAMPLE = """
import sys
from harness.backends.local import LocalBackend
from harness.reference.profile import Profile
backend = LocalBackend()
backend.up(Profile.parse(sys.argv[1], "local"), lambda message: None)
print("READY", flush=True)
backend.down()
"""


def sample(profile: str, state_dir: str) -> float:
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", SAMPLE, profile], stdout=subprocess.PIPE, text=True,
                               env={"HARNESS_STATE_DIR": state_dir, "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
    assert process.stdout is not None
    for line in process.stdout:
        if line.strip() == "READY":
            elapsed = time.perf_counter() - started
            break
    else:
        raise SystemExit(f"the stack did not start (exit {process.wait()})")
    process.wait(timeout=30)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", default="secure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as state_dir:
        times = [sample(args.profile, state_dir) for _ in range(args.runs)]
    print(f"local stack cold start ({args.profile}, {args.runs} runs): median {statistics.median(times):.2f} s, "
          f"min {min(times):.2f} s, max {max(times):.2f} s (target: median <= 2 s)")


if __name__ == "__main__":
    main()
