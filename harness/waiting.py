"""Waiting for a promised change ("X within B seconds") by watching for it, with B as the deadline.

A check that promises a change within a bound used to sleep the bound and look once. Polling judges the
same promise sooner and no weaker: the check looks until the change shows and judges at that moment; where
the change never comes (the weakness), the last look starts no earlier than the bound, exactly where the
blind sleep looked, so it fails as before. The measured latency goes into the evidence. A positive control
that waits for a grant or a key to take effect polls the same way, with its bound as the deadline.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
# Between two looks: short against the reference stack's bounds (1 s and up); on a long bound (a real
# deployment's 330 s JWKS cache) the looks spread out, so a wait costs the target at most MAX_LOOKS looks.
POLL_INTERVAL_S = 0.1
MAX_LOOKS = 100


@dataclasses.dataclass(frozen=True)
class Waited(Generic[T]):
    """The last observation, whether the condition held on it, and when (seconds since the wait began)."""

    value: T
    held: bool
    elapsed_s: float

    def evidence(self) -> dict[str, float | bool]:
        return {"held": self.held, "latency_s" if self.held else "waited_s": round(self.elapsed_s, 3)}


def poll(observe: Callable[[], T], holds: Callable[[T], bool], within_s: float, *,
         since: float | None = None) -> Waited[T]:
    """Observe until `holds(observation)` or until an observation that began `within_s` seconds or more
    after `since` (time.monotonic(); default now) did not hold either. `elapsed_s` is taken when the
    observation that held ended, so it never understates the latency."""
    started = time.monotonic() if since is None else since
    interval_s = max(POLL_INTERVAL_S, within_s / MAX_LOOKS)
    while True:
        looked_at = time.monotonic() - started
        value = observe()
        elapsed = time.monotonic() - started
        if holds(value):
            return Waited(value, True, elapsed)
        if looked_at >= within_s:
            return Waited(value, False, elapsed)
        time.sleep(max(0.0, min(interval_s, within_s - (time.monotonic() - started))))
