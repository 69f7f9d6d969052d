"""Security headers, banners and cookies on every HTTP(S) endpoint: each of Optimize's routes and the
answers of the gateway proxy, Identity, Operate, Vault and Elasticsearch (Optimize security instructions,
"Fine tune Optimize security headers"; OWASP Secure Headers Project; ASVS 4.0.3 V14.4, V14.3.3, V3.4).

One check per rule (harness/header_rules.yaml names it and the endpoint kinds it applies to); each judges
every answer of an endpoint of those kinds, so a header missing only on an error page, a redirect or one
service still turns it red. Evidence is the response headers seen per endpoint and route.
"""

from __future__ import annotations

import pytest

from harness.header_rules import HeaderRule, load_rules
from harness.outcome import positive
from harness.probes.headers import Observed, findings, missing_on_errors


def _assert_rule(name: str, rules: dict[str, HeaderRule], observed: Observed, evidence) -> None:
    rule = rules[name]
    judged = [r for r in observed.responses if r.kind in rule.applies_to]
    positive(bool(judged), f"some endpoint of a kind rule {name} applies to ({sorted(rule.applies_to)}) answered")
    broken = {f"{r.endpoint} {r.route}": found for r in judged if (found := findings(rule, r))}
    evidence.record(**observed.evidence(), applies_to=sorted(rule.applies_to),
                    endpoints=sorted({r.endpoint for r in judged}), findings=broken)
    assert not broken, f"rule {name} broken on {len(broken)} route(s): " + "; ".join(
        f"{route}: {lines[0]}" for route, lines in broken.items())


# HDR-007 needs a session cookie first (its own test below); every other rule is judged here, and a new rule
# in header_rules.yaml, naming its check, is a new case without a new test.
JUDGED_ELSEWHERE = frozenset({"HDR-007"})


@pytest.mark.parametrize("rule", [pytest.param(rule.name, id=rule.name, marks=pytest.mark.check(rule.check))
                                  for rule in load_rules().values() if rule.check not in JUDGED_ELSEWHERE])
def test_header_rule_holds_on_every_route(rule: str, header_rules, endpoint_answers, evidence) -> None:
    _assert_rule(rule, header_rules, endpoint_answers, evidence)


@pytest.mark.check("HDR-007")
def test_cookie_flags(header_rules, endpoint_answers: Observed, evidence) -> None:
    """Judged where a login sets a session cookie: Optimize's (as optimize.client) and the Orchestration
    Cluster's form login (as its declared user; its session cookie `camunda-session`)."""
    logins = [r for r in endpoint_answers.responses if r.route == "login"]
    if not logins:
        pytest.skip("no login to set a session cookie: " + "; ".join(
            f"{where}: {why}" for where, why in endpoint_answers.not_probed.items()) or "no endpoint has one")
    for login in logins:
        positive(bool(login.cookies), f"logging in at {login.endpoint} sets a session cookie (got {login.status} "
                                      "and none)")
    _assert_rule("cookie-flags", header_rules, endpoint_answers, evidence)


@pytest.mark.check("HDR-008")
def test_error_pages_carry_the_headers_pages_do(header_rules, endpoint_answers: Observed, evidence) -> None:
    errors = [f"{r.endpoint} {r.route}" for r in endpoint_answers.responses if r.error]
    positive(bool(errors), "some route answers with an error status, so error pages are probed")
    gaps = missing_on_errors(header_rules.values(), endpoint_answers.responses)
    evidence.record(**endpoint_answers.evidence(), error_routes=errors, missing_on_errors=gaps)
    assert not gaps, "error responses lack headers the pages send: " + "; ".join(
        f"{route}: {', '.join(headers)}" for route, headers in gaps.items())
