"""Tenant grants come from Identity and follow it: revoked within the cache TTL, refused without it."""

from __future__ import annotations

import time

import grpc
import pytest

from harness.backends import Stack
from harness.clients.identity_admin import set_tenant_grant
from harness.outcome import positive
from scenarios.tenancy.support import SLACK_S, TenantClient, calls_as, grant_ttl, unique


@pytest.mark.check("TEN-003")
def test_identity_unreachable_fails_closed(stack: Stack, tenant_pair: tuple[TenantClient, TenantClient],
                                           evidence) -> None:
    ttl = grant_ttl(stack.target)
    a, b = tenant_pair
    job_type = unique("ten003-job")
    with calls_as(stack, a.client) as calls_a:
        positive(calls_a.activate(job_type, [a.tenant]).ok, f"{a.client} activates jobs of its own tenant")
        stack.faults.stop("identity")
        try:
            time.sleep(ttl + SLACK_S)
            own = calls_a.activate(job_type, [a.tenant])
            other = calls_a.activate(job_type, [b.tenant])
        finally:
            stack.faults.start("identity")
    evidence.record(identity="stopped", waited_s=ttl + SLACK_S,
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
    set_tenant_grant(stack, a.client, b.tenant, granted=True)
    try:
        time.sleep(ttl + SLACK_S)
        with calls_as(stack, a.client) as calls_a:
            granted = calls_a.activate(job_type, [b.tenant])
            positive(granted.ok, f"{a.client} uses {b.tenant} within {ttl} s of the grant (got {granted.code.name})")
            set_tenant_grant(stack, a.client, b.tenant, granted=False)
            time.sleep(ttl + SLACK_S)
            revoked = calls_a.activate(job_type, [b.tenant])
    finally:
        set_tenant_grant(stack, a.client, b.tenant, granted=False)
    evidence.record(client=a.client, tenant=b.tenant, waited_s=ttl + SLACK_S,
                    after_revocation={"grpc_status": revoked.code.name, "grpc_message": revoked.details})
    assert revoked.code == grpc.StatusCode.PERMISSION_DENIED, (
        f"{ttl + SLACK_S:.1f} s after revoking {b.tenant} from {a.client}, ActivateJobs got {revoked.code.name}")
