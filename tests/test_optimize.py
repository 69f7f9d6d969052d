"""The Optimize emulator behaves as Optimize 8.x does for what the checks rely on: readiness, the public
API's status codes and pagination, the cookie login, and security headers on every kind of response."""

from __future__ import annotations

import asyncio
import functools
import json
import time

import certifi
import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from harness.clients.oauth import fetch_token
from harness.clients.optimize import api_as, login_as
from harness.config import Optimize
from harness.deployment import Stack
from harness.header_rules import load_rules
from harness.probes.headers import Response, findings
from harness.reference.identity_client import IdentityHttp, JwksCache
from harness.reference.optimize import seed
from harness.reference.optimize.session import COOKIE
from harness.reference.profile import Profile
from harness.reference.proxy import ingress
from harness.reference.proxy.ingress import SECURE_CSP
from harness.reference.services.identity import GATEWAY_AUDIENCE, OPTIMIZE_AUDIENCE

SECURITY_HEADERS = ("Strict-Transport-Security", "Content-Security-Policy", "X-Content-Type-Options",
                    "X-Frame-Options", "Referrer-Policy")


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
    api = api_as(stack, "default")
    assert api.result_status("no-such-report") == 404
    assert api.export_definitions(["no-such-report"])[0] == 404
    assert api.session.post(f"{optimize.url}/api/public/export/report/definition/json", json={"reportIds": []},
                            verify=ca, timeout=10).status_code == 400
    result = f"{optimize.url}/api/public/export/report/{seed.report_id('tenant-a')}/result/json"
    assert api.session.get(result, params={"limit": 0, "paginationTimeout": 1}, verify=ca, timeout=10).status_code == 400
    assert api.session.get(result, params={"limit": 5}, verify=ca, timeout=10).status_code == 400
    assert api.session.get(f"{optimize.url}/api/public/dashboard", verify=ca, timeout=10).status_code == 400
    dashboards = api.session.get(f"{optimize.url}/api/public/dashboard", params={"collectionId": seed.COLLECTION_ID},
                                 verify=ca, timeout=10)
    assert dashboards.json() == [{"id": seed.DASHBOARD_ID}]


def test_public_api_applies_no_tenant_rules(stack: Stack) -> None:
    """Any holder of a token for `api.audience` gets every report of a collection, any report's definition
    and every row of the report's tenants, whatever tenants Identity grants it (here the default client,
    granted `<default>` only). camunda/camunda `optimize/backend/.../rest/PublicApiRestService.java`
    (getReportIds: `reportService.getAllReportIdsInCollection`), `service/export/JsonReportResultExportService
    .java` (a `ReportEvaluationInfo` without a user) and `service/db/report/PlainReportEvaluationHandler.java`
    (`getAuthorizedRole` is VIEWER for everyone)."""
    api = api_as(stack, "default")
    assert api.report_ids(seed.COLLECTION_ID) == (200, sorted(report["id"] for report in seed.reports()))
    status, definitions = api.export_definitions([seed.report_id("tenant-b")])
    assert status == 200 and definitions[0]["data"]["definitions"][0]["tenantIds"] == ["tenant-b"]
    assert api.rows(seed.report_id("tenant-b")).per_tenant() == {"tenant-b": seed.INSTANCES_PER_TENANT_AND_PROCESS}


def test_public_api_takes_an_aud_array_containing_its_audience() -> None:
    """Keycloak's audience mappers give `aud` as an array; Spring's audience validator (Optimize's
    `AudienceValidator`, camunda/camunda `optimize/.../rest/security/oauth/AudienceValidator.java`) accepts a
    token whose `aud` contains `api.audience`, and refuses one that does not."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwks = JwksCache(IdentityHttp(certifi.where()), "https://identity.invalid/certs", ttl_s=3600)
    jwks.keys = {"k1": jwt.PyJWK(json.loads(RSAAlgorithm.to_jwk(key.public_key())) | {"kid": "k1"})}
    jwks.fetched_at = time.monotonic()

    def token(audience: object) -> str:
        claims = {"iss": "https://issuer", "aud": audience, "exp": int(time.time()) + 60, "azp": "client"}
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})

    verify = functools.partial(jwks.verify, audience=OPTIMIZE_AUDIENCE, issuer="https://issuer")
    assert asyncio.run(verify(token([GATEWAY_AUDIENCE, OPTIMIZE_AUDIENCE])))["azp"] == "client"
    with pytest.raises(jwt.InvalidAudienceError):
        asyncio.run(verify(token([GATEWAY_AUDIENCE, "operate-api"])))


def test_result_export_pages_through_every_row_of_the_reports_tenants(stack: Stack) -> None:
    api = api_as(stack, "default")
    first = api.session.get(f"{api.base_url}/api/public/export/report/{seed.CROSS_TENANT_REPORT}/result/json",
                            params={"limit": 4, "paginationTimeout": 1}, verify=api.verify, timeout=10).json()
    assert {"reportId", "searchRequestId", "numberOfRecordsInResponse", "totalNumberOfRecords", "data"} <= set(first)
    assert first["numberOfRecordsInResponse"] == 4
    assert first["totalNumberOfRecords"] == len(seed.TENANTS) * seed.INSTANCES_PER_TENANT_AND_PROCESS
    rows = api.rows(seed.CROSS_TENANT_REPORT)
    assert rows.status == 200 and rows.per_tenant() == dict.fromkeys(seed.TENANTS, seed.INSTANCES_PER_TENANT_AND_PROCESS)


def test_a_logged_in_user_sees_the_reports_of_its_tenants_only(stack: Stack, optimize: Optimize, ca: str) -> None:
    """Optimize's web-app API applies the user's tenants: a report is the user's when it may see every tenant
    of it, else 403 (camunda/camunda `optimize/.../service/security/ReportAuthorizationService.java`,
    `security/util/definition/CamundaCCSMDefinitionAuthorizationService.java`: isAuthorizedToSeeAllTenants;
    `rest/ReportRestService.java` for the routes); no session is 401."""
    user = login_as(stack, "bu_a")
    assert user.report_ids(seed.COLLECTION_ID) == (200, [seed.all_processes_report_id("tenant-a"),
                                                          seed.report_id("tenant-a")])
    assert user.rows(seed.report_id("tenant-a")).per_tenant() == {"tenant-a": seed.INSTANCES_PER_TENANT_AND_PROCESS}
    assert user.report_tenants(seed.report_id("tenant-a")) == (200, {"tenant-a"})
    for other in (seed.report_id("tenant-b"), seed.CROSS_TENANT_REPORT):
        assert user.evaluate_status(other) == 403 and user.report_tenants(other)[0] == 403
    assert user.evaluate_status("no-such-report") == 404
    anonymous = requests.post(f"{optimize.url}/api/report/{seed.report_id('tenant-a')}/evaluate", json={"filter": []},
                              verify=ca, timeout=10, allow_redirects=False)
    assert anonymous.status_code == 401
    single_tenant = login_as(stack, "bu_a", str(optimize.single_tenant_url))
    assert single_tenant.report_ids(seed.COLLECTION_ID)[1] == [seed.all_processes_report_id("<default>"),
                                                               seed.report_id("<default>")]


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


def test_optimize_adds_its_configured_headers_only_past_spring_security(optimize: Optimize, ca: str) -> None:
    """Optimize itself (its single-tenant listener, reached without the ingress): `ResponseSecurityHeaderFilter`
    is registered without an order, so it runs after Spring Security's chain, and the chain's 401s and its
    redirect to the login carry only Spring's defaults (nosniff, `X-XSS-Protection: 0`, HSTS for a year),
    never the configured CSP; frame options are disabled globally; no setting exists for X-Frame-Options or
    Referrer-Policy. camunda/camunda `optimize/backend/.../tomcat/ResponseSecurityHeaderFilter.java`, its
    `FilterRegistrationBean` in `TomcatConfig.java`, `rest/security/AbstractSecurityConfigurerAdapter.java`
    (`frameOptions(disable)`), `service/util/configuration/security/ResponseHeadersConfiguration.java`."""
    direct = str(optimize.single_tenant_url)
    page = get(f"{direct}/login", ca)
    refused = {"api 401": get(f"{direct}/api/public/report?collectionId=x", ca),
               "session api 401": get(f"{direct}/api/collection/x/entities", ca),
               "redirect to login": get(f"{direct}/no/such/page", ca)}
    assert page.headers["Content-Security-Policy"] == SECURE_CSP
    assert page.headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"
    assert refused["api 401"].status_code == 401 and refused["api 401"].headers["WWW-Authenticate"] == "Bearer"
    assert refused["redirect to login"].status_code == 302
    for what, response in {"login page": page, **refused}.items():
        assert response.headers["X-Content-Type-Options"] == "nosniff", what
        assert "X-Frame-Options" not in response.headers and "Referrer-Policy" not in response.headers, what
    for what, response in refused.items():
        assert "Content-Security-Policy" not in response.headers, f"{what} carries the configured CSP"
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000 ; includeSubDomains", what
    # So the headers checks find it on Optimize alone, whatever it is configured with: a real finding.
    rules = load_rules()
    probed = [Response(what, r.url, r.status_code, dict(r.headers), error=r.status_code >= 400)
              for what, r in {"login page": page, **refused}.items()]
    assert {r.route for r in probed if findings(rules["csp"], r)} == set(refused)
    # Framing: forbidden on the page only through the configured CSP's frame-ancestors, nowhere else.
    assert {r.route for r in probed if findings(rules["frame-protection"], r)} == set(refused)
    assert {r.route for r in probed if findings(rules["referrer-policy"], r)} == {"login page", *refused}


def test_ingress_puts_the_headers_on_every_kind_of_response(stack: Stack, optimize: Optimize, ca: str) -> None:
    credentials = stack.credentials("bu_a")
    session = requests.Session()
    session.post(f"{optimize.url}/login", verify=ca, timeout=10, allow_redirects=False,
                 data={"username": credentials.client_id, "password": credentials.client_secret.get_secret_value()})
    responses = {
        "ui redirect": get(f"{optimize.url}/", ca),
        "login page": get(f"{optimize.url}/login", ca),
        "static asset": get(f"{optimize.url}/static/app.js", ca),
        "404": session.get(f"{optimize.url}/no/such/page", verify=ca, timeout=10, allow_redirects=False),
        "api 401": get(f"{optimize.url}/api/public/report?collectionId=x", ca),
        "api 404": session.get(f"{optimize.url}/api/no-such-route", verify=ca, timeout=10, allow_redirects=False),
        "http redirect": requests.get(f"{optimize.http_url}/login?next=1", timeout=10, allow_redirects=False),
    }
    assert responses["404"].status_code == 404 and responses["api 404"].status_code == 404
    for what, response in responses.items():
        expected = SECURITY_HEADERS[1:] if what == "http redirect" else SECURITY_HEADERS
        missing = [name for name in expected if name not in response.headers]
        assert not missing, f"{what} (HTTP {response.status_code}) lacks {missing}"
        assert response.headers["Content-Security-Policy"] == SECURE_CSP, f"{what}: Optimize's CSP was not replaced"
        assert response.headers.get("Server") == "nginx", f"{what} announces {response.headers.get('Server')}"
    redirect = responses["http redirect"]
    assert redirect.status_code == 301 and redirect.headers["Location"] == f"{optimize.url}/login?next=1"


@pytest.mark.parametrize("weakness", sorted(ingress.DROPPED_BY))
def test_each_header_weakness_switches_exactly_its_header_off(weakness: str) -> None:
    names = {name for name, _ in ingress.headers(Profile(frozenset({weakness})))}
    assert {name for name, _ in ingress.headers(Profile())} - names == {ingress.DROPPED_BY[weakness]}


def test_readyz_is_503_while_elasticsearch_does_not_answer(stack: Stack, optimize: Optimize, ca: str) -> None:
    assert stack.faults is not None
    stack.faults.pause("search")  # paused, not stopped: the emulator's in-memory data survives
    try:
        assert get(f"{optimize.url}/api/readyz", ca).status_code == 503
    finally:
        stack.faults.pause("search", paused=False)
    assert get(f"{optimize.url}/api/readyz", ca).status_code == 200
