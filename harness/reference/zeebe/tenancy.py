"""Tenant identifiers on gRPC requests, validated the way Zeebe's gateway does (8.3+).

With multi-tenancy disabled only `<default>` (or nothing, meaning `<default>`) is accepted; with it enabled a
tenant must be given (else INVALID_ARGUMENT "no tenant identifier was provided."), be well-formed and be one
the caller is authorized for, else PERMISSION_DENIED. As camunda/camunda
`zeebe/gateway-grpc/src/main/java/io/camunda/zeebe/gateway/RequestMapper.java` (`ensureTenantIdSet`,
`ensureTenantIdsSet`, which checks each tenant of a job activation alone) with the messages of
`gateway/cmd/InvalidTenantRequestException.java` / `IllegalTenantRequestException.java`.
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
    # Weakness tenant_case_insensitive: tenant ids compared ignoring case (Zeebe compares them exactly).
    fold_case: bool = False

    def may_use(self, tenant: str) -> bool:
        """Whether the caller is authorized for `tenant`: one of its tenants, as Zeebe's gateway compares
        them (`authorizedTenants.contains(tenantId)`), or any tenant when it has no restriction."""
        if self.tenants is None or tenant in self.tenants:
            return True
        return self.fold_case and tenant.casefold() in {t.casefold() for t in self.tenants}


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
        raise _rejection(grpc.StatusCode.INVALID_ARGUMENT, rpc, shown, "no tenant identifier was provided.")
    _check_format(rpc, tenant, shown)
    if not caller.may_use(tenant):
        raise _rejection(grpc.StatusCode.PERMISSION_DENIED, rpc, shown,
                         "tenant is not authorized to perform this request")
    return tenant


def tenants_for(rpc: str, tenants: Sequence[str], caller: Caller) -> list[str]:
    """The tenants a job activation may draw from, or a Rejection: none given is refused as a list, then
    each tenant is judged alone, as a single-tenant command's is (all must be authorized)."""
    if not tenants:
        if not caller.multi_tenancy:
            return [DEFAULT_TENANT]
        raise _rejection(grpc.StatusCode.INVALID_ARGUMENT, rpc, "tenant identifiers '[]'",
                         "no tenant identifiers were provided.")
    return list(dict.fromkeys(tenant_for(rpc, tenant, caller) for tenant in tenants))
