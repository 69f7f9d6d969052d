"""Optimize over HTTPS only (Optimize security instructions, "Disable HTTP"): its plain-HTTP port is closed
or only redirects to https, and its https responses tell browsers to stay on https (HSTS)."""

from __future__ import annotations

import re

import pytest
import requests

from harness.config import HttpService, Target
from harness.deployment import tls_verify

REQUEST_TIMEOUT_S = 5
REDIRECTS = frozenset({301, 302, 303, 307, 308})
# ASVS 4.0.3 14.4.5 asks for HSTS with at least this max-age (about six months).
MIN_HSTS_MAX_AGE_S = 15_724_800
MAX_AGE = re.compile(r"(?i)(?:^|;)\s*max-age\s*=\s*\"?(\d+)\"?")


@pytest.fixture
def optimize(target: Target) -> HttpService:
    if target.optimize is None:
        pytest.skip("the target declares no Optimize (optimize.url)")
    return target.optimize


@pytest.mark.check("TLS-007")
def test_optimize_http_closed_or_redirects(optimize: HttpService, evidence) -> None:
    try:
        response = requests.get(optimize.http_url, allow_redirects=False, timeout=REQUEST_TIMEOUT_S)
    except requests.ConnectionError as exc:
        evidence.record(http_url=optimize.http_url, outcome="closed", error=type(exc).__name__)
        return
    location = response.headers.get("Location", "")
    evidence.record(http_url=optimize.http_url, status=response.status_code, location=location)
    assert response.status_code in REDIRECTS and location.startswith("https://"), \
        f"Optimize's plain-HTTP port answered {response.status_code} instead of a redirect to https"


@pytest.mark.check("TLS-008")
def test_optimize_sends_hsts(target: Target, optimize: HttpService, evidence) -> None:
    if not optimize.url.startswith("https://"):
        pytest.fail(f"the target declares Optimize without TLS: {optimize.url}")
    response = requests.get(optimize.url, allow_redirects=False, timeout=REQUEST_TIMEOUT_S,
                            verify=tls_verify(target.ca_file))
    header = response.headers.get("Strict-Transport-Security")
    evidence.record(url=optimize.url, status=response.status_code, strict_transport_security=header)
    assert header is not None, "Optimize's https response carries no Strict-Transport-Security header"
    match = MAX_AGE.search(header)
    assert match is not None and int(match.group(1)) >= MIN_HSTS_MAX_AGE_S, \
        f"Strict-Transport-Security max-age below {MIN_HSTS_MAX_AGE_S} s: {header!r}"
