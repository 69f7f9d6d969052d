"""Search requests and pages as the REST API v2 shapes them: each `filter` property is a value matched exactly
or an advanced filter (`$eq`, `$neq`, `$exists`, `$in`, `$notIn`, `$like` with `*` and `?` wildcards and backslash
escapes: the API's AdvancedStringFilter as camunda-orchestration-sdk 10's model documents it); the answer is
`items` with a `page` (one page: the emulator's data is small)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

from starlette.responses import JSONResponse

from harness.reference.orchestration.bodies import BadRequest


def page(items: list[dict[str, Any]], total: int | None = None) -> JSONResponse:
    """`total` counts the matches beyond the page's limit."""
    return JSONResponse({"items": items, "page": {"totalItems": len(items) if total is None else total,
                                                  "hasMoreTotalItems": False, "startCursor": None, "endCursor": None}})


def like(pattern: str) -> re.Pattern[str]:
    """`$like`: `*` any run of characters, `?` one, a backslash makes the next character literal."""
    parts = re.findall(r"\\.|.", pattern, flags=re.DOTALL)
    return re.compile("".join(".*" if part == "*" else "." if part == "?" else re.escape(part[-1]) for part in parts),
                      flags=re.DOTALL)


OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "$eq": lambda value, arg: value == arg,
    "$neq": lambda value, arg: value != arg,
    "$exists": lambda value, arg: (value is not None) == bool(arg),
    "$in": lambda value, arg: isinstance(arg, list) and value in arg,
    "$notIn": lambda value, arg: isinstance(arg, list) and value not in arg,
    "$like": lambda value, arg: isinstance(value, str) and isinstance(arg, str) and like(arg).fullmatch(value) is not None,
}


def matches(value: Any, wanted: Any, field: str) -> bool:
    if not isinstance(wanted, dict):
        return bool(value == wanted)
    unknown = sorted(set(wanted) - set(OPERATORS))
    if unknown:  # ASSUMED, not read in the product: it may instead ignore an operator it does not know
        raise BadRequest(f"Request property [filter.{field}] has an unknown operator {unknown[0]}")
    return all(OPERATORS[operator](value, arg) for operator, arg in wanted.items())


def filtered(items: list[dict[str, Any]], body: dict[str, Any]) -> list[dict[str, Any]]:
    wanted = body.get("filter") or {}
    if not isinstance(wanted, dict):
        raise BadRequest("Request property [filter] must be an object")
    return [item for item in items if all(matches(item.get(k), v, k) for k, v in wanted.items())]


def iso_time(epoch_ms: int) -> str:
    """A timestamp as the API writes one: ISO 8601, milliseconds, UTC as `Z`."""
    moment = datetime.datetime.fromtimestamp(epoch_ms / 1000, tz=datetime.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
