"""The tls scenario's shared scan: every endpoint of the Target scanned once by sslyze, concurrently, at the
first check that needs it; every check reads the same result instead of rescanning."""

from __future__ import annotations

import pytest

from harness.config import Target
from harness.probes import tls


@pytest.fixture(scope="session")
def tls_scans(target: Target) -> tls.ScanReport:
    endpoints = tls.endpoints(target)
    if not endpoints:
        pytest.skip("the target declares no endpoints to scan")
    return tls.scan_all(endpoints, target.ca_file)
