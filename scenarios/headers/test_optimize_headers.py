"""Optimize's security headers and cookies on every route (Optimize security instructions, "Fine tune
Optimize security headers"; OWASP Secure Headers Project; ASVS 4.0.3 V14.4, V3.4).

One check per rule (harness/probes/header_rules.yaml names it); each judges every route's response, so a header missing only on an error page or a
redirect still turns it red. Evidence is the response headers seen per route.
"""

from __future__ import annotations

import pytest

from harness.outcome import positive
from harness.probes.headers import HeaderRule, load_rules, missing_on_errors
from harness.probes.optimize_routes import Observed


def _assert_rule(name: str, rules: dict[str, HeaderRule], observed: Observed, evidence) -> None:
    rule = rules[name]
    findings = {r.route: found for r in observed.responses if (found := rule.findings(r))}
    evidence.record(**observed.evidence(), findings=findings)
    assert not findings, f"rule {name} broken on {len(findings)} route(s): " + "; ".join(
        f"{route}: {lines[0]}" for route, lines in findings.items())


# HDR-007 needs a session cookie first (its own test below); every other rule is judged here, and a new rule
# in header_rules.yaml, naming its check, is a new case without a new test.
JUDGED_ELSEWHERE = frozenset({"HDR-007"})


@pytest.mark.parametrize("rule", [pytest.param(rule.name, id=rule.name, marks=pytest.mark.check(rule.check))
                                  for rule in load_rules().values() if rule.check not in JUDGED_ELSEWHERE])
def test_header_rule_holds_on_every_route(rule: str, header_rules, optimize_responses, evidence) -> None:
    _assert_rule(rule, header_rules, optimize_responses, evidence)


@pytest.mark.check("HDR-007")
def test_cookie_flags(header_rules, optimize_responses: Observed, evidence) -> None:
    if "login" in optimize_responses.not_probed:
        pytest.skip(f"no login to set a session cookie: {optimize_responses.not_probed['login']}")
    login = next(r for r in optimize_responses.responses if r.route == "login")
    positive(bool(login.cookies), f"logging in as optimize.client sets a cookie (got {login.status} and none)")
    _assert_rule("cookie-flags", header_rules, optimize_responses, evidence)


@pytest.mark.check("HDR-008")
def test_error_pages_carry_the_headers_pages_do(header_rules, optimize_responses: Observed, evidence) -> None:
    errors = [r.route for r in optimize_responses.responses if r.error]
    positive(bool(errors), "some route answers with an error status, so error pages are probed")
    gaps = missing_on_errors(header_rules.values(), optimize_responses.responses)
    evidence.record(**optimize_responses.evidence(), error_routes=errors, missing_on_errors=gaps)
    assert not gaps, "error responses lack headers the pages send: " + "; ".join(
        f"{route}: {', '.join(headers)}" for route, headers in gaps.items())
