"""Job figures of the gateway emulator through the auth proxy (TLS, bearer token): FailJob back-off accuracy
and ActivateJobs latency, on the local stack (secure profile).

    python bench/zeebe_jobs.py [--samples 20] [--back-off-ms 500]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

from pyzeebe.proto import gateway_pb2

from harness.backends.local import LocalBackend
from harness.clients.bpmn import one_task_process
from harness.clients.gateway import GatewayCalls
from harness.deployment import Stack
from harness.reference.profile import Profile

JOB_TYPE = "bench-job"
LONG_POLL_MS = 5000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def activation_latency(zeebe: GatewayCalls, samples: int) -> tuple[list[float], list[float]]:
    """Round trips of ActivateJobs with one job waiting, and with none (no long polling)."""
    with_job, empty = [], []
    for _ in range(samples):
        assert zeebe.start("bench", "").ok
        started = time.perf_counter()
        reply = zeebe.activate(JOB_TYPE, [], max_jobs=1)
        with_job.append(time.perf_counter() - started)
        assert reply.ok and len(reply.response) == 1, reply
        assert zeebe.call("CompleteJob", gateway_pb2.CompleteJobRequest(jobKey=reply.response[0].key)).ok
        started = time.perf_counter()
        assert zeebe.activate(JOB_TYPE, [], max_jobs=1).ok
        empty.append(time.perf_counter() - started)
    return with_job, empty


def back_off_errors(zeebe: GatewayCalls, samples: int, back_off_ms: int) -> list[float]:
    """Seconds between FailJob's answer and the job's return to a long-polling ActivateJobs, minus the back-off."""
    errors = []
    for _ in range(samples):
        assert zeebe.start("bench", "").ok
        job = zeebe.activate(JOB_TYPE, [], max_jobs=1).response[0]
        assert zeebe.call("FailJob", gateway_pb2.FailJobRequest(jobKey=job.key, retries=2,
                                                                retryBackOff=back_off_ms)).ok
        failed = time.perf_counter()
        reply = zeebe.activate(JOB_TYPE, [], max_jobs=1, request_timeout_ms=LONG_POLL_MS)
        errors.append(time.perf_counter() - failed - back_off_ms / 1000)
        assert reply.ok and reply.response[0].key == job.key, reply
        assert zeebe.call("CompleteJob", gateway_pb2.CompleteJobRequest(jobKey=job.key)).ok
    return errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--back-off-ms", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as state_dir:
        os.environ["HARNESS_STATE_DIR"] = state_dir
        backend = LocalBackend()
        try:
            stack: Stack = backend.up(Profile(), lambda message: None)
            with stack.gateway_as() as zeebe:
                assert zeebe.deploy(one_task_process("bench", JOB_TYPE), "").ok
                with_job, empty = activation_latency(zeebe, args.samples)
                errors = back_off_errors(zeebe, args.samples, args.back_off_ms)
        finally:
            backend.down()
    ms = 1000
    print(f"ActivateJobs through the proxy, one job waiting ({args.samples} calls): median "
          f"{statistics.median(with_job) * ms:.1f} ms, p95 {percentile(with_job, 0.95) * ms:.1f} ms")
    print(f"ActivateJobs through the proxy, no job, no long polling: median {statistics.median(empty) * ms:.1f} ms, "
          f"p95 {percentile(empty, 0.95) * ms:.1f} ms")
    print(f"FailJob back-off {args.back_off_ms} ms, job back to a long-polling ActivateJobs ({args.samples} runs): "
          f"error median {statistics.median(errors) * ms:+.1f} ms, min {min(errors) * ms:+.1f} ms, "
          f"max {max(errors) * ms:+.1f} ms (limit: within 250 ms)")


if __name__ == "__main__":
    main()
