"""Evidence a check records, and the redaction every report applies before writing it."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

REDACTED = "[REDACTED]"
# A JWT, or a fragment of one: pytest's repr of a long argument elides its middle with "...", and the
# tail it keeps is signature material, so everything from the `eyJ` ('{"' in base64url) onward goes.
JWT_SHAPE = re.compile(r"eyJ[A-Za-z0-9_-]{4,}(?:\.{1,3}[A-Za-z0-9_-]*)*")
# A credential after the scheme is at least 8 characters, so prose like "bearer token" stays readable.
BEARER = re.compile(r"(?i)\b(bearer|basic|apikey)\s+[A-Za-z0-9._~+/=-]{8,}")
MIN_SECRET_LENGTH = 6


class Evidence:
    """Facts a check saw (status codes, headers, versions, timings), keyed by what they are."""

    KEY = pytest.StashKey["Evidence"]()

    def __init__(self) -> None:
        self._facts: dict[str, Any] = {}

    def record(self, **facts: Any) -> None:
        self._facts.update(facts)

    def as_dict(self) -> dict[str, Any]:
        return dict(self._facts)


def _base64_runs(secret: bytes) -> set[str]:
    """The base64 characters that encode only the secret's bytes, at each of the three alignments it can
    have inside a longer value (`client:secret` in an HTTP Basic header, a secret inside a JSON body)."""
    runs = set()
    for offset in range(3):
        encoded = base64.b64encode(bytes(offset) + secret).decode()
        first_group, end_group = -(-offset // 3), (offset + len(secret)) // 3
        runs.add(encoded[4 * first_group:4 * end_group])
    return runs


def encodings(secret: str) -> set[str]:
    """Every form a secret takes on its way out: raw, percent-encoded (both ways, as in a URL or a form
    body), JSON- and repr-escaped (a logged dict, a traceback's locals), and base64."""
    forms = {secret, quote(secret, safe=""), quote(secret), quote_plus(secret), json.dumps(secret)[1:-1],
             json.dumps(secret, ensure_ascii=False)[1:-1], repr(secret)[1:-1], repr(secret.encode())[2:-1]}
    forms |= _base64_runs(secret.encode())
    return {form for form in forms if len(form) >= MIN_SECRET_LENGTH}


class Redactor:
    """Removes known secret values in every encoding, bearer credentials and anything shaped like a JWT."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()

    def add_secrets(self, values: Iterable[str]) -> None:
        for value in values:
            if len(value) >= MIN_SECRET_LENGTH:
                self._secrets |= encodings(value)

    def text(self, value: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            value = value.replace(secret, REDACTED)
        value = BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", value)
        return JWT_SHAPE.sub(REDACTED, value)

    def __call__(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(str(k)): self(v) for k, v in value.items()}
        if isinstance(value, tuple):  # pytest's skip location is a tuple and must stay one
            return tuple(self(v) for v in value)
        if isinstance(value, list | set | frozenset):
            return [self(v) for v in value]
        return value
