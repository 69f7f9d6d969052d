"""The headers scenario's shared observation: every endpoint's answers fetched once, judged by every rule.

Optimize's routes come from harness.probes.optimize_routes (a web application with many kinds of answer),
every other endpoint's from harness.probes.endpoint_responses; each answer carries its endpoint's kind,
which picks the rules that apply (harness/header_rules.yaml)."""

from __future__ import annotations

import pytest

from harness.config import Target
from harness.deployment import Stack
from harness.header_rules import HeaderRule, load_rules
from harness.probes import endpoint_responses, optimize_routes
from harness.probes.headers import Observed


@pytest.fixture(scope="session")
def header_rules(target: Target) -> dict[str, HeaderRule]:
    return load_rules(target.headers.rules)


@pytest.fixture(scope="session")
def endpoint_answers(stack: Stack) -> Observed:
    """Optimize's routes (where the target has Optimize) and every other endpoint's answers."""
    others = endpoint_responses.observe(stack)
    if stack.target.optimize is None:
        return Observed((), {"optimize": "the target declares no Optimize (optimize.url)"}) + others
    return optimize_routes.observe(stack) + others
