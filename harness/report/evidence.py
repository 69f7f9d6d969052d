"""Evidence a check records, and the redaction every report applies before writing it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

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


class Redactor:
    """Removes known secret values, bearer credentials and anything shaped like a JWT."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()

    def add_secrets(self, values: Iterable[str]) -> None:
        self._secrets.update(v for v in values if len(v) >= MIN_SECRET_LENGTH)

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
