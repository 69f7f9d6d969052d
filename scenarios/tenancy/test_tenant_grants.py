"""Tenant grants come from Identity and follow it: revoked within the cache TTL, refused without it."""

from __future__ import annotations

import grpc
import pytest

from harness.deployment import Stack
from harness.outcome import positive
from harness.waiting import poll
from scenarios.tenancy.support import SLACK_S, TenantClient, calls_as, grant_ttl, unique


@pytest.mark.check("TEN-003")
def test_identity_unreachable_fails_closed(stack: Stack, tenant_pair: tuple[TenantClient, TenantClient],
                                           evidence) -> None:
    ttl = grant_ttl(stack.target)
    a, b = tenant_pair
    job_type = unique("ten003-job")
    with calls_as(stack, a.client) as calls_a:
        positive(calls_a.activate(job_type, [a.tenant]).ok, f"{a.client} activates jobs of its own tenant")
        stack.capabilities.services().stop("identity")
        try:
            # Fail closed within the grant cache's TTL: both tenants refused, watched until then.
            both = poll(lambda: (calls_a.activate(job_type, [a.tenant]), calls_a.activate(job_type, [b.tenant])),
                        lambda replies: not any(reply.ok for reply in replies), ttl + SLACK_S)
        finally:
            stack.capabilities.services().start("identity")
    own, other = both.value
    evidence.record(identity="stopped", bound_s=ttl + SLACK_S, **both.evidence(),
                    own_tenant={"grpc_status": own.code.name, "grpc_message": own.details},
                    other_tenant={"grpc_status": other.code.name, "grpc_message": other.details})
    assert not own.ok and not other.ok, (
        f"with Identity unreachable, tenant-scoped ActivateJobs got {own.code.name} ({a.tenant}) and "
        f"{other.code.name} ({b.tenant}); both must be refused")


@pytest.mark.check("TEN-004")
def test_revoked_grant_stops_working(stack: Stack, tenant_pair: tuple[TenantClient, TenantClient],
                                     evidence) -> None:
    ttl = grant_ttl(stack.target)
    a, b = tenant_pair
    job_type = unique("ten004-job")
    bound = ttl + SLACK_S
    stack.capabilities.tenant_grants().set_grant(a.client, b.tenant, granted=True)
    try:
        with calls_as(stack, a.client) as calls_a:
            granted = poll(lambda: calls_a.activate(job_type, [b.tenant]), lambda reply: reply.ok, bound)
            positive(granted.held, f"{a.client} uses {b.tenant} within {bound:g} s of the grant "
                                   f"(got {granted.value.code.name})")
            stack.capabilities.tenant_grants().set_grant(a.client, b.tenant, granted=False)
            revoked = poll(lambda: calls_a.activate(job_type, [b.tenant]),
                           lambda reply: reply.code == grpc.StatusCode.PERMISSION_DENIED, bound)
    finally:
        stack.capabilities.tenant_grants().set_grant(a.client, b.tenant, granted=False)
    evidence.record(client=a.client, tenant=b.tenant, bound_s=bound, grant_latency_s=round(granted.elapsed_s, 3),
                    revocation=revoked.evidence(),
                    after_revocation={"grpc_status": revoked.value.code.name, "grpc_message": revoked.value.details})
    assert revoked.held, (
        f"{revoked.elapsed_s:.1f} s after revoking {b.tenant} from {a.client}, ActivateJobs got "
        f"{revoked.value.code.name}; it must be PERMISSION_DENIED within {bound:g} s")
