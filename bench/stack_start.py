"""Cold start of a reference stack (all services, secure profile): median of several runs.

Each sample is a fresh interpreter, timed from spawn until the stack reports ready, so imports, key
generation, PKI and every service's start count, as they do for a user's `pytest --scenario=...`.

    python bench/stack_start.py [--runs 5] [--profile secure] [--target local|docker]

On docker the reference image is built first if its inputs changed (not counted: the samples measure
a stack from cached images).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

SAMPLE = """
import sys
from harness.backends import backend_for
from harness.reference.profile import Profile
backend = backend_for(sys.argv[2])
backend.up(Profile.parse(sys.argv[1], backend.name), lambda message: None)
print("READY", flush=True)
backend.down()
"""


def sample(profile: str, target: str, state_dir: str) -> float:
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", SAMPLE, profile, target], stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "HARNESS_STATE_DIR": state_dir})
    assert process.stdout is not None
    for line in process.stdout:
        if line.strip() == "READY":
            elapsed = time.perf_counter() - started
            break
    else:
        raise SystemExit(f"the stack did not start (exit {process.wait()})")
    process.wait(timeout=60)
    return elapsed


def build_image() -> None:
    """Build (or find) the reference image before timing, so samples measure a cached-image start."""
    import docker
    from harness.backends import images
    started = time.perf_counter()
    tag = images.reference_image(docker.from_env(), lambda message: None)
    print(f"reference image {tag} ready after {time.perf_counter() - started:.1f} s (0 s when cached)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", default="secure")
    parser.add_argument("--target", choices=("local", "docker"), default="local")
    args = parser.parse_args()
    if args.target == "docker":
        build_image()
    with tempfile.TemporaryDirectory() as state_dir:
        times = [sample(args.profile, args.target, state_dir) for _ in range(args.runs)]
    target = "(target: median <= 2 s)" if args.target == "local" else "(cached images)"
    print(f"{args.target} stack cold start ({args.profile}, {args.runs} runs): "
          f"median {statistics.median(times):.2f} s, min {min(times):.2f} s, max {max(times):.2f} s {target}")


if __name__ == "__main__":
    main()
