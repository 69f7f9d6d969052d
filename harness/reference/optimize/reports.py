"""What both of Optimize's report APIs share: its error body, a report looked up by id, the report's
definition as Optimize serializes it, and the raw-data rows a report's definitions select.

A report's rows are the instances of its definitions in the report's own tenants: Optimize's query takes the
tenants from the report definition, never from the caller (who is authorized, or not, before it runs).
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.responses import JSONResponse

from harness.reference.optimize import seed
from harness.reference.optimize.store import Store


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def response(self) -> JSONResponse:
        # Optimize's ErrorResponseDto.
        return JSONResponse({"errorCode": self.code, "errorMessage": self.message, "detailedMessage": None},
                            status_code=self.status)


async def report_by_id(store: Store, report_id: str) -> dict[str, Any]:
    """The stored report, or ApiError 404."""
    report = await asyncio.to_thread(store.get, seed.REPORT_INDEX, report_id)
    if report is None:
        raise ApiError(404, "notFoundError", f"Report with id [{report_id}] does not exist.")
    return report


def report_data(report: dict[str, Any]) -> dict[str, Any]:
    """The report's `data` as Optimize serializes a raw-data process report: its definitions and tenants.
    `definitionKey` None stands for a report over every process of its tenants (Optimize would list each
    definition with the same tenants, which authorizes the same way)."""
    return {"definitions": [{"key": report["definitionKey"], "versions": ["all"], "tenantIds": report["tenantIds"]}],
            "view": {"entity": None, "properties": ["rawData"]}, "visualization": "table"}


def rows_query(report: dict[str, Any]) -> dict[str, Any]:
    """The instances the report selects: its definitions, in its tenants."""
    keys = [report["definitionKey"]] if report["definitionKey"] else []
    return {"bool": {"filter": [{"terms": {"tenantId": report["tenantIds"]}},
                                *([{"terms": {"processDefinitionKey": keys}}] if keys else [])]}}


async def report_rows(store: Store, report: dict[str, Any], offset: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
    """(total, one page of raw-data rows), each with its `variables` as a name-to-value map."""
    total, found = await asyncio.to_thread(store.search, seed.INSTANCE_INDEX, rows_query(report), offset, limit,
                                           "processInstanceId")
    return total, [{**row, "variables": {v["name"]: v["value"] for v in row.get("variables", [])}} for row in found]
