"""harness.waiting.poll judges a bounded promise no weaker than a sleep of the bound followed by one look."""

from __future__ import annotations

import time

from harness.waiting import poll


def test_a_change_that_shows_is_judged_when_it_shows() -> None:
    started = time.monotonic()
    waited = poll(lambda: time.monotonic() - started, lambda age: age >= 0.15, 5.0)
    assert waited.held and 0.15 <= waited.elapsed_s < 1.0
    assert waited.evidence() == {"held": True, "latency_s": round(waited.elapsed_s, 3)}


def test_a_change_that_never_shows_is_last_looked_for_at_the_bound() -> None:
    looks: list[float] = []
    started = time.monotonic()
    waited = poll(lambda: looks.append(time.monotonic() - started), lambda _: False, 0.3)
    assert not waited.held and looks[-1] >= 0.3 and len(looks) > 1
    assert "waited_s" in waited.evidence()


def test_a_bound_already_past_gets_one_look() -> None:
    looks: list[float] = []
    waited = poll(lambda: looks.append(0.0), lambda _: False, 1.0, since=time.monotonic() - 2.0)
    assert not waited.held and len(looks) == 1
