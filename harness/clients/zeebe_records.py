"""Zeebe's own job history: the JOB records its Elasticsearch exporter writes (`<prefix>_job_*` in `search`).

What Zeebe itself recorded is the judge of a worker's retries, not the worker's log: a FAILED record carries
the retries the worker left and the `retryBackoff` it asked for, and RECURRED_AFTER_BACKOFF is written when
Zeebe made the job activatable again (camunda/camunda `JobFailProcessor`, `JobRecurAfterBackoffProcessor`).
Operate and Optimize import from the same indices. The exporter's JOB value type is on by default;
JOB_BATCH (activations) is off, so activation times are not read here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from typing import Any

import requests

from harness.deployment import Stack
from harness.errors import UsageError

TIMEOUT_S = 10
PAGE = 10_000


@dataclasses.dataclass(frozen=True)
class JobEvent:
    """One JOB record: `at_ms` is Zeebe's record timestamp (epoch ms)."""

    job: int
    intent: str
    at_ms: int
    retries: int
    retry_backoff_ms: int
    process_instance: int

    @classmethod
    def of(cls, record: dict[str, Any]) -> JobEvent:
        value = record["value"]
        return cls(int(record["key"]), str(record["intent"]), int(record["timestamp"]), int(value["retries"]),
                   int(value.get("retryBackoff", 0)), int(value["processInstanceKey"]))


class ZeebeRecords:
    """Searches of the exporter's indices with the Target's `search` credentials."""

    def __init__(self, stack: Stack) -> None:
        search = stack.target.search
        if search is None:
            raise UsageError("search: the target declares no Elasticsearch holding Zeebe's records")
        self.url = search.url.rstrip("/")
        self.pattern = f"{stack.target.exporter.index_prefix}_job_*"
        self.session = requests.Session()
        credentials = search.basic_auth(stack.environ)
        if credentials is not None:
            self.session.auth = (credentials[0], credentials[1].get_secret_value())
        self.verify = stack.verify

    def jobs_of(self, instances: Collection[int]) -> list[JobEvent]:
        """Every JOB record of these process instances, in log order."""
        if not instances:
            return []
        body = {"query": {"terms": {"value.processInstanceKey": sorted(instances)}}, "size": PAGE,
                "sort": [{"position": {"order": "asc"}}]}
        response = self.session.post(f"{self.url}/{self.pattern}/_search", json=body, timeout=TIMEOUT_S,
                                     verify=self.verify)
        response.raise_for_status()
        return [JobEvent.of(hit["_source"]) for hit in response.json()["hits"]["hits"]]
