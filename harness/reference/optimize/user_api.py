"""The API Optimize's web app calls for a logged-in user (session cookie `X-Optimize-Authorization`), where
Optimize applies its tenant rules (camunda/camunda `optimize/.../rest/ReportRestService.java`,
`rest/CollectionRestService.java`, `service/security/ReportAuthorizationService.java`):

- `GET /api/collection/{id}/entities`: the collection's dashboards, and the reports the user may access;
- `GET /api/report/{id}`: the report's definition, 403 when the user may not access it;
- `POST /api/report/{id}/evaluate?offset=&limit=`: a raw-data result page, 403 likewise
  (`AuthorizationCheckReportEvaluationHandler`: "User [...] is not authorized to evaluate report [...]").

No session is 401 (Spring Security's `HttpStatusEntryPoint` for `/api/**`), an unknown id 404. A user may
access a report when it may see every tenant of it (tenants.py); the collection role every user is taken
to hold (VIEWER) is not modelled further.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from harness.reference.optimize import seed
from harness.reference.optimize.reports import ApiError, report_by_id, report_data, report_rows
from harness.reference.optimize.session import COOKIE, Session, Sessions
from harness.reference.optimize.store import Store
from harness.reference.optimize.tenants import TenantAuthorizer, Tenants, may_see_all

DEFAULT_LIMIT = 20
MAX_LIMIT = 10_000
VIEWER = "viewer"


class UserApi:
    def __init__(self, store: Store, sessions: Sessions, authorizer: TenantAuthorizer) -> None:
        self.store, self.sessions, self.authorizer = store, sessions, authorizer

    def session(self, request: Request) -> Session:
        session = self.sessions.get(request.cookies.get(COOKIE))
        if session is None:
            raise ApiError(401, "notAuthorizedError", "The request is not authenticated.")
        return session

    async def _tenants(self, request: Request) -> tuple[Session, Tenants]:
        session = self.session(request)
        return session, await self.authorizer.tenants(session.client_id, session.token)

    async def _authorized_report(self, request: Request) -> tuple[Session, dict[str, Any]]:
        session, tenants = await self._tenants(request)
        report = await report_by_id(self.store, request.path_params["report_id"])
        if not may_see_all(tenants, report["tenantIds"]):
            raise ApiError(403, "forbiddenError",
                           f"User [{session.client_id}] is not authorized to evaluate report [{report['name']}].")
        return session, report

    @staticmethod
    def _definition(report: dict[str, Any]) -> dict[str, Any]:
        return {"id": report["id"], "name": report["name"], "collectionId": report["collectionId"],
                "reportType": "process", "combined": False, "data": report_data(report), "currentUserRole": VIEWER}

    async def collection_entities(self, request: Request) -> Response:
        _, tenants = await self._tenants(request)
        query = {"term": {"collectionId": request.path_params["collection_id"]}}
        _, reports = await asyncio.to_thread(self.store.search, seed.REPORT_INDEX, query, sort="id")
        _, dashboards = await asyncio.to_thread(self.store.search, seed.DASHBOARD_INDEX, query)
        entities = [{"id": d["id"], "name": d["name"], "entityType": "dashboard", "currentUserRole": VIEWER}
                    for d in dashboards]
        entities += [{"id": r["id"], "name": r["name"], "entityType": "report", "reportType": "process",
                      "combined": False, "currentUserRole": VIEWER}
                     for r in reports if may_see_all(tenants, r["tenantIds"])]
        return JSONResponse(entities)

    async def report(self, request: Request) -> Response:
        _, report = await self._authorized_report(request)
        return JSONResponse(self._definition(report))

    @staticmethod
    def _page(request: Request) -> tuple[int, int]:
        offset, limit = request.query_params.get("offset", "0"), request.query_params.get("limit", str(DEFAULT_LIMIT))
        if not offset.isdigit() or not limit.isdigit() or not 0 < int(limit) <= MAX_LIMIT:
            raise ApiError(400, "badRequestError", f"offset must be >= 0 and limit from 1 to {MAX_LIMIT}.")
        return int(offset), int(limit)

    async def evaluate(self, request: Request) -> Response:
        _, report = await self._authorized_report(request)
        offset, limit = self._page(request)
        total, rows = await report_rows(self.store, report, offset, limit)
        return JSONResponse({"reportDefinition": self._definition(report), "currentUserRole": VIEWER,
                             "result": {"instanceCount": total, "instanceCountWithoutFilters": total, "type": "raw",
                                        "pagination": {"offset": offset, "limit": limit},
                                        "measures": [{"property": "rawData", "aggregationType": None,
                                                      "userTaskDurationTime": None, "data": rows, "type": "raw"}]}})
