"""The Elasticsearch emulator's REST API, on Elasticsearch 8's paths with its bodies and status codes.

Every request is authenticated first (security.py), for every path, as Elasticsearch's security filter
does; every response, refusals included, carries `X-Elastic-Product: Elasticsearch`, which
elasticsearch-py 8 requires of a server before it trusts a 2xx answer.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from harness.reference.profile import Profile
from harness.reference.rest_headers import StaticHeaders
from harness.reference.search.security import Security
from harness.reference.search.store import SearchError, Store

VERSION = "8.15.3"
BULK_ACTIONS = ("index", "create", "delete")


def _json(body: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status)


def _error(error: SearchError) -> JSONResponse:
    response = JSONResponse(error.body(), status_code=error.status)
    # One WWW-Authenticate header per challenge, as Elasticsearch sends them.
    for challenge in error.extra.get("header", {}).get("WWW-Authenticate", ()):
        response.headers.append("WWW-Authenticate", challenge)
    return response


async def _no_handler(request: Request, exc: Exception) -> Response:
    """Elasticsearch's answers for a path it has no handler for, and for a method a path does not take."""
    uri = f"uri [{request.url.path}] and method [{request.method}]"
    if isinstance(exc, HTTPException) and exc.status_code == 405:
        allowed = (exc.headers or {}).get("Allow", "")
        return _json({"error": f"Incorrect HTTP method for {uri}, allowed: [{allowed}]", "status": 405}, 405)
    return _json({"error": f"no handler found for {uri}", "status": 400}, 400)


async def _body(request: Request, required: bool = False) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        if required:
            raise SearchError(400, "parse_exception", "request body is required")
        return {}
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise SearchError(400, "parse_exception", "request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise SearchError(400, "parse_exception", "request body must be a JSON object")
    return body


def _bulk_actions(raw: bytes, default_index: str | None) -> list[tuple[str, dict[str, Any], dict[str, Any] | None]]:
    """Parse `_bulk` NDJSON: an action line, then a source line for index/create; 400 on a bad line."""
    lines = [line for line in raw.decode("utf-8", "replace").splitlines() if line.strip()]
    actions, number = [], 0
    while number < len(lines):
        try:
            action_line = json.loads(lines[number])
            (action, meta), = action_line.items()
        except (json.JSONDecodeError, ValueError, AttributeError):
            raise SearchError(400, "illegal_argument_exception",
                              f"Malformed action/metadata line [{number + 1}], expected START_OBJECT") from None
        if action not in BULK_ACTIONS:
            raise SearchError(400, "illegal_argument_exception",
                              f"Malformed action/metadata line [{number + 1}], expected one of "
                              f"[{', '.join(BULK_ACTIONS)}] but found [{action}]")
        meta = {"_index": default_index, **meta}
        if not meta["_index"]:
            raise SearchError(400, "action_request_validation_exception", "Validation Failed: 1: index is missing;")
        source = None
        if action != "delete":
            number += 1
            if number >= len(lines):
                raise SearchError(400, "illegal_argument_exception", "The bulk request must be terminated by "
                                                                     "a newline [\\n]")
            try:
                source = json.loads(lines[number])
            except json.JSONDecodeError:
                raise SearchError(400, "parse_exception", f"bulk line [{number + 1}] is not valid JSON") from None
        actions.append((action, meta, source))
        number += 1
    return actions


class SecurityMiddleware:
    """Authenticate before routing, as Elasticsearch's security layer does."""

    def __init__(self, app: ASGIApp, security: Security) -> None:
        self.app, self.security = app, security

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        uri = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        try:
            principal = self.security.authenticate(request.headers.get("authorization"), uri)
        except SearchError as error:
            await _error(error)(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)


class SearchApp:
    def __init__(self, config: dict[str, Any]) -> None:
        profile = Profile(frozenset(config.get("weaknesses", ())))
        self.cluster_name = str(config.get("cluster_name", "harness"))
        self.cluster_uuid = uuid.uuid4().hex[:22]
        self.store = Store()
        self.security = Security(config["password"], allow_anonymous=profile.has("search_anonymous"))
        routes = [
            Route("/", self.info, methods=["GET"]),
            Route("/_cluster/health", self.health, methods=["GET"]),
            Route("/_security/api_key", self.api_key, methods=["POST", "PUT"]),
            Route("/_bulk", self.bulk, methods=["POST", "PUT"]),
            Route("/_search", self.search, methods=["GET", "POST"]),
            Route("/{index}/_bulk", self.bulk, methods=["POST", "PUT"]),
            Route("/{index}/_search", self.search, methods=["GET", "POST"]),
            Route("/{index}/_doc", self.put, methods=["POST"]),
            Route("/{index}/_doc/{id}", self.put, methods=["PUT", "POST"]),
            Route("/{index}/_create/{id}", self.put, methods=["PUT", "POST"]),
            Route("/{index}/_doc/{id}", self.get, methods=["GET"]),
            Route("/{index}/_doc/{id}", self.delete, methods=["DELETE"]),
            Route("/{index}", self.create_index, methods=["PUT"]),
        ]
        router = Starlette(routes=[Route(r.path, self._guarded(r.endpoint), methods=r.methods) for r in routes],
                           exception_handlers={404: _no_handler, 405: _no_handler})
        # X-Elastic-Product on whatever goes out, refusals included (elasticsearch-py requires it).
        self.app = StaticHeaders(SecurityMiddleware(router, self.security), (("X-Elastic-Product", "Elasticsearch"),))

    @staticmethod
    def _guarded(handler: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            try:
                return await handler(request)
            except SearchError as error:
                return _error(error)
        return endpoint

    async def info(self, request: Request) -> Response:
        return _json({"name": "search-0", "cluster_name": self.cluster_name, "cluster_uuid": self.cluster_uuid,
                      "version": {"number": VERSION, "build_flavor": "default", "build_type": "docker",
                                  "build_snapshot": False, "lucene_version": "9.11.1",
                                  "minimum_wire_compatibility_version": "7.17.0",
                                  "minimum_index_compatibility_version": "7.0.0"},
                      "tagline": "You Know, for Search"})

    async def health(self, request: Request) -> Response:
        return _json({"cluster_name": self.cluster_name, **self.store.health()})

    async def api_key(self, request: Request) -> Response:
        return _json(self.security.create_api_key(request.state.principal, await _body(request, required=True)))

    async def put(self, request: Request) -> Response:
        params = request.path_params
        create = request.url.path.split("/")[2] == "_create" or request.query_params.get("op_type") == "create"
        status, body = self.store.put(params["index"], params.get("id"), await _body(request, required=True),
                                      create=create)
        return _json(body, status)

    async def get(self, request: Request) -> Response:
        return _json(*reversed(self.store.get(request.path_params["index"], request.path_params["id"])))

    async def delete(self, request: Request) -> Response:
        return _json(*reversed(self.store.delete(request.path_params["index"], request.path_params["id"])))

    async def create_index(self, request: Request) -> Response:
        return _json(self.store.create_index(request.path_params["index"]))

    async def search(self, request: Request) -> Response:
        body = await _body(request)
        for name in ("from", "size"):
            if name in request.query_params:
                body[name] = request.query_params[name]
        return _json(self.store.search(request.path_params.get("index", "_all"), body))

    async def bulk(self, request: Request) -> Response:
        actions = _bulk_actions(await request.body(), request.path_params.get("index"))
        return _json(self.store.bulk(actions))
