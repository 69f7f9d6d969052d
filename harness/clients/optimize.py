"""Optimize's public API as the checks use it: list a collection's reports, export definitions, and page
through a report's result rows, with a bearer token from Identity (client credentials, requests-oauthlib).
"""

from __future__ import annotations

import collections
import dataclasses
from typing import Any

import requests

from harness.backends import Stack
from harness.clients.oauth import fetch_token
from harness.config import Optimize
from harness.errors import UsageError

TIMEOUT_S = 10
PAGE_SIZE = 5
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


def optimize_of(stack: Stack) -> Optimize:
    if stack.target.optimize is None:
        raise UsageError("optimize: the target declares no Optimize")
    return stack.target.optimize


def api_as(stack: Stack, client: str, url: str | None = None) -> OptimizeApi:
    """Optimize's API (at `url`, default optimize.url) with a fresh token of `client` for optimize.audience."""
    optimize = optimize_of(stack)
    if optimize.audience is None:
        raise UsageError("optimize.audience: the target does not say which token audience Optimize's API takes")
    verify: str | bool = str(stack.target.ca_file) if stack.target.ca_file else True
    return OptimizeApi(url or optimize.url, fetch_token(stack, client, optimize.audience), verify)
