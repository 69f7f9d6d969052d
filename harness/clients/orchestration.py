"""The Orchestration Cluster's REST API v2 as the checks call it: raw HTTP, so a check chooses exactly which
credential goes out (none, a wrong password, a default account), and every answer is kept whole.

Camunda's own client (camunda-orchestration-sdk) is what tests/test_orchestration_sdk.py proves the
emulator against; the checks stay on plain requests, which sends what it is given and nothing else.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import requests

HTTP_TIMEOUT_S = 10
# The double-submit CSRF token's header (and cookie) name (WebSecurityConfig.X_CSRF_TOKEN).
CSRF_HEADER = "X-CSRF-TOKEN"


@dataclasses.dataclass(frozen=True)
class RestAnswer:
    """One call's status and, for a problem detail (RFC 9457), its title and detail; `data` a JSON object
    answer (a created key, a search page)."""

    status: int
    title: str = ""
    detail: str = ""
    data: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def items(self) -> list[dict[str, Any]]:
        """A search page's items."""
        items = self.data.get("items")
        return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclasses.dataclass(frozen=True)
class OrchestrationRest:
    """One cluster's REST API: `url` is its base (Target `orchestration.url` or `oidc_url`)."""

    url: str
    verify: str | bool

    def call(self, method: str, path: str, *, basic: tuple[str, str] | None = None, bearer: str | None = None,
             body: dict[str, Any] | None = None, session: requests.Session | None = None,
             headers: dict[str, str] | None = None) -> RestAnswer:
        """`path` under /v2; `basic` is (username, password) for Authorization: Basic, `bearer` a token,
        `session` a browser's cookies (from `login`)."""
        sent = {**(headers or {}), **({"Authorization": f"Bearer {bearer}"} if bearer is not None else {})}
        response = (session or requests).request(method, f"{self.url}/v2{path}", auth=basic, headers=sent, json=body,
                                                 verify=self.verify, timeout=HTTP_TIMEOUT_S)
        return _answer(response)

    def login(self, username: str, password: str) -> tuple[requests.Session, RestAnswer, str | None]:
        """The web apps' form login (POST /login): a session holding its cookies (`camunda-session`, the
        CSRF cookie), the answer, and the CSRF token the cluster handed out in its `X-CSRF-TOKEN` header."""
        session = requests.Session()
        response = session.post(f"{self.url}/login", data={"username": username, "password": password},
                                verify=self.verify, timeout=HTTP_TIMEOUT_S, allow_redirects=False)
        return session, _answer(response), response.headers.get(CSRF_HEADER)

    def deploy(self, name: str, content: bytes, tenant: str | None, *, basic: tuple[str, str] | None = None,
               bearer: str | None = None) -> RestAnswer:
        """POST /v2/deployments as the product takes it: multipart `resources`, and `tenantId` unless None;
        as a basic user or with a bearer token."""
        fields = {"tenantId": (None, tenant)} if tenant is not None else {}
        headers = {"Authorization": f"Bearer {bearer}"} if bearer is not None else {}
        return _answer(requests.post(f"{self.url}/v2/deployments", auth=basic, headers=headers, files={
            "resources": (name, content, "application/octet-stream"), **fields}, verify=self.verify,
            timeout=HTTP_TIMEOUT_S))


def _answer(response: requests.Response) -> RestAnswer:
    try:
        parsed = response.json() if response.content else {}
    except ValueError:
        parsed = {}
    data = parsed if isinstance(parsed, dict) else {}
    if response.headers.get("content-type", "").startswith("application/problem+json"):
        return RestAnswer(response.status_code, str(data.get("title", "")), str(data.get("detail", "")))
    return RestAnswer(response.status_code, data=data)
