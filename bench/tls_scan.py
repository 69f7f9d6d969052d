"""Wall time of the tls scenario's sslyze scan of every endpoint against the sslyze CLI, in the same run.

Against one running stack (local reference stack, secure profile, unless --target names a target file):
  1. harness: `harness.probes.tls.scan_all`, what the tls scenario's session fixture runs (the endpoints
     split over the CPUs, one Scanner per process with its share queued at once, all the scan commands
     Mozilla's checker needs);
  2. CLI: `python -m sslyze` with the same scan commands and CA file, one endpoint after the other, as
     someone checking the endpoints by hand would;
  3. the whole `pytest --scenario=tls` on its own stack, start to exit (stack up/down included).
Medians of --runs samples each.

    python bench/tls_scan.py [--runs 3] [--target local|PATH.yaml]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness.backends import backend_for
from harness.probes import tls
from harness.reference.profile import Profile

REPO = Path(__file__).resolve().parent.parent
CLI_TIMEOUT_S = 300
# The CLI spelling of harness.probes.tls.SCAN_COMMANDS (sslyze's Mozilla checker's set).
CLI_COMMANDS = ("--sslv2", "--sslv3", "--tlsv1", "--tlsv1_1", "--tlsv1_2", "--tlsv1_3", "--certinfo",
                "--elliptic_curves", "--compression", "--reneg", "--heartbleed", "--robot", "--openssl_ccs",
                "--fallback", "--ems")


def harness_scan(endpoints: tuple[tls.Endpoint, ...], ca_file: Path | None) -> float:
    started = time.perf_counter()
    report = tls.scan_all(endpoints, ca_file)
    elapsed = time.perf_counter() - started
    errors = {name: scan.error for name, scan in report.scans.items() if scan.error}
    if errors:
        raise SystemExit(f"harness scan failed: {errors}")
    return elapsed


def cli_scans(endpoints: tuple[tls.Endpoint, ...], ca_file: Path | None) -> float:
    ca = ["--certinfo_ca_file", str(ca_file)] if ca_file else []
    started = time.perf_counter()
    for endpoint in endpoints:
        # --mozilla_config exits 1 on a non-compliant server; a completed scan is all this measures.
        result = subprocess.run([sys.executable, "-m", "sslyze", *CLI_COMMANDS, *ca, "--mozilla_config=intermediate",
                                 "--quiet", endpoint.address], check=False, capture_output=True, text=True,
                                timeout=CLI_TIMEOUT_S)
        if result.returncode not in (0, 1):
            raise SystemExit(f"sslyze CLI failed on {endpoint.address}: {result.stderr.strip()[-300:]}")
    return time.perf_counter() - started


def scenario_run(target: str, state_dir: str) -> float:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--scenario=tls",
                             f"--target={target}", "-q"], check=False, cwd=REPO, capture_output=True, text=True,
                            timeout=CLI_TIMEOUT_S, env=os.environ | {"HARNESS_STATE_DIR": state_dir})
    if result.returncode != 0:
        raise SystemExit(f"pytest --scenario=tls failed:\n{result.stdout[-2000:]}")
    return time.perf_counter() - started


def median(samples: list[float]) -> str:
    return f"median {statistics.median(samples):.2f} s (min {min(samples):.2f}, max {max(samples):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--target", default="local")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as state_dir:
        os.environ["HARNESS_STATE_DIR"] = state_dir
        backend = backend_for(args.target)
        stack = backend.up(Profile(), lambda message: None)
        try:
            endpoints = tuple(e for e in tls.endpoints(stack.target) if e.declared_tls)
            ca_file = stack.target.ca_file
            ours, theirs = [], []
            for _ in range(args.runs):
                ours.append(harness_scan(endpoints, ca_file))
                theirs.append(cli_scans(endpoints, ca_file))
        finally:
            backend.down()
        whole = [scenario_run(args.target, state_dir) for _ in range(args.runs)]
    names = ", ".join(f"{e.name}={e.address}" for e in endpoints)
    print(f"tls scan of {len(endpoints)} endpoints ({names}), {args.runs} runs each:")
    print(f"  harness (a Scanner per CPU, endpoints concurrently): {median(ours)}")
    print(f"  sslyze CLI, one endpoint after the other:          {median(theirs)}")
    print(f"  speed-up: {statistics.median(theirs) / statistics.median(ours):.1f}x")
    print(f"  pytest --scenario=tls, stack up/down included:     {median(whole)} (target: < 10 s for five endpoints)")


if __name__ == "__main__":
    main()
