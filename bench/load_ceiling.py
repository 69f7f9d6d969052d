"""Load ceiling of the proxy/auth hot path, in one run on the local reference stack:

1. Locust (harness.load, one process, the TopologyCaller user: the cheapest authenticated call):
   authenticated calls per Locust core = succeeded calls / the Locust process's own CPU seconds, both
   counted from all users spawned to the end of the run. Optionally again with Locust pinned to one CPU.
2. h2load (Debian's nghttp2-client) on the same endpoint with a pre-encoded gRPC unary frame and the same
   kind of token: the ceiling the proxy reaches when the client costs (almost) nothing.
3. The proxy's auth overhead: h2load at a fixed rate, p50/p99 with auth on (secure) and off (proxy_auth_off).

Each measurement is repeated and reported as the median, with the machine's load average around it (the
machine may be shared: CPU seconds per call hold up under contention far better than calls per second).

    python bench/load_ceiling.py [--seconds 10] [--users 20] [--rate 200] [--repeat 3] [--pin-cpu 1]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from harness.backends.local import LocalBackend
from harness.clients.oauth import fetch_token
from harness.deployment import Stack
from harness.load import runner
from harness.reference.profile import Profile

TOPOLOGY_PATH = "/gateway_protocol.Gateway/Topology"
# gRPC length-prefixed message: not compressed, length 0 (TopologyRequest has no fields).
EMPTY_GRPC_FRAME = b"\x00\x00\x00\x00\x00"
TARGET_PER_CORE = 1000


@dataclasses.dataclass(frozen=True)
class LocustFigure:
    calls: int
    cpu_s: float
    wall_s: float
    failures: int
    load_1m: float

    @property
    def per_core(self) -> float:
        return self.calls / self.cpu_s

    @property
    def rate(self) -> float:
        return self.calls / self.wall_s


@contextmanager
def local_stack(profile: str) -> Iterator[Stack]:
    backend = LocalBackend()
    try:
        yield backend.up(Profile.parse(profile, "local"), lambda message: None)
    finally:
        backend.down()


@contextmanager
def pinned(cpu: int | None) -> Iterator[None]:
    """Processes started inside inherit this CPU affinity (Locust, pinned to one core)."""
    if cpu is None:
        yield
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {cpu})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def locust(stack: Stack, args: argparse.Namespace, out: Path, cpu: int | None) -> LocustFigure:
    """One bounded Locust run of TopologyCaller; its CPU report covers spawn-complete to stop."""
    out.mkdir(parents=True)
    settings = runner.LoadSettings(users=args.users, spawn_rate=args.users, run_time_s=args.seconds,
                                   users_of=("TopologyCaller",), cpu_report_dir=out)
    load_before = os.getloadavg()[0]
    with pinned(cpu):
        result = runner.run(stack, settings, out)
    reports = list(out.glob("cpu-*.json"))
    if len(reports) != 1:
        raise SystemExit(f"expected one Locust CPU report in {out}, found {len(reports)}")
    report = json.loads(reports[0].read_text())
    return LocustFigure(calls=report["calls"], cpu_s=report["cpu_s"], wall_s=report["wall_s"],
                        failures=result.failures, load_1m=max(load_before, os.getloadavg()[0]))


def h2load(stack: Stack, frame: Path, seconds: int, *, rate: int | None = None, log: Path | None = None) -> str:
    """Run h2load against the gateway endpoint; the bearer token goes in a header, never to the output."""
    assert stack.target.gateway is not None
    scheme = "https" if stack.target.gateway.tls else "http"
    command = ["h2load", "--duration", str(seconds), "--warm-up-time", "1", "--clients", "10",
               "--data", str(frame), "--header", "content-type: application/grpc", "--header", "te: trailers",
               "--header", f"authorization: Bearer {fetch_token(stack)}"]
    if rate is None:
        command += ["--max-concurrent-streams", "10"]
    else:
        command += ["--rps", str(max(rate // 10, 1)), "--max-concurrent-streams", "1"]
    if log is not None:
        command += ["--log-file", str(log)]
    command.append(f"{scheme}://{stack.target.gateway.address}{TOPOLOGY_PATH}")
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout


def requests_per_second(output: str) -> float:
    """h2load's rate, refused unless every request succeeded (a refused call is no authenticated call)."""
    match = re.search(r"finished in [\d.]+\w*, ([\d.]+) req/s", output)
    done = re.search(r"requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded", output)
    if match is None or done is None:
        raise SystemExit(f"h2load printed no rate:\n{output[-1000:]}")
    if done.group(1) != done.group(2):
        raise SystemExit(f"h2load: not every request succeeded:\n{output[-1000:]}")
    return float(match.group(1))


def latency_percentiles(log: Path) -> tuple[float, float]:
    """p50 and p99 in ms from h2load's log (start time, status, duration in microseconds per request)."""
    durations = sorted(int(line.split()[2]) / 1000 for line in log.read_text().splitlines() if line.strip())
    if len(durations) < 100:
        raise SystemExit(f"too few requests for percentiles: {len(durations)}")
    cuts = statistics.quantiles(durations, n=100)
    return cuts[49], cuts[98]


def fixed_rate(stack: Stack, frame: Path, args: argparse.Namespace, log: Path) -> tuple[float, float]:
    h2load(stack, frame, args.seconds, rate=args.rate, log=log)
    return latency_percentiles(log)


def median(values: list[float]) -> float:
    return statistics.median(values)


def describe(figures: list[LocustFigure]) -> str:
    runs = ", ".join(f"{f.per_core:.0f} ({f.calls} calls / {f.cpu_s:.2f} CPU-s, {f.rate:.0f}/s wall, "
                     f"load {f.load_1m:.1f})" for f in figures)
    return f"median {median([f.per_core for f in figures]):.0f}; runs: {runs}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rate", type=int, default=200, help="fixed rate (calls/s) for the auth overhead")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pin-cpu", type=int, default=None, help="also run Locust pinned to this CPU")
    args = parser.parse_args()
    if shutil.which("h2load") is None:
        raise SystemExit("h2load is missing: apt-get install nghttp2-client")
    free, pinned_runs, ceilings, secure, open_proxy, loads = [], [], [], [], [], []
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        frame = work / "topology.grpc"
        frame.write_bytes(EMPTY_GRPC_FRAME)
        with local_stack("secure") as stack:
            for run in range(args.repeat):
                free.append(locust(stack, args, work / f"locust-{run}", None))
                if args.pin_cpu is not None:
                    pinned_runs.append(locust(stack, args, work / f"pinned-{run}", args.pin_cpu))
                loads.append(os.getloadavg()[0])
                ceilings.append(requests_per_second(h2load(stack, frame, args.seconds)))
                secure.append(fixed_rate(stack, frame, args, work / f"secure-{run}.log"))
        with local_stack("proxy_auth_off") as stack:
            for run in range(args.repeat):
                open_proxy.append(fixed_rate(stack, frame, args, work / f"off-{run}.log"))
    failures = sum(f.failures for f in free + pinned_runs)
    per_core = median([f.per_core for f in free])
    ceiling = median(ceilings)
    print(f"machine: {os.cpu_count()} cores; {args.repeat} runs of {args.seconds} s; {args.users} Locust users "
          f"(TopologyCaller), one Locust process; 1-min load average during the runs: "
          f"{', '.join(f'{f.load_1m:.1f}' for f in free)}")
    print(f"locust authenticated calls per Locust core (calls / Locust CPU-s): {describe(free)}")
    if pinned_runs:
        print(f"  pinned to CPU {args.pin_cpu}: {describe(pinned_runs)}")
    print(f"locust failed calls (not counted): {failures}")
    print(f"h2load ceiling, same endpoint, token and kind of call: median {ceiling:.0f} calls/s; runs: "
          f"{', '.join(f'{c:.0f}' for c in ceilings)} (load {', '.join(f'{x:.1f}' for x in loads)})")
    print(f"locust per core / h2load ceiling: {per_core / ceiling:.2f} (Locust's wall rate / h2load: "
          f"{median([f.rate for f in free]) / ceiling:.2f}; both share the machine's cores with the stack)")
    print(f"auth overhead at {args.rate} calls/s (medians): p50 {median([s[0] for s in secure]):.2f} ms vs "
          f"{median([o[0] for o in open_proxy]):.2f} ms without auth, p99 {median([s[1] for s in secure]):.2f} ms "
          f"vs {median([o[1] for o in open_proxy]):.2f} ms")
    print(f"target: >= {TARGET_PER_CORE} authenticated calls/s per Locust core: "
          f"{'reached' if per_core >= TARGET_PER_CORE else 'not reached'}")


if __name__ == "__main__":
    main()
