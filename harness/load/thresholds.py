"""The hot path's service-level objectives and how a load result is judged against them."""

from __future__ import annotations

import dataclasses

from harness.config import LoadSlo

DEFAULT_SLO = LoadSlo()


@dataclasses.dataclass(frozen=True)
class LoadResult:
    """What one Locust run measured, from its CSV statistics."""

    requests: int
    failures: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    attack_requests: int
    bypasses: int
    duration_s: float

    @property
    def error_ratio(self) -> float:
        return self.failures / self.requests if self.requests else 1.0

    def as_evidence(self) -> dict[str, float | int]:
        return dataclasses.asdict(self) | {"error_ratio": round(self.error_ratio, 5)}


def breaches(result: LoadResult, slo: LoadSlo = DEFAULT_SLO) -> list[str]:
    """Every SLO the valid callers missed, as one readable line each; empty when all hold."""
    found = []
    if result.requests == 0:
        return ["no valid call was made"]
    if result.p95_ms > slo.p95_ms:
        found.append(f"p95 {result.p95_ms:.0f} ms > {slo.p95_ms:.0f} ms")
    if result.p99_ms > slo.p99_ms:
        found.append(f"p99 {result.p99_ms:.0f} ms > {slo.p99_ms:.0f} ms")
    if result.error_ratio > slo.max_error_ratio:
        found.append(f"error ratio {result.error_ratio:.4f} > {slo.max_error_ratio}")
    if result.rps < slo.min_rps:
        found.append(f"throughput {result.rps:.0f} calls/s < {slo.min_rps:.0f}")
    return found
