"""A pytest plugin for the harness's own tests: after collection, print which test function implements
each check id (one line per item), so tests can compare the catalog with what pytest really collects,
registry-parametrized checks included."""

from __future__ import annotations

import pytest

PREFIX = "CHECK-ITEM"


def pytest_collection_finish(session: pytest.Session) -> None:
    for item in session.items:
        marker = item.get_closest_marker("check")
        if marker is not None:
            function = item.nodeid.split("[", 1)[0]
            print(f"{PREFIX} {marker.args[0]} {function}")
