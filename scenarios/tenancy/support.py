"""Helpers of the tenancy checks: a client with one of its tenants, its gateway calls, positive controls."""

from __future__ import annotations

import dataclasses
import uuid

from harness.clients.gateway import GatewayCalls
from harness.config import Target
from harness.deployment import Stack

# Waited on top of a stated cache TTL before a grant change must show.
SLACK_S = 0.5


@dataclasses.dataclass(frozen=True)
class TenantClient:
    client: str
    tenant: str


def calls_as(stack: Stack, client: str) -> GatewayCalls:
    """A fresh token for `client` and a channel to the tenant-enforcing gateway endpoint."""
    return stack.gateway_as(client, tenancy=True)


def unique(prefix: str) -> str:
    """Process ids and job types of one check run, so reruns and other checks never see its jobs."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def grant_ttl(target: Target) -> float:
    """The bound within which a grant change must show: a declared need of every check that asks for it."""
    ttl = target.identity.tenant_grant_ttl_s if target.identity is not None else None
    if ttl is None:
        raise LookupError("identity.tenant_grant_ttl_s is unset, yet the check declares it a need")
    return ttl
