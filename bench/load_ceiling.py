"""Load ceiling of the proxy/auth hot path, in one run on the local reference stack:

1. Locust (harness.load, one process = one core): authenticated gRPC calls/s per Locust core.
2. h2load (Debian's nghttp2-client) on the same endpoint with a pre-encoded gRPC unary frame: the ceiling
   the proxy reaches when the client costs nothing; the ratio says how much Locust itself costs.
3. The proxy's auth overhead: h2load at a fixed rate, p50/p99 with auth on (secure) and off (proxy_auth_off).

    python bench/load_ceiling.py [--seconds 15] [--users 50] [--rate 200]

Figures depend on the machine and on what else runs; quote them with the machine's size.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from harness.backends import Stack
from harness.backends.local import LocalBackend
from harness.clients.oauth import fetch_token
from harness.load import runner
from harness.reference.profile import Profile

TOPOLOGY_PATH = "/gateway_protocol.Gateway/Topology"
# gRPC length-prefixed message: not compressed, length 0 (TopologyRequest has no fields).
EMPTY_GRPC_FRAME = b"\x00\x00\x00\x00\x00"


@contextmanager
def local_stack(profile: str) -> Iterator[Stack]:
    backend = LocalBackend()
    try:
        yield backend.up(Profile.parse(profile, "local"), lambda message: None)
    finally:
        backend.down()


def h2load(stack: Stack, frame: Path, seconds: int, *, rate: int | None = None, log: Path | None = None) -> str:
    """Run h2load against the gateway endpoint; the bearer token goes in a header, never to the output."""
    assert stack.target.gateway is not None
    scheme = "https" if stack.target.gateway.tls else "http"
    command = ["h2load", "--duration", str(seconds), "--warm-up-time", "1", "--clients", "10",
               "--max-concurrent-streams", "10", "--data", str(frame),
               "--header", "content-type: application/grpc", "--header", "te: trailers",
               "--header", f"authorization: Bearer {fetch_token(stack)}"]
    if rate is not None:
        command += ["--rps", str(max(rate // 10, 1)), "--max-concurrent-streams", "1"]
    if log is not None:
        command += ["--log-file", str(log)]
    command.append(f"{scheme}://{stack.target.gateway.address}{TOPOLOGY_PATH}")
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout


def requests_per_second(output: str) -> float:
    match = re.search(r"finished in [\d.]+\w*, ([\d.]+) req/s", output)
    if match is None:
        raise SystemExit(f"h2load printed no rate:\n{output[-1000:]}")
    return float(match.group(1))


def latency_percentiles(log: Path) -> tuple[float, float]:
    """p50 and p99 in ms from h2load's log (start time, status, duration in microseconds per request)."""
    durations = sorted(int(line.split()[2]) / 1000 for line in log.read_text().splitlines() if line.strip())
    if len(durations) < 100:
        raise SystemExit(f"too few requests for percentiles: {len(durations)}")
    cuts = statistics.quantiles(durations, n=100)
    return cuts[49], cuts[98]


def _fixed_rate(stack: Stack, frame: Path, args: argparse.Namespace, log: Path) -> Path:
    h2load(stack, frame, args.seconds, rate=args.rate, log=log)
    return log



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rate", type=int, default=200, help="fixed rate (calls/s) for the auth overhead")
    args = parser.parse_args()
    if shutil.which("h2load") is None:
        raise SystemExit("h2load is missing: apt-get install nghttp2-client")
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        frame = work / "topology.grpc"
        frame.write_bytes(EMPTY_GRPC_FRAME)
        with local_stack("secure") as stack:
            locust = runner.run(stack, runner.LoadSettings(users=args.users, spawn_rate=args.users,
                                                           run_time_s=args.seconds), work / "locust")
            ceiling = requests_per_second(h2load(stack, frame, args.seconds))
            secure = latency_percentiles(_fixed_rate(stack, frame, args, work / "secure.log"))
        with local_stack("proxy_auth_off") as stack:
            open_proxy = latency_percentiles(_fixed_rate(stack, frame, args, work / "off.log"))
    # Valid callers only (one Locust process is one core): attackers' calls are refused early and would
    # flatter the figure.
    per_core = locust.rps
    print(f"machine: {os.cpu_count()} cores; run: {args.seconds} s, {args.users} Locust users, one Locust process")
    print(f"locust authenticated calls/s per Locust core: {per_core:.0f} (p95 {locust.p95_ms:.0f} ms, "
          f"{locust.failures} failures, {locust.bypasses} bypasses of {locust.attack_requests} forged calls)")
    print(f"h2load ceiling, same endpoint and token: {ceiling:.0f} calls/s")
    print(f"locust / h2load: {per_core / ceiling:.2f}")
    print(f"auth overhead at {args.rate} calls/s: p50 {secure[0]:.2f} ms vs {open_proxy[0]:.2f} ms without auth, "
          f"p99 {secure[1]:.2f} ms vs {open_proxy[1]:.2f} ms")
    print("target: >= 1000 authenticated calls/s per Locust core")


if __name__ == "__main__":
    main()
