"""What the Optimize emulator finds in Elasticsearch at start, as if imported from Zeebe.

Process instances of three tenants (`tenant-a`, `tenant-b`, `<default>`) for two processes, one raw-data
report per tenant on `invoice`, one report over all three tenants on `order` (so row-level tenant
filtering is tested, not only report-level), and one raw-data report per tenant over every process
(`definitionKey` None: what an operator keeps to see instances the import brings, such as the secrets
scenario's), all in one shared collection with one dashboard. Ids are
fixed, so seeding again (a restart) overwrites instead of duplicating.
"""

from __future__ import annotations

from typing import Any

from harness.reference.zeebe.engine import DEFAULT_TENANT

TENANTS = ("tenant-a", "tenant-b", DEFAULT_TENANT)
COLLECTION_ID = "harness-collection"
DASHBOARD_ID = "harness-dashboard"
PROCESSES = ("invoice", "order")
INSTANCES_PER_TENANT_AND_PROCESS = 6
INSTANCE_INDEX = "optimize-process-instance"
REPORT_INDEX = "optimize-single-process-report"
DASHBOARD_INDEX = "optimize-dashboard"
CROSS_TENANT_REPORT = "report-order-all-tenants"
START_MS = 1_700_000_000_000


def slug(tenant: str) -> str:
    return "default" if tenant == DEFAULT_TENANT else tenant


def report_id(tenant: str) -> str:
    return f"report-invoice-{slug(tenant)}"


def all_processes_report_id(tenant: str) -> str:
    return f"report-all-processes-{slug(tenant)}"


def reports() -> list[dict[str, Any]]:
    per_tenant = [{"id": report_id(t), "name": f"Invoices of {t}", "collectionId": COLLECTION_ID,
                   "definitionKey": "invoice", "tenantIds": [t]} for t in TENANTS]
    shared = {"id": CROSS_TENANT_REPORT, "name": "Orders of every tenant", "collectionId": COLLECTION_ID,
              "definitionKey": "order", "tenantIds": list(TENANTS)}
    every_process = [{"id": all_processes_report_id(t), "name": f"Every process of {t}", "collectionId": COLLECTION_ID,
                      "definitionKey": None, "tenantIds": [t]} for t in TENANTS]
    return [*per_tenant, shared, *every_process]


def instances() -> list[dict[str, Any]]:
    rows = []
    for tenant in TENANTS:
        for process in PROCESSES:
            for number in range(INSTANCES_PER_TENANT_AND_PROCESS):
                start = START_MS + number * 60_000
                rows.append({"processDefinitionKey": process, "processDefinitionId": f"{process}:1:{slug(tenant)}",
                             "processInstanceId": f"{process}-{slug(tenant)}-{number}",
                             "businessKey": f"{process}-{number}", "startDate": start,
                             "endDate": start + 30_000, "duration": 30_000, "engineName": "zeebe",
                             "tenantId": tenant, "state": "COMPLETED"})
    return rows


def documents() -> list[tuple[str, str, dict[str, Any]]]:
    """(index, id, source) of everything seeded."""
    docs = [(INSTANCE_INDEX, row["processInstanceId"], row) for row in instances()]
    docs += [(REPORT_INDEX, report["id"], report) for report in reports()]
    docs.append((DASHBOARD_INDEX, DASHBOARD_ID, {"id": DASHBOARD_ID, "name": "Harness", "collectionId": COLLECTION_ID,
                                                 "reportIds": [report["id"] for report in reports()]}))
    return docs
