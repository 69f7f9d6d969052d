"""Tenant ids close to an authorized one are refused at the Zeebe gateway (harness.probes.tenant_ids).

A client deploys and activates jobs with each variant of one of its own tenant ids: the exact id must
work (positive control), every near miss must be refused (PERMISSION_DENIED, or INVALID_ARGUMENT for an
id outside Zeebe's mask) on both calls. A near miss that is itself among the client's declared tenants
(`<default>` granted to it, say) is not one, and the evidence says so instead of sending it.
"""

from __future__ import annotations

import pytest

from harness.clients.bpmn import one_task_process
from harness.deployment import Stack
from harness.outcome import positive
from harness.probes import tenant_ids
from harness.report.evidence import Evidence
from scenarios.tenancy.support import TenantClient, calls_as, unique


@pytest.mark.check("TEN-010")
def test_tenant_ids_close_to_an_authorized_one_are_refused(
        stack: Stack, tenant_pair: tuple[TenantClient, TenantClient], evidence: Evidence) -> None:
    client = tenant_pair[0]
    declared = set(stack.target.clients[client.client].tenants)
    process_id, job_type = unique("ten010"), unique("ten010-job")
    seen: dict[str, dict[str, str]] = {}
    evidence.record(client=client.client, tenant=client.tenant, variants=seen)
    with calls_as(stack, client.client) as calls:
        for variant in tenant_ids.variants_of("TEN-010"):
            value = variant.value(client.tenant)
            if variant.verdict == "refused" and value in declared:
                seen[variant.name] = {"tenant_id": repr(value), "outcome": "not sent: the client is granted it"}
                continue
            codes = {"DeployResource": calls.deploy(one_task_process(process_id, job_type), value).code.name,
                     "ActivateJobs": calls.activate(job_type, [value]).code.name}
            if variant.verdict == "accepted":
                outcome = "as expected" if set(codes.values()) == {"OK"} else "refused"
            else:
                outcome = "as expected" if set(codes.values()) <= tenant_ids.REFUSALS else "GOT THROUGH"
            seen[variant.name] = {"tenant_id": repr(value), **codes, "expected": variant.verdict, "outcome": outcome}
            if variant.verdict == "accepted":
                positive(outcome == "as expected", f"{client.client} with its own tenant {value!r} got {codes}")
    through = {name: row for name, row in seen.items() if row["outcome"] == "GOT THROUGH"}
    assert not through, f"{client.client} (tenant {client.tenant!r}) got through with tenant ids close to its own: " \
                        f"{through}"
