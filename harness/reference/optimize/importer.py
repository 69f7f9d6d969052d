"""Optimize's Zeebe import, for process variables: it reads the VARIABLE records Zeebe's Elasticsearch
exporter wrote (`<zeebe.name>_variable_*`), in position order from where the last page ended, and upserts
each instance's `variables` (name, type, value, as Optimize's process-instance documents hold them).

Instances only the import knows (not seeded) get a document naming their process, tenant and key, so the
raw-data reports over every process show them. The import position lives in memory: after a restart the
import starts over, which rewrites the same values (Optimize keeps it in an index; the emulator's data is
as short-lived as the stack). An Elasticsearch failure is logged (the call only) and retried next interval.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from harness.reference.optimize import seed
from harness.reference.search_client import SearchClient, SearchUnavailable

log = logging.getLogger("optimize.import")
DEFAULT_PAGE_SIZE = 200
DEFAULT_INTERVAL_MS = 500
# Optimize's variable types for JSON values; objects, arrays and null stay JSON text of type Object.
TYPES: dict[type, str] = {str: "String", bool: "Boolean", int: "Long", float: "Double"}


def variable(record: dict[str, Any]) -> dict[str, Any]:
    """A VARIABLE record's value as an entry of an instance's `variables`."""
    value = record["value"]
    parsed = json.loads(value["value"])
    kind = TYPES.get(type(parsed), "Object")
    return {"id": str(record["key"]), "name": value["name"], "type": kind,
            "value": parsed if kind == "String" else value["value"], "version": record["position"]}


class ZeebeImporter:
    """Config (`zeebe`): `name` (the exporter's index prefix), `maxImportPageSize`, `importIntervalMillis`."""

    def __init__(self, store: SearchClient, zeebe: dict[str, Any]) -> None:
        self.store = store
        self.pattern = f"{zeebe.get('name', 'zeebe-record')}_variable_*"
        self.page_size = int(zeebe.get("maxImportPageSize", DEFAULT_PAGE_SIZE))
        self.interval_s = float(zeebe.get("importIntervalMillis", DEFAULT_INTERVAL_MS)) / 1000
        self.position = 0

    async def run(self) -> None:
        while True:
            try:
                imported = await asyncio.to_thread(self.import_page)
            except SearchUnavailable as exc:
                log.info("variable import waits for Elasticsearch: %s", exc)
                imported = 0
            if imported < self.page_size:  # caught up: wait for new records
                await asyncio.sleep(self.interval_s)

    def import_page(self) -> int:
        """Import the next page of records; how many there were."""
        _, records = self.store.search(self.pattern, {"range": {"position": {"gt": self.position}}},
                                       size=self.page_size, sort="position")
        if not records:
            return 0
        keys = sorted({str(r["value"]["processInstanceKey"]) for r in records})
        _, known = self.store.search(seed.INSTANCE_INDEX, {"ids": {"values": keys}}, size=len(keys))
        instances = {doc["processInstanceId"]: doc for doc in known}
        for record in records:
            value = record["value"]
            instance = instances.setdefault(str(value["processInstanceKey"]), {
                "processDefinitionKey": value["bpmnProcessId"], "processDefinitionId": str(value["processDefinitionKey"]),
                "processInstanceId": str(value["processInstanceKey"]), "engineName": "zeebe",
                "tenantId": value["tenantId"], "variables": []})
            entry = variable(record)
            instance["variables"] = [v for v in instance.get("variables", []) if v["name"] != entry["name"]] + [entry]
        self.store.bulk_index((seed.INSTANCE_INDEX, key, doc) for key, doc in instances.items())
        self.position = max(int(r["position"]) for r in records)
        return len(records)
