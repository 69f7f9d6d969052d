"""What the tenancy checks share: two clients whose tenants differ, and their calls to the gateway."""

from __future__ import annotations

import dataclasses
import itertools
import uuid

import pytest

from harness.backends import Stack
from harness.clients.oauth import fetch_token
from harness.clients.zeebe import ZeebeCalls, tenancy_endpoint
from harness.config import Target


@dataclasses.dataclass(frozen=True)
class TenantClient:
    client: str
    tenant: str


@pytest.fixture(scope="session")
def tenant_pair(target: Target) -> tuple[TenantClient, TenantClient]:
    """Clients A and B of the target, each with a tenant the other lacks."""
    if target.gateway is None:
        pytest.skip("the target declares no gateway")
    with_tenants = [(name, client) for name, client in target.clients.items() if client.tenants]
    for (name_a, a), (name_b, b) in itertools.combinations(with_tenants, 2):
        only_a = [t for t in a.tenants if t not in b.tenants]
        only_b = [t for t in b.tenants if t not in a.tenants]
        if only_a and only_b:
            return TenantClient(name_a, only_a[0]), TenantClient(name_b, only_b[0])
    pytest.skip("the target declares no two clients with different tenants (clients.<name>.tenants)")


def calls_as(stack: Stack, client: str) -> ZeebeCalls:
    """A fresh token for `client` and a channel to the tenant-enforcing gateway endpoint."""
    address, tls = tenancy_endpoint(stack.target)
    return ZeebeCalls(address, tls, stack.target.ca_file, fetch_token(stack, client))


def unique(prefix: str) -> str:
    """Process ids and job types of one check run, so reruns and other checks never see its jobs."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def positive(reply_ok: bool, what: str) -> None:
    """A refused call only proves something if the allowed one works; otherwise the check errors."""
    if not reply_ok:
        raise RuntimeError(f"positive control failed: {what}")
