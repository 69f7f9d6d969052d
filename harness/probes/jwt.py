"""JWT forgeries, built by hand from a genuine token: libraries refuse to produce most of them."""

from __future__ import annotations

import base64
import json
from typing import Any


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_json(value: dict[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def decode_part(segment: str) -> dict[str, Any]:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def split(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    """(header, claims, signature) of a compact JWS."""
    header, claims, signature = token.split(".")
    return decode_part(header), decode_part(claims), signature


def alg_none(genuine: str, alg: str = "none") -> str:
    """The genuine token's claims under `alg: none` and no signature."""
    _, claims, _ = split(genuine)
    return f"{b64url_json({'alg': alg, 'typ': 'JWT'})}.{b64url_json(claims)}."
