"""The headers scenario's shared observation: every Optimize route fetched once, judged by every rule."""

from __future__ import annotations

import pytest

from harness.backends import Stack
from harness.config import Target
from harness.probes import optimize_routes
from harness.probes.headers import HeaderRule, load_rules


@pytest.fixture(scope="session")
def header_rules(target: Target) -> dict[str, HeaderRule]:
    return load_rules(target.headers.rules)


@pytest.fixture(scope="session")
def optimize_responses(stack: Stack) -> optimize_routes.Observed:
    if stack.target.optimize is None:
        pytest.skip("the target declares no Optimize (optimize.url)")
    return optimize_routes.observe(stack)
