"""Every route of an authenticated HTTP API, read from its description (an OpenAPI 3 document).

An attacker picks the route, not the harness: an API that guards the route the checks call and forgets
another hands its data to anyone. The routes come from a description, never a hand list in a check: where
the product publishes an OpenAPI document (the orchestration cluster's REST API v2) it is read as is;
where it does not (Optimize, Operate v1, Keycloak's admin API for one realm) a route table shaped as a
minimal OpenAPI document is kept as data in harness/api_routes/, citing the product source it was read
from. Requests carry values that look real (the examples of each parameter and body, else a key of
Zeebe's shape), so a call that gets past authentication answers as the product would (data, 400, 404)
and not with something that could pass for a refusal.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from importlib import resources
from typing import Any
from urllib.parse import quote

import requests
import yaml

from harness.probes.jwt import Credential

TIMEOUT_S = 10
METHODS = ("get", "put", "post", "delete", "patch")
# A path parameter the description gives no example for: a key of Zeebe's shape no record will have.
PROBE_VALUE = "2251799813685249"
# Appended to an API's common path prefix: a route no product serves, to learn how the API answers one.
NO_SUCH_ROUTE = "harness-probe-no-such-route"
JSON_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


@dataclasses.dataclass(frozen=True)
class Route:
    """One method of one path, with the values a request for it carries."""

    method: str
    template: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    body: Any = None
    representative: bool = False
    # The description says the route takes no credentials (OpenAPI `security: []`): listed, not judged.
    public: bool = False

    @property
    def name(self) -> str:
        return f"{self.method} {self.template}"


@dataclasses.dataclass(frozen=True)
class ApiDescription:
    """An API's routes and where they were read from; `representative` is the route the full forgery
    catalog runs on (the description marks it `x-representative`, else its first route)."""

    title: str
    source: str
    routes: tuple[Route, ...]

    @property
    def representative(self) -> Route:
        return next((route for route in self.routes if route.representative), self.guarded[0])

    @property
    def guarded(self) -> tuple[Route, ...]:
        """The routes the description says need credentials: every one must refuse a call without."""
        return tuple(route for route in self.routes if not route.public)

    @property
    def prefix(self) -> str:
        """The path prefix every route shares, ending in `/` (`/api/public/`, `/v1/`)."""
        parts = [route.template.strip("/").split("/") for route in self.routes]
        common: list[str] = []
        for segments in zip(*parts, strict=False):
            if len(set(segments)) != 1 or segments[0].startswith("{"):
                break
            common.append(segments[0])
        return "/" + "".join(f"{segment}/" for segment in common)


class _Values(dict[str, str]):
    """Target values for examples; one the caller does not know (counting routes offline) is a probe name."""

    def __missing__(self, key: str) -> str:
        return "harness-probe"


def _fill(value: Any, values: Mapping[str, str]) -> Any:
    """Examples may name target values as `{collection}`; strings are filled, structures walked."""
    if isinstance(value, str):
        return value.format_map(_Values(values)) if "{" in value else value
    if isinstance(value, list):
        return [_fill(item, values) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, values) for key, item in value.items()}
    return value


def _resolved(document: Mapping[str, Any], node: Any) -> Any:
    """A local `$ref` (`#/components/...`) replaced by what it points to, as product documents use them."""
    while isinstance(node, Mapping) and str(node.get("$ref", "")).startswith("#/"):
        target: Any = document
        for part in str(node["$ref"])[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def _operation_route(document: Mapping[str, Any], template: str, method: str, operation: Mapping[str, Any],
                     shared: list[Mapping[str, Any]], values: Mapping[str, str]) -> Route:
    parameters = [_resolved(document, p) for p in [*shared, *(operation.get("parameters") or [])]]
    path = template
    query = []
    for parameter in parameters:
        example = str(_fill(parameter.get("example", PROBE_VALUE), values))
        if parameter.get("in") == "path":
            path = path.replace("{" + str(parameter["name"]) + "}", quote(example, safe=""))
        elif parameter.get("in") == "query":
            query.append((str(parameter["name"]), example))
    content = (_resolved(document, operation.get("requestBody")) or {}).get("content") or {}
    body = _fill(content.get("application/json", {}).get("example"), values)
    if body is None and method.upper() in JSON_BODY_METHODS:
        body = {}
    # A path parameter without a declared example (an OpenAPI document that gives none) still gets a value.
    while "{" in path:
        start = path.index("{")
        path = path[:start] + PROBE_VALUE + path[path.index("}", start) + 1:]
    security = operation.get("security", document.get("security"))
    return Route(method.upper(), template, path, tuple(query), body, bool(operation.get("x-representative")),
                 public=security == [])


def from_openapi(document: Mapping[str, Any], values: Mapping[str, str] | None = None) -> ApiDescription:
    """The routes of an OpenAPI 3 document, one per path and method, in document order."""
    routes = []
    for template, item in (document.get("paths") or {}).items():
        shared = list(item.get("parameters") or [])
        routes += [_operation_route(document, template, method, item[method] or {}, shared, values or {})
                   for method in METHODS if method in item]
    if not any(not route.public for route in routes):
        raise ValueError("the API description declares no routes that need credentials")
    info = document.get("info") or {}
    return ApiDescription(str(info.get("title", "API")), str(info.get("x-source", "")), tuple(routes))


def load(name: str, values: Mapping[str, str] | None = None) -> ApiDescription:
    """A route table shipped in harness/api_routes/ (`name` without `.yaml`)."""
    text = resources.files("harness").joinpath("api_routes", f"{name}.yaml").read_text()
    return from_openapi(yaml.safe_load(text), values)


@dataclasses.dataclass(frozen=True)
class RouteAnswer:
    """What one call of a route got: the HTTP status (None: the connection closed) and the body's start,
    to compare with the API's answer to an unknown route (never shown: a body may echo what was sent)."""

    status: int | None
    body: str = dataclasses.field(repr=False)
    reason: str = dataclasses.field(default="", compare=False)

    @property
    def refused(self) -> bool:
        return self.status in (401, 403)


def call(session: requests.Session, base: str, route: Route, credential: Credential, verify: str | bool,
         path: str | None = None) -> RouteAnswer:
    """One request of `route` (or of `path` with the route's method) presenting `credential`."""
    headers = {} if credential.authorization is None else {"Authorization": credential.authorization}
    params = list(route.query) + ([] if credential.query_token is None else [("access_token", credential.query_token)])
    data = None if route.body is None else json.dumps(route.body)
    if data is not None:
        headers["Content-Type"] = "application/json"
    try:
        response = session.request(route.method, base.rstrip("/") + (path or route.path), params=params,
                                   data=data, headers=headers, verify=verify, timeout=TIMEOUT_S,
                                   allow_redirects=False)
    except requests.ConnectionError as error:
        return RouteAnswer(None, "", type(error).__name__)
    return RouteAnswer(response.status_code, response.text[:200], response.reason or "")


def not_served_answer(session: requests.Session, base: str, api: ApiDescription, verify: str | bool) -> RouteAnswer:
    """How the API answers a route no product serves, without a token: a deployment that guards its whole
    prefix refuses it (401), one that guards per route answers 404, and a documented route answering
    exactly that is one this version does not serve (listed apart, as UNIMPLEMENTED on gRPC)."""
    probe = Route("GET", api.prefix + NO_SUCH_ROUTE, api.prefix + NO_SUCH_ROUTE)
    return call(session, base, probe, Credential(None), verify)


def served(answer: RouteAnswer, unknown: RouteAnswer) -> bool:
    """False for an answer a route this version lacks gives: 405 (the path is served, not the method) or
    the API's own answer to an unknown route, when that is a 404."""
    if answer.status == 405:
        return False
    return not (unknown.status == 404 and answer == unknown)
