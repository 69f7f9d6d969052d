"""The tenancy checks' cast: two clients of the target whose tenants differ."""

from __future__ import annotations

import itertools

import pytest

from harness.config import Optimize, Target
from scenarios.tenancy.support import TenantClient


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


@pytest.fixture(scope="session")
def optimize(target: Target) -> Optimize:
    """Optimize; what each check needs of it beyond its URL is a declared need in the catalog."""
    if target.optimize is None:
        pytest.skip("the target declares no Optimize (optimize.url)")
    return target.optimize
