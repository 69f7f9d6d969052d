"""Waivers, InSpec-style: a YAML mapping of check id to justification and expiration date.

A waived check still runs; while its waiver holds, a failure shows as `waived` instead of failing the
run, and from the day after `expiration_date` it fails again, so an accepted risk cannot be forgotten.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from harness.errors import UsageError
from harness.user_files import load_yaml


class _Entry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    justification: str = Field(min_length=1)
    expiration_date: datetime.date
    run: bool = True


@dataclasses.dataclass(frozen=True)
class Waiver:
    check_id: str
    justification: str
    expiration_date: datetime.date
    run: bool = True

    def active(self, today: datetime.date) -> bool:
        """In force through its expiration date, as InSpec reads it."""
        return today <= self.expiration_date

    def as_dict(self, today: datetime.date) -> dict[str, Any]:
        return {"justification": self.justification, "expiration_date": self.expiration_date.isoformat(),
                "expired": not self.active(today)}


def parse(data: Any, known_ids: Collection[str], source: str) -> dict[str, Waiver]:
    if not isinstance(data, Mapping):
        raise UsageError(f"--waivers: {source}: the top level must map check ids to waivers")
    waivers = {}
    for check_id, fields in data.items():
        if check_id not in known_ids:
            raise UsageError(f"--waivers: {source}: unknown check id {check_id!r} (see `harness list-checks`)")
        try:
            entry = _Entry.model_validate(fields)
        except pydantic.ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or "waiver"
            raise UsageError(f"--waivers: {source}: {check_id}.{field}: {first['msg']}") from None
        waivers[check_id] = Waiver(check_id, entry.justification, entry.expiration_date, entry.run)
    return waivers


def load(path: Path, known_ids: Collection[str]) -> dict[str, Waiver]:
    return parse(load_yaml(path, "--waivers") or {}, known_ids, str(path))
