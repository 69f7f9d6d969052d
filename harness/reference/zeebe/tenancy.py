"""Tenant identifiers on gRPC requests, validated the way Zeebe's gateway does (8.3+).

With multi-tenancy disabled only `<default>` (or nothing, meaning `<default>`) is accepted; with it enabled a
tenant must be given, be well-formed and be one the caller is authorized for, else PERMISSION_DENIED.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

import grpc

from harness.reference.zeebe.engine import DEFAULT_TENANT, Rejection, Tenants

TENANT_ID = re.compile(r"^[\w.-]{1,31}$", re.ASCII)
MAX_LENGTH = 31


@dataclasses.dataclass(frozen=True)
class Caller:
    """Who called: the tenants they may see (None: every tenant) and whether multi-tenancy is on."""

    multi_tenancy: bool
    tenants: Tenants
    client_id: str = ""


def _rejection(code: grpc.StatusCode, rpc: str, shown: str, reason: str) -> Rejection:
    return Rejection(code, f"Expected to handle gRPC request {rpc} with {shown}, but {reason}")


def _check_format(rpc: str, tenant: str, shown: str) -> None:
    if tenant == DEFAULT_TENANT:
        return
    if len(tenant) > MAX_LENGTH:
        raise _rejection(grpc.StatusCode.INVALID_ARGUMENT, rpc, shown,
                         f"tenant identifier is longer than {MAX_LENGTH} characters")
    if not TENANT_ID.match(tenant):
        raise _rejection(grpc.StatusCode.INVALID_ARGUMENT, rpc, shown, "tenant identifier contains illegal characters")


def tenant_for(rpc: str, tenant: str, caller: Caller) -> str:
    """The tenant a single-tenant command runs in, or a Rejection."""
    shown = f"tenant identifier '{tenant}'"
    if not caller.multi_tenancy:
        if tenant in ("", DEFAULT_TENANT):
            return DEFAULT_TENANT
        raise _rejection(grpc.StatusCode.INVALID_ARGUMENT, rpc, shown, "multi-tenancy is disabled")
    if not tenant:
        raise _rejection(grpc.StatusCode.INVALID_ARGUMENT, rpc, shown, "no tenant identifier was provided")
    _check_format(rpc, tenant, shown)
    if caller.tenants is not None and tenant not in caller.tenants:
        raise _rejection(grpc.StatusCode.PERMISSION_DENIED, rpc, shown,
                         "tenant is not authorized to perform this request")
    return tenant


def tenants_for(rpc: str, tenants: Sequence[str], caller: Caller) -> list[str]:
    """The tenants a job activation may draw from, or a Rejection (all must be authorized)."""
    shown = f"tenant identifiers [{', '.join(tenants)}]"
    if not caller.multi_tenancy:
        if all(t in ("", DEFAULT_TENANT) for t in tenants):
            return [DEFAULT_TENANT]
        raise _rejection(grpc.StatusCode.INVALID_ARGUMENT, rpc, shown, "multi-tenancy is disabled")
    if not tenants:
        raise _rejection(grpc.StatusCode.INVALID_ARGUMENT, rpc, shown, "no tenant identifiers were provided")
    for tenant in tenants:
        _check_format(rpc, tenant, shown)
    if caller.tenants is not None:
        denied = [t for t in tenants if t not in caller.tenants]
        if denied:
            raise _rejection(grpc.StatusCode.PERMISSION_DENIED, rpc, shown,
                             "tenant is not authorized to perform this request")
    return list(tenants)
