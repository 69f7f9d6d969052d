"""Zeebe's Elasticsearch exporter, for the records Optimize imports (VARIABLE events) and the job history
the secrets checks read (JOB events; both value types are on in the exporter's defaults, JOB_BATCH is off).

Like the real exporter it writes each record as Zeebe's record JSON into an index per value type, broker
version and day (`<prefix>_variable_<version>_<yyyy-MM-dd>`, `<prefix>_job_...`, document id
`<partition>-<position>`), in
`_bulk` batches flushed every `bulk.delay` seconds or at `bulk.size` records, over TLS with the stack's CA
and the `elastic` user (the client Optimize uses too). Elasticsearch being away never touches the engine:
the batch stays queued, the failure is logged (the call only, never a value) and retried at the next flush,
as Zeebe keeps unexported records in its log.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

from harness.reference.search_client import Document, SearchClient, SearchUnavailable
from harness.reference.zeebe.engine import PARTITION_ID, Engine, JobRecord, Record, VariableRecord
from harness.reference.zeebe.gateway import GATEWAY_VERSION as BROKER_VERSION  # one version, as deployed

log = logging.getLogger("zeebe.exporter")
DEFAULT_DELAY_S = 0.5
DEFAULT_SIZE = 1000


def _value(record: Record) -> tuple[str, dict[str, Any]]:
    """The record's value type and value, with Zeebe's JSON property names (VariableRecord, JobRecord)."""
    if isinstance(record, VariableRecord):
        return "VARIABLE", {"name": record.name, "value": record.value, "scopeKey": record.process_instance_key,
                            "processInstanceKey": record.process_instance_key,
                            "processDefinitionKey": record.process_definition_key,
                            "bpmnProcessId": record.bpmn_process_id, "tenantId": record.tenant_id}
    job: JobRecord = record
    return "JOB", {"type": job.job_type, "worker": job.worker, "retries": job.retries,
                   "retryBackoff": job.retry_backoff_ms, "recurringTime": job.recurring_time_ms,
                   "deadline": job.deadline_ms, "errorMessage": job.error_message, "errorCode": "",
                   "customHeaders": {}, "variables": {}, "elementId": job.element_id,
                   "elementInstanceKey": job.element_instance_key, "processInstanceKey": job.process_instance_key,
                   "processDefinitionKey": job.process_definition_key, "bpmnProcessId": job.bpmn_process_id,
                   "tenantId": job.tenant_id}


def record_json(record: Record) -> dict[str, Any]:
    """The record as Zeebe serialises it (`Record#toJson`)."""
    value_type, value = _value(record)
    return {
        "partitionId": PARTITION_ID, "position": record.position, "sourceRecordPosition": record.position,
        "key": record.key, "timestamp": record.timestamp_ms, "recordType": "EVENT", "valueType": value_type,
        "intent": record.intent, "rejectionType": "NULL_VAL", "rejectionReason": "", "brokerVersion": BROKER_VERSION,
        "authorizations": {}, "recordVersion": 1, "value": value,
    }


def document(record: Record, prefix: str) -> Document:
    day = dt.datetime.fromtimestamp(record.timestamp_ms / 1000, dt.UTC).strftime("%Y-%m-%d")
    value_type = _value(record)[0].lower()
    return (f"{prefix}_{value_type}_{BROKER_VERSION}_{day}", f"{PARTITION_ID}-{record.position}", record_json(record))


class ElasticsearchExporter:
    """Config (Zeebe's `exporters.elasticsearch.args`): url, username, password, ca_file,
    `bulk.delay` (seconds), `bulk.size`, `index.prefix`."""

    def __init__(self, engine: Engine, args: dict[str, Any]) -> None:
        self.engine = engine
        self.client = SearchClient(args)
        bulk = args.get("bulk") or {}
        self.delay_s = float(bulk.get("delay", DEFAULT_DELAY_S))
        self.size = int(bulk.get("size", DEFAULT_SIZE))
        self.prefix = str((args.get("index") or {}).get("prefix", "zeebe-record"))
        self.pending: list[Record] = []

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.delay_s)
            await self.flush()

    async def flush(self) -> None:
        """Export everything written so far, oldest first; on a failure keep the rest for the next flush."""
        self.pending += self.engine.take_records()
        while self.pending:
            batch = self.pending[:self.size]
            try:
                await asyncio.to_thread(self.client.bulk_index, [document(r, self.prefix) for r in batch])
            except SearchUnavailable as exc:
                log.warning("exporting %d records failed, retrying in %.1f s: %s", len(batch), self.delay_s, exc)
                return
            del self.pending[:len(batch)]
