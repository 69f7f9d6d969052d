"""Optimize's security headers and cookies on every route (Optimize security instructions, "Fine tune
Optimize security headers"; OWASP Secure Headers Project; ASVS 4.0.3 V14.4, V3.4).

One check per rule; each judges every route's response, so a header missing only on an error page or a
redirect still turns it red. Evidence is the response headers seen per route.
"""

from __future__ import annotations

import pytest

from harness.probes.headers import HeaderRule, missing_on_errors
from harness.probes.optimize_routes import Observed


def _assert_rule(name: str, rules: dict[str, HeaderRule], observed: Observed, evidence) -> None:
    rule = rules[name]
    findings = {r.route: found for r in observed.responses if (found := rule.findings(r))}
    evidence.record(**observed.evidence(), findings=findings)
    assert not findings, f"rule {name} broken on {len(findings)} route(s): " + "; ".join(
        f"{route}: {lines[0]}" for route, lines in findings.items())


@pytest.mark.check("HDR-001")
def test_hsts(header_rules, optimize_responses, evidence) -> None:
    _assert_rule("hsts", header_rules, optimize_responses, evidence)


@pytest.mark.check("HDR-002")
def test_content_security_policy(header_rules, optimize_responses, evidence) -> None:
    _assert_rule("csp", header_rules, optimize_responses, evidence)


@pytest.mark.check("HDR-003")
def test_nosniff(header_rules, optimize_responses, evidence) -> None:
    _assert_rule("nosniff", header_rules, optimize_responses, evidence)


@pytest.mark.check("HDR-004")
def test_frame_protection(header_rules, optimize_responses, evidence) -> None:
    _assert_rule("frame-protection", header_rules, optimize_responses, evidence)


@pytest.mark.check("HDR-005")
def test_referrer_policy(header_rules, optimize_responses, evidence) -> None:
    _assert_rule("referrer-policy", header_rules, optimize_responses, evidence)


@pytest.mark.check("HDR-006")
def test_no_server_version_banner(header_rules, optimize_responses, evidence) -> None:
    _assert_rule("server-banner", header_rules, optimize_responses, evidence)


@pytest.mark.check("HDR-007")
def test_cookie_flags(header_rules, optimize_responses: Observed, evidence) -> None:
    if "login" in optimize_responses.not_probed:
        pytest.skip(f"no login to set a session cookie: {optimize_responses.not_probed['login']}")
    login = next(r for r in optimize_responses.responses if r.route == "login")
    assert login.cookies, f"positive control: logging in as optimize.client got {login.status} and no cookie"
    _assert_rule("cookie-flags", header_rules, optimize_responses, evidence)


@pytest.mark.check("HDR-008")
def test_error_pages_carry_the_headers_pages_do(header_rules, optimize_responses: Observed, evidence) -> None:
    errors = [r.route for r in optimize_responses.responses if r.error]
    assert errors, "no route answered with an error status, so error pages went unprobed"
    gaps = missing_on_errors(header_rules.values(), optimize_responses.responses)
    evidence.record(**optimize_responses.evidence(), error_routes=errors, missing_on_errors=gaps)
    assert not gaps, "error responses lack headers the pages send: " + "; ".join(
        f"{route}: {', '.join(headers)}" for route, headers in gaps.items())
