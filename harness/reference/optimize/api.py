"""Optimize's public REST API (Optimize API docs, 8.x): dashboards and reports of a collection, report
definition export, and paginated report result export, each with Optimize's status codes.

Every call needs `Authorization: Bearer <JWT>` signed by a key in Identity's JWKS (`api.jwtSetUri`) whose
`aud` is or contains `api.audience`: the security chain (headers.py) answers 401 without or with a bad
one. Past that, the public API authorizes
nobody: it lists every report of a collection, exports any report's definition and evaluates any report
with every row of the report's tenants (camunda/camunda `optimize/.../rest/PublicApiRestService.java`,
`service/export/JsonReportResultExportService.java`, `service/db/report/PlainReportEvaluationHandler.java`,
which grants every caller VIEWER). Who may read it is decided by who can get a token for its audience.
An unknown id is 404, bad input 400; result rows carry the instance's `variables` as a name-to-value map,
as Optimize's raw-data export does.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import secrets
import time
from typing import Any

import jwt
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from harness.reference.identity_client import JwksCache
from harness.reference.optimize import seed
from harness.reference.optimize.reports import ApiError, report_by_id, report_data, report_rows
from harness.reference.optimize.store import Store
from harness.reference.profile import Profile

log = logging.getLogger("optimize.api")
MAX_LIMIT = 1000


@dataclasses.dataclass
class Pagination:
    report_id: str
    offset: int
    expires_at: float


class PublicApi:
    def __init__(self, store: Store, jwks: JwksCache, api: dict[str, Any], profile: Profile) -> None:
        self.store, self.jwks, self.profile = store, jwks, profile
        self.audience, self.issuer = str(api["audience"]), str(api["issuer"])
        self.paginations: dict[str, Pagination] = {}

    async def authenticated(self, request: Request) -> bool:
        """Whether the request carries a valid bearer token for `api.audience` (an `aud` array containing it
        counts, as Spring's audience validator reads it). The security chain asks before any handler runs."""
        if self.profile.has("optimize_api_open"):
            return True
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return False
        try:
            await self.jwks.verify(token.strip(), self.audience, self.issuer,
                                   audience_only=self.profile.has("optimize_exp_ignored"))
        except jwt.PyJWTError as exc:
            log.info("public API token refused: %s", type(exc).__name__)
            return False
        return True

    @staticmethod
    def _collection(request: Request) -> str:
        collection_id = request.query_params.get("collectionId", "")
        if not collection_id:
            raise ApiError(400, "badRequestError", "The query parameter collectionId is required.")
        return collection_id

    async def dashboards(self, request: Request) -> Response:
        """GET /api/public/dashboard?collectionId=: the dashboard ids of a collection (none if unknown)."""
        _, found = await asyncio.to_thread(self.store.search, seed.DASHBOARD_INDEX,
                                           {"term": {"collectionId": self._collection(request)}})
        return JSONResponse([{"id": dashboard["id"]} for dashboard in found])

    async def reports(self, request: Request) -> Response:
        """GET /api/public/report?collectionId=: the ids of every report of the collection."""
        _, found = await asyncio.to_thread(self.store.search, seed.REPORT_INDEX,
                                           {"term": {"collectionId": self._collection(request)}}, sort="id")
        return JSONResponse([{"id": report["id"]} for report in found])

    async def export_definitions(self, request: Request) -> Response:
        """POST /api/public/export/report/definition/json with a JSON array of report ids."""
        try:
            report_ids = json.loads(await request.body())
        except (json.JSONDecodeError, UnicodeDecodeError):
            report_ids = None
        if not isinstance(report_ids, list) or not all(isinstance(i, str) for i in report_ids):
            raise ApiError(400, "badRequestError", "The request body must be a JSON array of report IDs.")
        exported = []
        for report_id in report_ids:
            report = await report_by_id(self.store, report_id)
            exported.append({"id": report["id"], "exportEntityType": "single_process_report",
                             "name": report["name"], "sourceIndexVersion": 10,
                             "collectionId": report["collectionId"], "data": report_data(report)})
        return JSONResponse(exported)

    @staticmethod
    def _positive_int(request: Request, name: str, highest: int | None = None) -> int:
        value = request.query_params.get(name, "")
        if not value.isdigit() or int(value) < 1 or (highest is not None and int(value) > highest):
            bound = f" from 1 to {highest}" if highest else " of at least 1"
            raise ApiError(400, "badRequestError", f"The query parameter {name} must be a whole number{bound}.")
        return int(value)

    async def export_result(self, request: Request) -> Response:
        """GET /api/public/export/report/{id}/result/json?limit=&paginationTimeout=[&searchRequestId=]."""
        limit = self._positive_int(request, "limit", MAX_LIMIT)
        timeout_min = self._positive_int(request, "paginationTimeout")
        report = await report_by_id(self.store, request.path_params["report_id"])
        search_request_id = request.query_params.get("searchRequestId")
        if search_request_id is None:
            search_request_id, offset = secrets.token_urlsafe(16), 0
        else:
            pagination = self.paginations.get(search_request_id)
            if pagination is None or pagination.report_id != report["id"] or pagination.expires_at < time.monotonic():
                raise ApiError(400, "badRequestError", "The searchRequestId is unknown or has expired.")
            offset = pagination.offset
        total, rows = await report_rows(self.store, report, offset, limit)
        self.paginations[search_request_id] = Pagination(report["id"], offset + len(rows),
                                                         time.monotonic() + 60 * timeout_min)
        return JSONResponse({"reportId": report["id"], "searchRequestId": search_request_id,
                             "numberOfRecordsInResponse": len(rows), "totalNumberOfRecords": total, "data": rows})
