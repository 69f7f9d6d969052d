"""Optimize as the checks use it, two ways:

- its public API (`OptimizeApi`): list a collection's reports, export definitions, page through a report's
  result rows, with a bearer token for `optimize.audience` from Identity (client credentials). It applies
  no tenant rules: any holder of a token for its audience reads everything;
- its web app's API as a logged-in user (`OptimizeUser`, session cookie `X-Optimize-Authorization`): the
  collection's entities, a report's definition and its evaluated raw-data rows, where Optimize applies the
  user's tenants. The session comes from a form login (`optimize.login_form`, the reference stack's);
  Camunda 8's Optimize logs in through Identity's browser redirect, which the harness does not drive.
"""

from __future__ import annotations

import collections
import dataclasses
from typing import Any

import requests

from harness.clients.oauth import fetch_token
from harness.config import Optimize
from harness.deployment import Stack
from harness.errors import UsageError

TIMEOUT_S = 10
# Rows per page: every page is a round trip through Optimize to Elasticsearch, so pages are large (the
# public export allows up to 1000); the loops still page to the end, so no row goes unread.
PAGE_SIZE = 100
PAGINATION_TIMEOUT_MIN = 1
MAX_PAGES = 1000


@dataclasses.dataclass(frozen=True)
class Rows:
    """What a report's result export gave: the HTTP status of the first refused page (200 if none), every
    row's tenant and every row's process variables by process instance id (name to value, as the raw-data
    export gives them)."""

    status: int
    tenants: tuple[str, ...]
    variables: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)

    def per_tenant(self) -> dict[str, int]:
        return dict(collections.Counter(self.tenants))


class OptimizeApi:
    def __init__(self, base_url: str, token: str, verify: str | bool) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.verify = verify  # per request: requests lets REQUESTS_CA_BUNDLE override a session's verify

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, f"{self.base_url}{path}", timeout=TIMEOUT_S, verify=self.verify,
                                    allow_redirects=False, **kwargs)

    def report_ids(self, collection_id: str) -> tuple[int, list[str]]:
        response = self._call("GET", "/api/public/report", params={"collectionId": collection_id})
        return response.status_code, [item["id"] for item in response.json()] if response.ok else []

    def export_definitions(self, report_ids: list[str]) -> tuple[int, list[dict[str, Any]]]:
        response = self._call("POST", "/api/public/export/report/definition/json", json=report_ids)
        return response.status_code, response.json() if response.ok else []

    def result_status(self, report_id: str) -> int:
        """The status of the first page of a report's result export."""
        return self.rows(report_id, max_pages=1).status

    def rows(self, report_id: str, max_pages: int = MAX_PAGES) -> Rows:
        """Every row of the report's result, page by page with Optimize's searchRequestId."""
        params: dict[str, Any] = {"limit": PAGE_SIZE, "paginationTimeout": PAGINATION_TIMEOUT_MIN}
        tenants: list[str] = []
        variables: dict[str, dict[str, Any]] = {}
        for _ in range(max_pages):
            response = self._call("GET", f"/api/public/export/report/{report_id}/result/json", params=params)
            if not response.ok:
                return Rows(response.status_code, tuple(tenants), variables)
            page = response.json()
            tenants += [str(row.get("tenantId")) for row in page["data"]]
            variables.update((str(row.get("processInstanceId")), dict(row.get("variables") or {}))
                             for row in page["data"])
            if not page["data"]:
                break
            params["searchRequestId"] = page["searchRequestId"]
        return Rows(200, tuple(tenants), variables)


class LoginRefused(Exception):
    """Optimize's form login did not give a session for the client's credentials."""


class OptimizeUser:
    """Optimize's web-app API with one logged-in user's session."""

    def __init__(self, base_url: str, session: requests.Session, verify: str | bool) -> None:
        self.base_url, self.session, self.verify = base_url.rstrip("/"), session, verify

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, f"{self.base_url}{path}", timeout=TIMEOUT_S, verify=self.verify,
                                    allow_redirects=False, **kwargs)

    def report_ids(self, collection_id: str) -> tuple[int, list[str]]:
        """The listing status and the ids of the collection's reports the user is shown."""
        response = self._call("GET", f"/api/collection/{collection_id}/entities")
        if not response.ok:
            return response.status_code, []
        return response.status_code, [e["id"] for e in response.json() if e.get("entityType") == "report"]

    def report_tenants(self, report_id: str) -> tuple[int, set[str]]:
        """The status of reading the report's definition, and the tenants of its definitions."""
        response = self._call("GET", f"/api/report/{report_id}")
        if not response.ok:
            return response.status_code, set()
        definitions = response.json()["data"]["definitions"]
        return response.status_code, {t for d in definitions for t in d.get("tenantIds") or []}

    def evaluate_status(self, report_id: str) -> int:
        return self.rows(report_id, max_pages=1).status

    def rows(self, report_id: str, max_pages: int = MAX_PAGES) -> Rows:
        """Every raw-data row of the report as the user evaluates it, page by page (offset and limit)."""
        tenants: list[str] = []
        for page in range(max_pages):
            response = self._call("POST", f"/api/report/{report_id}/evaluate", json={"filter": []},
                                  params={"offset": page * PAGE_SIZE, "limit": PAGE_SIZE})
            if not response.ok:
                return Rows(response.status_code, tuple(tenants))
            result = response.json()["result"]
            data = [row for measure in result["measures"] for row in measure["data"]]
            tenants += [str(row.get("tenantId")) for row in data]
            if not data or len(tenants) >= result["instanceCount"]:
                break
        return Rows(200, tuple(tenants))


def login_as(stack: Stack, client: str, url: str | None = None) -> OptimizeUser:
    """A session of Optimize (at `url`, default optimize.url) logged in with `client`'s credentials."""
    optimize = optimize_of(stack)
    if not optimize.login_form:
        raise UsageError("optimize.login_form: the target's Optimize has no form login to get a session from")
    base_url = (url or optimize.url).rstrip("/")
    credentials = stack.credentials(client)
    session = requests.Session()
    response = session.post(f"{base_url}/login", timeout=TIMEOUT_S, verify=stack.verify, allow_redirects=False,
                            data={"username": credentials.client_id,
                                  "password": credentials.client_secret.get_secret_value()})
    if response.status_code != 302 or not session.cookies:
        raise LoginRefused(f"logging in to Optimize as {client} got HTTP {response.status_code} and no session")
    return OptimizeUser(base_url, session, stack.verify)


def optimize_of(stack: Stack) -> Optimize:
    if stack.target.optimize is None:
        raise UsageError("optimize: the target declares no Optimize")
    return stack.target.optimize


def api_as(stack: Stack, client: str, url: str | None = None) -> OptimizeApi:
    """Optimize's API (at `url`, default optimize.url) with a fresh token of `client` for optimize.audience."""
    optimize = optimize_of(stack)
    if optimize.audience is None:
        raise UsageError("optimize.audience: the target does not say which token audience Optimize's API takes")
    return OptimizeApi(url or optimize.url, fetch_token(stack, client, optimize.audience), stack.verify)
