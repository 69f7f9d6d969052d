"""The header rules judge what they claim to: secure headers pass every rule, and each rule turns red when
its own header is removed or weakened, so no rule is a rule that cannot fail."""

from __future__ import annotations

import pytest
import requests
import urllib3

from harness.errors import UsageError
from harness.header_rules import load_rules
from harness.probes.headers import Response, findings, from_requests, missing_on_errors, redact_cookie

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
        assert findings(rule, _response(SECURE)) == [], rule.name


@pytest.mark.parametrize("name", sorted(BREAKS))
def test_each_rule_fails_on_its_own_weakness_only(name: str) -> None:
    broken = _response({**SECURE, **BREAKS[name]})
    failing = {rule.name for rule in load_rules().values() if findings(rule, broken)}
    assert name in failing
    assert failing <= {name, "csp"}  # dropping the CSP's frame-ancestors leaves it a CSP without one


def test_cookie_without_flags_fails_and_its_value_never_shows() -> None:
    rule = load_rules()["cookie-flags"]
    found = findings(rule, _response(SECURE, cookie=f"X-Optimize-Authorization={SESSION_VALUE}; Path=/"))
    assert found and "X-Optimize-Authorization" in found[0]
    assert SESSION_VALUE not in repr(found)
    assert SESSION_VALUE not in repr(_response(SECURE).as_evidence())


def test_frame_protection_holds_through_either_header() -> None:
    rule = load_rules()["frame-protection"]
    assert findings(rule, _response({**SECURE, "X-Frame-Options": None})) == []
    assert findings(rule, _response({**SECURE, "Content-Security-Policy": "default-src 'self'"})) == []


def test_hsts_is_not_asked_of_plain_http() -> None:
    plain = Response("http-redirect", "http://127.0.0.1/", 301, {"Location": "https://127.0.0.1/"}, plain_http=True)
    assert findings(load_rules()["hsts"], plain) == []


def test_a_target_can_make_a_rule_stricter() -> None:
    strict = {"any-of": [{"Content-Security-Policy": {"Required": True, "Must-Contain": ["upgrade-insecure-requests"]}}]}
    rule = load_rules({"csp": strict})["csp"]
    assert rule.check == "HDR-002"
    assert findings(rule, _response(SECURE))


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


def test_error_pages_are_compared_with_their_own_endpoint() -> None:
    """An API that sends nosniff only is not held to the headers Optimize's pages send."""
    page = _response(SECURE)
    api = {"X-Content-Type-Options": "nosniff"}
    api_ok = Response("jwks", "https://127.0.0.1/certs", 200, api, endpoint="identity", kind="api")
    api_401 = Response("token", "https://127.0.0.1/token", 401, api, error=True, endpoint="identity", kind="api")
    api_404 = Response("not-found", "https://127.0.0.1/x", 404, {}, error=True, endpoint="identity", kind="api")
    gaps = missing_on_errors(load_rules().values(), [page, api_ok, api_401, api_404])
    assert gaps == {"identity not-found": ["x-content-type-options"]}


def test_rules_apply_to_the_endpoint_kinds_they_name() -> None:
    """An API need not send CSP, framing or referrer rules; no endpoint of any kind may name its version."""
    rules = load_rules()
    bare = {"Server": "nginx/1.22.1"}
    for kind, failing in (("webapp", set(rules) - {"cookie-flags"}), ("api", {"hsts", "nosniff", "server-banner"}),
                          ("grpc", {"server-banner"}), ("service", {"server-banner"})):
        answer = Response("root", "https://127.0.0.1/", 200, bare, kind=kind)
        assert {name for name, rule in rules.items() if findings(rule, answer)} == failing, kind


def test_a_target_widens_a_rule_to_more_kinds_and_bad_kinds_name_the_field() -> None:
    widened = load_rules({"csp": {"applies-to": ["webapp", "api"]}})["csp"]
    assert findings(widened, Response("search", "https://127.0.0.1/", 200, {"Content-Type": "application/json"}, kind="api"))
    with pytest.raises(UsageError, match=r"^headers.rules.csp.applies-to"):
        load_rules({"csp": {"applies-to": ["browser"]}})


def test_a_csrf_token_handed_out_never_shows_in_evidence() -> None:
    """The Orchestration Cluster answers its form login with the double-submit token in `X-CSRF-TOKEN`
    (WebSecurityConfig's csrfHeaderFilter): evidence keeps the header's presence, never its value."""
    raw = requests.Response()
    raw.status_code, raw.url = 204, "https://127.0.0.1/login"
    raw.headers["X-CSRF-TOKEN"] = "token-value"
    raw.raw = urllib3.HTTPResponse(headers={"Set-Cookie": "camunda-session=s3ssion; Secure; HttpOnly"})
    response = from_requests("login", raw, "orchestration", "webapp")
    assert response.headers["X-CSRF-TOKEN"] == "<redacted>"
    assert "token-value" not in str(response.as_evidence()) and "s3ssion" not in str(response.as_evidence())
