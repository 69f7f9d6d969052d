"""Optimize's public REST API (Optimize API docs, 8.x): dashboards and reports of a collection, report
definition export, and paginated report result export, each with Optimize's status codes.

Every call needs `Authorization: Bearer <JWT>` signed by a key in Identity's JWKS (`api.jwtSetUri`) for
`api.audience`: 401 without or with a bad one. A report is the caller's when one of its tenants is;
another's is 403, an unknown id 404, bad input 400. Result rows are filtered to the caller's tenants and
carry the instance's `variables` as a name-to-value map, as Optimize's raw-data export does.
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

from harness.reference.identity_client import JwksCache, client_id_of
from harness.reference.optimize import seed
from harness.reference.optimize.store import Store
from harness.reference.optimize.tenants import TenantAuthorizer, Tenants, may_see, visible
from harness.reference.profile import Profile

log = logging.getLogger("optimize.api")
MAX_LIMIT = 1000


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def response(self) -> JSONResponse:
        # Optimize's ErrorResponseDto.
        return JSONResponse({"errorCode": self.code, "errorMessage": self.message, "detailedMessage": None},
                            status_code=self.status)


NOT_AUTHORIZED = ApiError(401, "notAuthorizedError", "The request is missing a valid Bearer token.")


@dataclasses.dataclass
class Pagination:
    report_id: str
    offset: int
    expires_at: float


class PublicApi:
    def __init__(self, store: Store, jwks: JwksCache, api: dict[str, Any], authorizer: TenantAuthorizer,
                 profile: Profile) -> None:
        self.store, self.jwks, self.authorizer, self.profile = store, jwks, authorizer, profile
        self.audience, self.issuer = str(api["audience"]), str(api["issuer"])
        self.paginations: dict[str, Pagination] = {}

    async def tenants_of(self, request: Request) -> Tenants:
        """The caller's tenants, or ApiError 401 for a missing or invalid bearer token."""
        if self.profile.has("optimize_api_open"):
            return None  # the API takes anyone, and shows them everything
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NOT_AUTHORIZED
        try:
            claims = await self.jwks.verify(token.strip(), self.audience, self.issuer)
        except jwt.PyJWTError as exc:
            log.info("public API token refused: %s", type(exc).__name__)
            raise NOT_AUTHORIZED from None
        return await self.authorizer.tenants(client_id_of(claims), token.strip())

    async def _report(self, report_id: str, tenants: Tenants) -> dict[str, Any]:
        report = await asyncio.to_thread(self.store.get, seed.REPORT_INDEX, report_id)
        if report is None:
            raise ApiError(404, "notFoundError", f"Report with id [{report_id}] does not exist.")
        if not may_see(tenants, report["tenantIds"]):
            raise ApiError(403, "forbiddenError", f"User is not authorized to access report [{report_id}].")
        return report

    @staticmethod
    def _collection(request: Request) -> str:
        collection_id = request.query_params.get("collectionId", "")
        if not collection_id:
            raise ApiError(400, "badRequestError", "The query parameter collectionId is required.")
        return collection_id

    async def dashboards(self, request: Request) -> Response:
        """GET /api/public/dashboard?collectionId=: the dashboard ids of a collection (none if unknown)."""
        await self.tenants_of(request)
        _, found = await asyncio.to_thread(self.store.search, seed.DASHBOARD_INDEX,
                                           {"term": {"collectionId": self._collection(request)}})
        return JSONResponse([{"id": dashboard["id"]} for dashboard in found])

    async def reports(self, request: Request) -> Response:
        """GET /api/public/report?collectionId=: the ids of the collection's reports the caller may see."""
        tenants = await self.tenants_of(request)
        _, found = await asyncio.to_thread(self.store.search, seed.REPORT_INDEX,
                                           {"term": {"collectionId": self._collection(request)}}, sort="id")
        return JSONResponse([{"id": report["id"]} for report in found if may_see(tenants, report["tenantIds"])])

    async def export_definitions(self, request: Request) -> Response:
        """POST /api/public/export/report/definition/json with a JSON array of report ids."""
        tenants = await self.tenants_of(request)
        try:
            report_ids = json.loads(await request.body())
        except (json.JSONDecodeError, UnicodeDecodeError):
            report_ids = None
        if not isinstance(report_ids, list) or not all(isinstance(i, str) for i in report_ids):
            raise ApiError(400, "badRequestError", "The request body must be a JSON array of report IDs.")
        exported = []
        for report_id in report_ids:
            report = await self._report(report_id, tenants)
            exported.append({"id": report["id"], "exportEntityType": "single_process_report",
                             "name": report["name"], "sourceIndexVersion": 10,
                             "collectionId": report["collectionId"],
                             "data": {"definitions": [{"key": report["definitionKey"], "versions": ["all"],
                                                       "tenantIds": report["tenantIds"]}],
                                      "view": {"entity": None, "properties": ["rawData"]},
                                      "visualization": "table"}})
        return JSONResponse(exported)

    @staticmethod
    def _definition_keys(report: dict[str, Any]) -> list[str]:
        """The report's process definitions; none named means every process."""
        return [report["definitionKey"]] if report["definitionKey"] else []

    @staticmethod
    def _positive_int(request: Request, name: str, highest: int | None = None) -> int:
        value = request.query_params.get(name, "")
        if not value.isdigit() or int(value) < 1 or (highest is not None and int(value) > highest):
            bound = f" from 1 to {highest}" if highest else " of at least 1"
            raise ApiError(400, "badRequestError", f"The query parameter {name} must be a whole number{bound}.")
        return int(value)

    async def export_result(self, request: Request) -> Response:
        """GET /api/public/export/report/{id}/result/json?limit=&paginationTimeout=[&searchRequestId=]."""
        tenants = await self.tenants_of(request)
        limit = self._positive_int(request, "limit", MAX_LIMIT)
        timeout_min = self._positive_int(request, "paginationTimeout")
        report = await self._report(request.path_params["report_id"], tenants)
        search_request_id = request.query_params.get("searchRequestId")
        if search_request_id is None:
            search_request_id, offset = secrets.token_urlsafe(16), 0
        else:
            pagination = self.paginations.get(search_request_id)
            if pagination is None or pagination.report_id != report["id"] or pagination.expires_at < time.monotonic():
                raise ApiError(400, "badRequestError", "The searchRequestId is unknown or has expired.")
            offset = pagination.offset
        keys = self._definition_keys(report)
        query = {"bool": {"filter": [{"terms": {"tenantId": visible(tenants, report["tenantIds"])}},
                                     *([{"terms": {"processDefinitionKey": keys}}] if keys else [])]}}
        total, found = await asyncio.to_thread(self.store.search, seed.INSTANCE_INDEX, query, offset, limit,
                                               "processInstanceId")
        rows = [{**row, "variables": {v["name"]: v["value"] for v in row.get("variables", [])}} for row in found]
        self.paginations[search_request_id] = Pagination(report["id"], offset + len(rows),
                                                         time.monotonic() + 60 * timeout_min)
        return JSONResponse({"reportId": report["id"], "searchRequestId": search_request_id,
                             "numberOfRecordsInResponse": len(rows), "totalNumberOfRecords": total, "data": rows})
