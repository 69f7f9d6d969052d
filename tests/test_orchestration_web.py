"""The Orchestration Cluster emulator's web side and management port pin the product's behaviour.

Sources (camunda/camunda): authentication/.../config/WebSecurityConfig.java (consolidated-auth: the
`camunda-session` and `X-CSRF-TOKEN` names, `cookieCsrfTokenRepository` with httpOnly(false) and
secure(false), the X-CSRF-TOKEN response header on login and authenticated GETs, `setupSecureHeaders` from
`camunda.security.http-headers`, CSRF switched by `camunda.security.csrf.enabled`, UNPROTECTED_PATHS and
UNPROTECTED_API_PATHS), authentication/.../csrf/CsrfProtectionRequestMatcher.java and its test (safe
methods, the allowed paths, a swagger-ui Referer of the cluster itself, and no session: all exempt),
security/.../configuration/headers/HstsConfig.java (1 year, includeSubDomains and preload off),
FrameOptionsConfig.java (SAMEORIGIN), ContentSecurityPolicyConfig.java (the Self-Managed default policy),
dist/src/main/resources/application.properties (management.server.port 9600, the actuator endpoints) and
docs "Management API" (8.8: exporting pause/resume, exporters).
"""

from __future__ import annotations

import time
import warnings
from typing import Any

import pytest

with warnings.catch_warnings():  # starlette announces a move to httpx2; httpx is what is installed
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from starlette.applications import Starlette

from harness.reference.orchestration.listeners import listener_app
from harness.reference.orchestration.management import Management
from harness.reference.orchestration.web import (
    CSRF_TOKEN,
    DEFAULT_SM_POLICY,
    SESSION_COOKIE,
    duration_s,
    security_headers,
)
from harness.reference.zeebe.engine import Engine

USER = ("operator", "s3cret-password")
SEARCH = "/v2/process-instances/search"


def cluster(csrf: bool = True, cookie: dict[str, Any] | None = None, actuator: bool = False,
            headers: dict[str, Any] | None = None, tls: bool = True) -> TestClient:
    security = {"authentication": {"method": "basic"}, "csrf": {"enabled": csrf}, "http-headers": headers or {},
                "initialization": {"users": [{"username": USER[0], "password": USER[1]}],
                                   "defaultRoles": {"admin": {"users": [USER[0]]}}}}
    listener = {"port": 8080, "tls": {"cert_file": "unused"} if tls else None, "actuator": actuator,
                "server": {"servlet": {"session": {"cookie": cookie or {}}}}, "camunda": {"security": security}}
    base = "https://testserver" if tls else "http://testserver"
    return TestClient(listener_app(listener, Engine(), None, Management()), base_url=base)


def logged_in(client: TestClient) -> str:
    response = client.post("/login", data={"username": USER[0], "password": USER[1]})
    assert response.status_code == 204
    return response.headers[CSRF_TOKEN]


def set_cookies(response: Any) -> dict[str, str]:
    return {value.split("=", 1)[0]: value for value in response.headers.get_list("set-cookie")}


def test_form_login_sets_the_session_and_csrf_cookies_and_hands_out_the_token() -> None:
    client = cluster(cookie={"secure": True, "same-site": "lax"})
    response = client.post("/login", data={"username": USER[0], "password": USER[1]})
    cookies = set_cookies(response)
    assert response.status_code == 204 and response.headers[CSRF_TOKEN]
    assert {"Secure", "HttpOnly", "SameSite=Lax"} <= {a.strip() for a in cookies[SESSION_COOKIE].split(";")}
    # The CSRF cookie is readable by script and not Secure, whatever the operator configures.
    assert "HttpOnly" not in cookies[CSRF_TOKEN] and "Secure" not in cookies[CSRF_TOKEN]
    assert client.get("/v2/topology").status_code == 200, "a webapp session grants the API as well"


def test_spring_boot_session_cookie_defaults_are_httponly_only() -> None:
    attributes = set_cookies(cluster().post("/login", data={"username": USER[0], "password": USER[1]}))[SESSION_COOKIE]
    assert "HttpOnly" in attributes and "Secure" not in attributes and "SameSite" not in attributes


def test_a_wrong_password_at_the_form_login_sets_no_session() -> None:
    response = cluster().post("/login", data={"username": USER[0], "password": "wrong"})
    assert response.status_code == 401 and SESSION_COOKIE not in set_cookies(response)


def test_a_session_post_needs_the_matching_csrf_header() -> None:
    client = cluster()
    token = logged_in(client)
    assert client.post(SEARCH, json={}).status_code == 403
    assert client.post(SEARCH, json={}, headers={CSRF_TOKEN: "forged"}).status_code == 403
    assert client.post(SEARCH, json={}, headers={CSRF_TOKEN: token}).status_code == 200


@pytest.mark.parametrize("exempt", ["safe method", "no session", "public path", "swagger referer"])
def test_what_the_csrf_matcher_exempts(exempt: str) -> None:
    client = cluster()
    if exempt != "no session":
        logged_in(client)
    if exempt == "safe method":
        assert client.get("/v2/topology").status_code == 200
    elif exempt == "no session":  # an API client with basic credentials is not a browser
        assert client.post(SEARCH, json={}, auth=USER).status_code == 200
    elif exempt == "public path":  # /v2/setup/user: refused for the admin that exists, not for CSRF
        assert client.post("/v2/setup/user", json={}).json()["title"] == "FORBIDDEN"
    else:
        headers = {"Referer": "https://testserver/swagger-ui/index.html"}
        assert client.post(SEARCH, json={}, headers=headers).status_code == 200


def test_csrf_disabled_lets_a_session_post_through() -> None:
    client = cluster(csrf=False)
    logged_in(client)
    assert client.post(SEARCH, json={}).status_code == 200


def test_default_headers_on_every_answer_including_refusals() -> None:
    response = cluster().get("/v2/topology")
    assert response.status_code == 401
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers["Content-Security-Policy"] == DEFAULT_SM_POLICY
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_configured_headers_and_no_hsts_over_plain_http() -> None:
    configured = dict(security_headers({"hsts": {"include-sub-domains": True, "preload": True},
                                        "frame-options": {"mode": "deny"},
                                        "content-security-policy": {"policy-directives": "default-src 'self'",
                                                                    "report-only": True}}, https=True))
    assert configured["Strict-Transport-Security"] == "max-age=31536000 ; includeSubDomains ; preload"
    assert configured["X-Frame-Options"] == "DENY"
    assert configured["Content-Security-Policy-Report-Only"] == "default-src 'self'"
    assert "Strict-Transport-Security" not in dict(security_headers({}, https=False))


def test_the_actuator_answers_on_the_client_port_only_when_merged() -> None:
    assert cluster().get("/actuator/loggers").status_code == 404
    merged = cluster(actuator=True)
    assert merged.get("/actuator/loggers").status_code == 200
    assert merged.post("/actuator/exporting/pause").status_code == 204, "unauthenticated, as /actuator/** is"
    assert merged.get("/actuator/exporters").json() == [{"exporterId": "camundaexporter", "status": "ENABLED"}]


def test_management_writes_change_what_its_reads_show() -> None:
    management = Management()
    client = TestClient(Starlette(routes=management.routes()))
    assert client.post("/actuator/loggers/io.camunda", json={"configuredLevel": "DEBUG"}).status_code == 204
    assert client.get("/actuator/loggers").json()["loggers"]["io.camunda"]["configuredLevel"] == "DEBUG"
    assert client.post("/actuator/exporters/camundaexporter/disable").status_code == 200
    assert client.get("/actuator/exporters").json()[0]["status"] == "DISABLED"
    assert client.get("/actuator/health").json() == {"status": "UP"}


def test_a_logger_change_without_a_level_is_a_bad_request() -> None:
    client = TestClient(Starlette(routes=Management().routes()))
    assert client.post("/actuator/loggers/io.camunda", content=b"not json").status_code == 400
    assert client.post("/actuator/loggers/io.camunda", json={"configuredLevel": "LOUD"}).status_code == 400


@pytest.mark.parametrize(("text", "seconds"), [("PT30S", 30), ("PT10M", 600), ("PT0.2S", 0.2), ("PT1H2M3S", 3723),
                                               ("P1D", 86400), ("pt5s", 5)])
def test_refresh_intervals_read_as_java_durations(text: str, seconds: float) -> None:
    """The property binds to a java.time.Duration; ISO 8601 text is what Duration.parse reads (JDK javadoc:
    days, hours, minutes, fractional seconds, case-insensitive)."""
    assert duration_s(text) == seconds


@pytest.mark.parametrize("text", ["30", "30s", "PT", "P", "PT-1S", ""])
def test_a_refresh_interval_that_is_no_duration_is_refused(text: str) -> None:
    """What Duration.parse refuses; and a negative interval, which Java would take: the emulator's own
    strictness (no cluster is configured with one), not a product claim."""
    with pytest.raises(ValueError, match="ISO 8601"):
        duration_s(text)


def test_a_session_keeps_its_tenants_until_the_refresh_interval_passes() -> None:
    """HttpSessionBasedAuthenticationHolder (camunda/camunda, authentication/src/main/java/io/camunda/
    authentication/holder/): the session's CamundaAuthentication is dropped once `now - AUTH_LAST_REFRESH >=
    authentication-refresh-interval` and built anew on the next request; basic credentials have no session
    and see a change on their next request."""
    security = {"authentication": {"method": "basic", "authentication-refresh-interval": "PT0.3S"},
                "multi-tenancy": {"checks-enabled": True},
                "initialization": {"users": [{"username": USER[0], "password": USER[1]},
                                             {"username": "member", "password": "member-password"}],
                                   "defaultRoles": {"admin": {"users": [USER[0]]}},
                                   "tenants": [{"tenantId": "tenant-a", "users": ["member"]}]}}
    listener = {"port": 8080, "tls": {"cert_file": "unused"}, "server": {}, "camunda": {"security": security}}
    api = TestClient(listener_app(listener, Engine(), None, Management()), base_url="https://testserver")
    browser = TestClient(api.app, base_url="https://testserver")
    member = ("member", "member-password")

    def tenants(client: TestClient, auth: tuple[str, str] | None = None) -> list[str]:
        return [t["tenantId"] for t in client.get("/v2/authentication/me", auth=auth).json()["tenants"]]

    assert browser.post("/login", data={"username": member[0], "password": member[1]}).status_code == 204
    assert tenants(browser) == tenants(api, member) == ["tenant-a"]
    assert api.delete("/v2/tenants/tenant-a/users/member", auth=USER).status_code == 204
    assert tenants(api, member) == [], "basic credentials see the change at once"
    assert tenants(browser) == ["tenant-a"], "the session keeps what it had until its refresh"
    time.sleep(0.35)
    assert tenants(browser) == [], "past the interval the session looks its memberships up again"
