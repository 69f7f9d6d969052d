"""Reading request bodies the way the REST API v2 validates them: a refusal is 400 INVALID_ARGUMENT."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from harness.reference.zeebe.engine import DEFAULT_TENANT


class BadRequest(Exception):
    """A request the API refuses with 400 INVALID_ARGUMENT."""


def tenant(value: object, request_name: str) -> str:
    """The request's tenant; with multi-tenancy checks off only `<default>` (or none) is accepted."""
    if value in (None, "", DEFAULT_TENANT):
        return DEFAULT_TENANT
    raise BadRequest(f"Expected to handle request {request_name} with tenant identifier '{value}', but "
                     "multi-tenancy is disabled")


def required(body: dict[str, Any], *fields: str) -> list[str]:
    """The named string fields, refused together when any is missing or empty."""
    missing = [field for field in fields if not body.get(field)]
    if missing:
        raise BadRequest(" ".join(f"No {field} provided." for field in missing))
    return [str(body[field]) for field in fields]


def number(value: object, name: str) -> int:
    """A number the request gives as a JSON number or a string (v2 keys are strings)."""
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise BadRequest(f"The provided {name} '{value}' is not a number") from None


def document(value: object, name: str) -> dict[str, Any]:
    """A JSON object property such as `variables`; absent is empty."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequest(f"Property '{name}' is invalid: Expected document to be a root level object")
    return value


async def json_body(request: Request) -> dict[str, Any]:
    body = await request.body()
    try:
        value = json.loads(body) if body.strip() else {}
    except ValueError:
        raise BadRequest("Request property [body] cannot be parsed") from None
    if not isinstance(value, dict):
        raise BadRequest("Request property [body] must be a JSON object")
    return value
