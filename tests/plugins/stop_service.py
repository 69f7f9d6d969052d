"""A pytest plugin for the harness's own tests: stops one reference service (HARNESS_TEST_STOP_SERVICE) just
before each check body runs, as a weakness that merely breaks a service would."""

from __future__ import annotations

import os

import pytest

SERVICE_ENV = "HARNESS_TEST_STOP_SERVICE"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    stack = item.funcargs["stack"]  # type: ignore[attr-defined]
    stack.faults.stop(os.environ[SERVICE_ENV])
