"""A client sees and touches only its tenants at the Zeebe gateway (multi-tenancy enabled)."""

from __future__ import annotations

import grpc
import pytest
from pyzeebe.proto import gateway_pb2

from harness.clients.bpmn import one_task_process
from harness.deployment import Stack
from harness.outcome import positive
from scenarios.tenancy.support import TenantClient, calls_as, unique


@pytest.mark.check("TEN-001")
def test_commands_for_another_tenant_are_denied(stack: Stack, tenant_pair: tuple[TenantClient, TenantClient],
                                                evidence) -> None:
    a, b = tenant_pair
    process_id, job_type = unique("ten001"), unique("ten001-job")
    process = one_task_process(process_id, job_type)
    with calls_as(stack, b.client) as calls_b:
        positive(calls_b.deploy(process, b.tenant).ok, f"{b.client} deploys into its own tenant")
    with calls_as(stack, a.client) as calls_a:
        positive(calls_a.deploy(process, a.tenant).ok, f"{a.client} deploys into its own tenant")
        replies = {
            "DeployResource": calls_a.deploy(process, b.tenant),
            "CreateProcessInstance": calls_a.start(process_id, b.tenant),
            "ActivateJobs": calls_a.activate(job_type, [b.tenant]),
            "PublishMessage": calls_a.call("PublishMessage", gateway_pb2.PublishMessageRequest(
                name="ten001", correlationKey="x", tenantId=b.tenant)),
        }
    evidence.record(client=a.client, other_tenant=b.tenant,
                    replies={rpc: {"grpc_status": r.code.name, "grpc_message": r.details} for rpc, r in replies.items()})
    wrong = {rpc: r.code.name for rpc, r in replies.items() if r.code != grpc.StatusCode.PERMISSION_DENIED}
    assert not wrong, f"calls for tenant {b.tenant!r} by {a.client} were not PERMISSION_DENIED: {wrong}"


@pytest.mark.check("TEN-002")
def test_jobs_of_another_tenant_are_never_handed_out(stack: Stack, tenant_pair: tuple[TenantClient, TenantClient],
                                                     evidence) -> None:
    a, b = tenant_pair
    process_id, job_type = unique("ten002"), unique("ten002-job")
    with calls_as(stack, b.client) as calls_b, calls_as(stack, a.client) as calls_a:
        positive(calls_b.deploy(one_task_process(process_id, job_type), b.tenant).ok, f"{b.client} deploys")
        positive(calls_b.start(process_id, b.tenant).ok, f"{b.client} starts an instance in {b.tenant}")
        own = calls_a.activate(job_type, [a.tenant])
        both = calls_a.activate(job_type, [a.tenant, b.tenant])
        leaked = [job.tenantId for reply in (own, both) if reply.ok for job in reply.response]
        evidence.record(client=a.client, other_tenant=b.tenant, jobs_handed_out=leaked,
                        activate_own=own.code.name, activate_with_other=both.code.name)
        assert not leaked, f"{a.client} was handed jobs of tenants {leaked}"
        assert own.ok, f"{a.client} activating jobs of its own tenant got {own.code.name}"
        jobs_b = calls_b.activate(job_type, [b.tenant])
        positive(jobs_b.ok and len(jobs_b.response) == 1, f"{b.client} activates the job of its own tenant")
        complete = calls_a.call("CompleteJob", gateway_pb2.CompleteJobRequest(jobKey=jobs_b.response[0].key))
    evidence.record(complete_other_job={"grpc_status": complete.code.name, "grpc_message": complete.details})
    assert complete.code == grpc.StatusCode.NOT_FOUND, \
        f"{a.client} completing a job of {b.tenant} got {complete.code.name}, not NOT_FOUND"
