"""What a logged-in user of a tenant sees in Optimize: the reports it is shown in the declared collections,
each report's evaluated rows (all pages), and the reports that belong only to tenants another user lacks.

Optimize applies tenant rules to its web app's users, not to its public API (which gives any holder of its
audience every tenant's data), so tenant isolation is judged through a user's session here."""

from __future__ import annotations

import dataclasses

from harness.clients.optimize import OptimizeUser, Rows
from harness.config import Optimize
from harness.outcome import PositiveControlFailed


@dataclasses.dataclass(frozen=True)
class Seen:
    listing_status: dict[str, int]
    rows: dict[str, Rows]

    def tenants(self) -> set[str]:
        return {tenant for rows in self.rows.values() for tenant in rows.tenants}

    def evidence(self) -> dict[str, object]:
        return {"listing_status": self.listing_status,
                "reports": {rid: {"status": rows.status, "rows_per_tenant": rows.per_tenant()}
                            for rid, rows in sorted(self.rows.items())}}


def listed_reports(user: OptimizeUser, optimize: Optimize) -> tuple[dict[str, int], list[str]]:
    """The listing status per declared collection, and the ids of every report the user is shown."""
    listing: dict[str, int] = {}
    report_ids: list[str] = []
    for collection_id in optimize.collection_ids:
        listing[collection_id], ids = user.report_ids(collection_id)
        report_ids += ids
    return listing, report_ids


def everything_seen(user: OptimizeUser, optimize: Optimize, report_ids: list[str] | None = None) -> Seen:
    """List the collections' reports (or take `report_ids`) and evaluate every row of each."""
    listing: dict[str, int] = {}
    if report_ids is None:
        listing, report_ids = listed_reports(user, optimize)
    return Seen(listing, {rid: user.rows(rid) for rid in report_ids})


def reports_only_of_others(owner: OptimizeUser, optimize: Optimize, outsider_tenants: set[str]) -> list[str]:
    """Reports `owner` is shown whose tenants all lie outside `outsider_tenants` (from their definitions)."""
    _, ids = listed_reports(owner, optimize)
    others = []
    for report_id in ids:
        status, tenants = owner.report_tenants(report_id)
        if status != 200:
            raise PositiveControlFailed(f"reading the definition of its own report {report_id} got {status}")
        if tenants and not tenants & outsider_tenants:
            others.append(report_id)
    return others
