"""Search requests and pages as the REST API v2 shapes them: `filter` matches fields exactly, the answer is
`items` with a `page` (one page: the emulator's data is small)."""

from __future__ import annotations

import datetime
from typing import Any

from starlette.responses import JSONResponse

from harness.reference.orchestration.bodies import BadRequest


def page(items: list[dict[str, Any]], total: int | None = None) -> JSONResponse:
    """`total` counts the matches beyond the page's limit."""
    return JSONResponse({"items": items, "page": {"totalItems": len(items) if total is None else total,
                                                  "hasMoreTotalItems": False, "startCursor": None, "endCursor": None}})


def filtered(items: list[dict[str, Any]], body: dict[str, Any]) -> list[dict[str, Any]]:
    wanted = body.get("filter") or {}
    if not isinstance(wanted, dict):
        raise BadRequest("Request property [filter] must be an object")
    return [item for item in items if all(item.get(k) == v for k, v in wanted.items())]


def iso_time(epoch_ms: int) -> str:
    """A timestamp as the API writes one: ISO 8601, milliseconds, UTC as `Z`."""
    moment = datetime.datetime.fromtimestamp(epoch_ms / 1000, tz=datetime.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
