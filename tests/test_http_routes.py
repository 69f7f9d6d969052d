"""Routes come from an API's description (OpenAPI 3), shipped route tables parse and cite their source, and
the refusal judgement tells a refusal, a route the version lacks and a route that was reached apart."""

from __future__ import annotations

import pytest

from harness.probes import http_routes
from harness.probes.endpoints import KINDS
from harness.probes.http_routes import RouteAnswer

DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": "Orders", "x-source": "example/orders openapi.yaml"},
    "paths": {
        "/v2/orders/search": {"post": {"x-representative": True}},
        "/v2/orders/{orderKey}": {
            "parameters": [{"name": "orderKey", "in": "path", "example": "42"}],
            "get": {}, "delete": {"parameters": [{"name": "force", "in": "query", "example": "{flag}"}]}},
        "/v2/orders/{orderKey}/items/{itemId}": {"patch": {"requestBody": {"$ref": "#/components/requestBodies/Note"}}},
        "/v2/status": {"get": {"security": []}},
    },
    "components": {"requestBodies": {"Note": {"content": {"application/json": {"example": {"note": "{flag}"}}}}}},
    "security": [{"BearerAuth": []}],
}


def test_an_openapi_document_gives_one_route_per_path_and_method() -> None:
    api = http_routes.from_openapi(DOCUMENT, {"flag": "yes"})
    assert [route.name for route in api.routes] == [
        "POST /v2/orders/search", "GET /v2/orders/{orderKey}", "DELETE /v2/orders/{orderKey}",
        "PATCH /v2/orders/{orderKey}/items/{itemId}", "GET /v2/status"]
    assert [route.name for route in api.routes if route.public] == ["GET /v2/status"], "security: [] is public"
    assert len(api.guarded) == 4
    assert api.representative.name == "POST /v2/orders/search" and api.representative.body == {}
    delete = api.routes[2]
    assert delete.path == "/v2/orders/42" and delete.query == (("force", "yes"),) and delete.body is None
    patch = api.routes[3]
    assert patch.path == f"/v2/orders/{http_routes.PROBE_VALUE}/items/{http_routes.PROBE_VALUE}"
    assert patch.body == {"note": "yes"}
    assert api.prefix == "/v2/" and api.source == "example/orders openapi.yaml"


def test_a_description_without_guarded_routes_is_refused() -> None:
    with pytest.raises(ValueError, match="no routes that need credentials"):
        http_routes.from_openapi({"openapi": "3.0.3", "paths": {"/status": {"get": {"security": []}}}})


@pytest.mark.parametrize("table", sorted({kind.routes for kind in KINDS.values() if kind.routes}))
def test_shipped_route_tables_parse_and_cite_the_product_source(table: str) -> None:
    api = http_routes.load(table)
    assert api.source and len(api.routes) >= 10, table
    assert sum(route.representative for route in api.routes) == 1, f"{table}: one representative route"
    assert len({route.name for route in api.routes}) == len(api.routes)
    assert all("{" not in route.path for route in api.routes), "every path parameter is filled"


def test_refused_not_served_and_reached_are_told_apart() -> None:
    unknown_404 = RouteAnswer(404, "Not Found")
    assert RouteAnswer(401, "").refused and RouteAnswer(403, "").refused
    assert not http_routes.served(RouteAnswer(404, "Not Found"), unknown_404)
    assert not http_routes.served(RouteAnswer(405, "Method Not Allowed"), unknown_404)
    # A 404 of the route's own (an unknown key looked up by a handler that was reached) is not a refusal.
    assert http_routes.served(RouteAnswer(404, '{"message": "no such key"}'), unknown_404)
    assert http_routes.served(RouteAnswer(200, "[]"), unknown_404)
    # An API that guards its whole prefix refuses an unknown route: then no 404 passes for "not served".
    assert http_routes.served(RouteAnswer(404, "Not Found"), RouteAnswer(401, ""))
