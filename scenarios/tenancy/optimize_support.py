"""What a client can read from Optimize: every report it can list in the declared collections, each
report's result rows (all pages), and the reports that belong only to tenants another client lacks."""

from __future__ import annotations

import dataclasses

from harness.backends import Stack
from harness.clients.optimize import OptimizeApi, Rows, api_as
from harness.config import Optimize
from harness.outcome import PositiveControlFailed


@dataclasses.dataclass(frozen=True)
class Seen:
    listing_status: dict[str, int]
    definitions_status: int
    rows: dict[str, Rows]

    def tenants(self) -> set[str]:
        return {tenant for rows in self.rows.values() for tenant in rows.tenants}

    def evidence(self) -> dict[str, object]:
        return {"listing_status": self.listing_status, "definitions_export_status": self.definitions_status,
                "reports": {rid: {"status": rows.status, "rows_per_tenant": rows.per_tenant()}
                            for rid, rows in sorted(self.rows.items())}}


def listed_reports(api: OptimizeApi, optimize: Optimize) -> tuple[dict[str, int], list[str]]:
    """The listing status per declared collection, and the ids of every report listed."""
    listing: dict[str, int] = {}
    report_ids: list[str] = []
    for collection_id in optimize.collection_ids:
        listing[collection_id], ids = api.report_ids(collection_id)
        report_ids += ids
    return listing, report_ids


def everything_seen(api: OptimizeApi, optimize: Optimize, report_ids: list[str] | None = None) -> Seen:
    """List the collections' reports (or take `report_ids`), export their definitions and all their rows."""
    listing: dict[str, int] = {}
    if report_ids is None:
        listing, report_ids = listed_reports(api, optimize)
    definitions_status, _ = api.export_definitions(report_ids)
    return Seen(listing, definitions_status, {rid: api.rows(rid) for rid in report_ids})


def reports_only_of_others(stack: Stack, optimize: Optimize, owner: str, outsider_tenants: set[str]) -> list[str]:
    """Reports `owner` can see whose tenants are all outside `outsider_tenants` (from the definition export)."""
    api = api_as(stack, owner)
    _, ids = listed_reports(api, optimize)
    status, definitions = api.export_definitions(ids)
    if status != 200:
        raise PositiveControlFailed(f"{owner} exporting its own report definitions got {status}")
    return [d["id"] for d in definitions
            if all(not set(definition.get("tenantIds") or []) & outsider_tenants
                   for definition in d["data"]["definitions"])]
