"""The Optimize emulator behaves as Optimize 8.x does for what the checks rely on: readiness, the public
API's status codes and pagination, the cookie login, and security headers on every kind of response."""

from __future__ import annotations

import pytest
import requests

from harness.backends import Stack
from harness.clients.oauth import fetch_token
from harness.clients.optimize import api_as
from harness.config import Optimize
from harness.reference.optimize import seed
from harness.reference.optimize.headers import header_list
from harness.reference.optimize.session import COOKIE
from harness.reference.profile import Profile
from harness.reference.stack import optimize_security

SECURITY_HEADERS = ("Strict-Transport-Security", "Content-Security-Policy", "X-Content-Type-Options",
                    "X-Frame-Options", "Referrer-Policy")
HEADER_WEAKNESSES = {"hsts_missing": "Strict-Transport-Security", "csp_missing": "Content-Security-Policy",
                     "nosniff_missing": "X-Content-Type-Options", "frame_protection_missing": "X-Frame-Options",
                     "referrer_policy_missing": "Referrer-Policy"}


@pytest.fixture(scope="module")
def stack(local_stack: Stack) -> Stack:
    return local_stack


@pytest.fixture(scope="module")
def optimize(stack: Stack) -> Optimize:
    assert stack.target.optimize is not None, "the local stack declares Optimize"
    return stack.target.optimize


@pytest.fixture(scope="module")
def ca(stack: Stack) -> str:
    return str(stack.target.ca_file)


def get(url: str, ca: str, **kwargs: object) -> requests.Response:
    return requests.get(url, verify=ca, timeout=10, allow_redirects=False, **kwargs)  # type: ignore[arg-type]


def test_readyz_needs_no_auth_and_rejects_an_authorization_header(optimize: Optimize, ca: str) -> None:
    ready = get(f"{optimize.url}/api/readyz", ca)
    assert ready.status_code == 200 and ready.content == b""
    assert get(f"{optimize.url}/api/readyz", ca, headers={"Authorization": "Bearer x"}).status_code == 400


def test_public_api_status_codes(stack: Stack, optimize: Optimize, ca: str) -> None:
    reports = f"{optimize.url}/api/public/report?collectionId={seed.COLLECTION_ID}"
    assert get(reports, ca).status_code == 401
    assert get(reports, ca, headers={"Authorization": "Bearer not.a.jwt"}).status_code == 401
    gateway_token = fetch_token(stack, "bu_a")  # a genuine token, for the gateway's audience
    assert get(reports, ca, headers={"Authorization": f"Bearer {gateway_token}"}).status_code == 401
    api = api_as(stack, "bu_a")
    assert api.report_ids(seed.COLLECTION_ID) == (200, [seed.all_processes_report_id("tenant-a"),
                                                         seed.report_id("tenant-a"), seed.CROSS_TENANT_REPORT])
    assert api.result_status(seed.report_id("tenant-b")) == 403
    assert api.result_status("no-such-report") == 404
    assert api.export_definitions(["no-such-report"])[0] == 404
    assert api.export_definitions([seed.report_id("tenant-b")])[0] == 403
    assert api.session.post(f"{optimize.url}/api/public/export/report/definition/json", json={"reportIds": []},
                            verify=ca, timeout=10).status_code == 400
    result = f"{optimize.url}/api/public/export/report/{seed.report_id('tenant-a')}/result/json"
    assert api.session.get(result, params={"limit": 0, "paginationTimeout": 1}, verify=ca, timeout=10).status_code == 400
    assert api.session.get(result, params={"limit": 5}, verify=ca, timeout=10).status_code == 400
    assert api.session.get(f"{optimize.url}/api/public/dashboard", verify=ca, timeout=10).status_code == 400
    dashboards = api.session.get(f"{optimize.url}/api/public/dashboard", params={"collectionId": seed.COLLECTION_ID},
                                 verify=ca, timeout=10)
    assert dashboards.json() == [{"id": seed.DASHBOARD_ID}]


def test_result_export_pages_through_every_row_of_the_callers_tenants(stack: Stack) -> None:
    api = api_as(stack, "bu_a")
    first = api.session.get(f"{api.base_url}/api/public/export/report/{seed.CROSS_TENANT_REPORT}/result/json",
                            params={"limit": 4, "paginationTimeout": 1}, verify=api.verify, timeout=10).json()
    assert {"reportId", "searchRequestId", "numberOfRecordsInResponse", "totalNumberOfRecords", "data"} <= set(first)
    assert first["numberOfRecordsInResponse"] == 4
    assert first["totalNumberOfRecords"] == seed.INSTANCES_PER_TENANT_AND_PROCESS
    rows = api.rows(seed.CROSS_TENANT_REPORT)
    assert rows.status == 200 and rows.per_tenant() == {"tenant-a": seed.INSTANCES_PER_TENANT_AND_PROCESS}


def test_login_sets_a_flagged_session_cookie_for_the_ui(stack: Stack, optimize: Optimize, ca: str) -> None:
    assert get(f"{optimize.url}/", ca).headers["Location"] == "/login"
    assert "<form" in get(f"{optimize.url}/login", ca).text
    credentials = stack.credentials("bu_a")
    wrong = requests.post(f"{optimize.url}/login", data={"username": credentials.client_id, "password": "wrong"},
                          verify=ca, timeout=10, allow_redirects=False)
    assert wrong.status_code == 401 and COOKIE not in wrong.cookies
    login = requests.post(f"{optimize.url}/login", verify=ca, timeout=10, allow_redirects=False,
                          data={"username": credentials.client_id,
                                "password": credentials.client_secret.get_secret_value()})
    assert login.status_code == 302
    cookie = login.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}=") and {"httponly", "secure", "samesite=strict"} <= {
        part.strip().lower() for part in cookie.split(";")}
    shell = get(f"{optimize.url}/", ca, cookies={COOKIE: login.cookies[COOKIE]})
    assert shell.status_code == 200 and "/static/app.js" in shell.text


def test_security_headers_on_every_kind_of_response(stack: Stack, optimize: Optimize, ca: str) -> None:
    responses = {
        "ui redirect": get(f"{optimize.url}/", ca),
        "login page": get(f"{optimize.url}/login", ca),
        "static asset": get(f"{optimize.url}/static/app.js", ca),
        "404": get(f"{optimize.url}/no/such/page", ca),
        "api 401": get(f"{optimize.url}/api/public/report?collectionId=x", ca),
        "api 404": get(f"{optimize.url}/api/no-such-route", ca),
        "http redirect": requests.get(f"{optimize.http_url}/login?next=1", timeout=10, allow_redirects=False),
    }
    for what, response in responses.items():
        missing = [name for name in SECURITY_HEADERS if name not in response.headers]
        assert not missing, f"{what} (HTTP {response.status_code}) lacks {missing}"
        assert "Server" not in response.headers, f"{what} announces a server: {response.headers['Server']}"
    csp = responses["login page"].headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    redirect = responses["http redirect"]
    assert redirect.status_code == 301 and redirect.headers["Location"] == f"{optimize.url}/login?next=1"


@pytest.mark.parametrize("weakness", sorted(HEADER_WEAKNESSES))
def test_each_header_weakness_switches_exactly_its_header_off(weakness: str) -> None:
    names = {name for name, _ in header_list(optimize_security(Profile(frozenset({weakness})))["responseHeaders"],
                                             None)}
    secure = {name for name, _ in header_list(optimize_security(Profile())["responseHeaders"], None)}
    assert secure - names == {HEADER_WEAKNESSES[weakness]}


def test_readyz_is_503_while_elasticsearch_does_not_answer(stack: Stack, optimize: Optimize, ca: str) -> None:
    assert stack.faults is not None
    stack.faults.pause("search")  # paused, not stopped: the emulator's in-memory data survives
    try:
        assert get(f"{optimize.url}/api/readyz", ca).status_code == 503
    finally:
        stack.faults.pause("search", paused=False)
    assert get(f"{optimize.url}/api/readyz", ca).status_code == 200
