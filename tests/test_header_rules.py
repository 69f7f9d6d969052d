"""The header rules judge what they claim to: secure headers pass every rule, and each rule turns red when
its own header is removed or weakened, so no rule is a rule that cannot fail."""

from __future__ import annotations

import pytest

from harness.errors import UsageError
from harness.probes.headers import Response, load_rules, missing_on_errors, redact_cookie

SECURE = {
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Server": "nginx",
}
SESSION_VALUE = "s3ss10n-v4lue-that-must-not-show"
SECURE_COOKIE = f"X-Optimize-Authorization={SESSION_VALUE}; Path=/; HttpOnly; Secure; SameSite=Strict"

# rule name -> a header change that breaks exactly that control (None removes the header).
BREAKS = {
    "hsts": {"Strict-Transport-Security": "max-age=600; includeSubDomains"},
    "csp": {"Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline'; "
                                       "frame-ancestors 'none'"},
    "nosniff": {"X-Content-Type-Options": None},
    "frame-protection": {"X-Frame-Options": None, "Content-Security-Policy": "default-src 'self'"},
    "referrer-policy": {"Referrer-Policy": "unsafe-url"},
    "server-banner": {"Server": "Jetty(9.4.51.v20230217)"},
}


def _response(headers: dict[str, str | None], cookie: str = SECURE_COOKIE, error: bool = False) -> Response:
    kept = {name: value for name, value in headers.items() if value is not None}
    return Response("ui", "https://127.0.0.1/", 404 if error else 200, kept, (redact_cookie(cookie),), error=error)


def test_secure_headers_pass_every_rule() -> None:
    for rule in load_rules().values():
        assert rule.findings(_response(SECURE)) == [], rule.name


@pytest.mark.parametrize("name", sorted(BREAKS))
def test_each_rule_fails_on_its_own_weakness_only(name: str) -> None:
    broken = _response({**SECURE, **BREAKS[name]})
    failing = {rule.name for rule in load_rules().values() if rule.findings(broken)}
    assert name in failing
    assert failing <= {name, "csp"}  # dropping the CSP's frame-ancestors leaves it a CSP without one


def test_cookie_without_flags_fails_and_its_value_never_shows() -> None:
    rule = load_rules()["cookie-flags"]
    findings = rule.findings(_response(SECURE, cookie=f"X-Optimize-Authorization={SESSION_VALUE}; Path=/"))
    assert findings and "X-Optimize-Authorization" in findings[0]
    assert SESSION_VALUE not in repr(findings)
    assert SESSION_VALUE not in repr(_response(SECURE).as_evidence())


def test_frame_protection_holds_through_either_header() -> None:
    rule = load_rules()["frame-protection"]
    assert rule.findings(_response({**SECURE, "X-Frame-Options": None})) == []
    assert rule.findings(_response({**SECURE, "Content-Security-Policy": "default-src 'self'"})) == []


def test_hsts_is_not_asked_of_plain_http() -> None:
    plain = Response("http-redirect", "http://127.0.0.1/", 301, {"Location": "https://127.0.0.1/"}, plain_http=True)
    assert load_rules()["hsts"].findings(plain) == []


def test_a_target_can_make_a_rule_stricter() -> None:
    strict = {"any-of": [{"Content-Security-Policy": {"Required": True, "Must-Contain": ["upgrade-insecure-requests"]}}]}
    rule = load_rules({"csp": strict})["csp"]
    assert rule.check == "HDR-002"
    assert rule.findings(_response(SECURE))


@pytest.mark.parametrize("overrides, field", [
    ({"no-such-rule": {}}, "headers.rules.no-such-rule"),
    ({"csp": {"any-of": []}}, "headers.rules.csp.any-of"),
    ({"csp": {"any-of": [{"Content-Security-Policy": {"Value": "x"}}]}}, "headers.rules.csp.any-of"),
])
def test_bad_overrides_name_the_field(overrides: dict, field: str) -> None:
    with pytest.raises(UsageError, match=f"^{field}"):
        load_rules(overrides)


def test_error_pages_lacking_what_pages_send_are_named() -> None:
    page = _response(SECURE)
    bare_404 = Response("not-found", "https://127.0.0.1/x", 404, {"X-Content-Type-Options": "nosniff"}, error=True)
    gaps = missing_on_errors(load_rules().values(), [page, bare_404, _response(SECURE, error=True)])
    assert list(gaps) == ["not-found"]
    assert "strict-transport-security" in gaps["not-found"]
