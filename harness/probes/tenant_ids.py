"""Tenant ids close to one a client is authorized for: another case, the default tenant, whitespace around
it, a prefix or an extension of it.

Zeebe's gateway checks a request's tenant id against the id mask `^[\\w\\.-]{1,31}$` (INVALID_ARGUMENT,
`<default>` exempt) and then requires it among the caller's authorized tenants, compared exactly
(PERMISSION_DENIED): camunda/camunda zeebe/gateway-grpc RequestMapper.ensureTenantIdSet
(`authorizedTenants.contains(tenantId)`). A gateway that folds case, trims or matches prefixes hands a
client another tenant's data. Each `TenantVariant` names its check and what a correct gateway does with it;
the exact id is the positive control.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Literal

from harness.probes.claims import case_changed, controls_first

DEFAULT_TENANT = "<default>"
# Zeebe's answers that refuse a tenant id before any engine work: malformed, or not the caller's.
REFUSALS = frozenset({"PERMISSION_DENIED", "INVALID_ARGUMENT"})


@dataclasses.dataclass(frozen=True)
class TenantVariant:
    name: str
    check: str
    description: str
    value: Callable[[str], str]  # from a tenant id the client is authorized for
    verdict: Literal["refused", "accepted"]


TENANT_VARIANTS: dict[str, TenantVariant] = {variant.name: variant for variant in (
    TenantVariant("tenant_exact", "TEN-010", "the authorized tenant id itself", lambda t: t, "accepted"),
    TenantVariant("tenant_case", "TEN-010", "the authorized id in another case", case_changed, "refused"),
    TenantVariant("tenant_default", "TEN-010", "the default tenant", lambda t: DEFAULT_TENANT, "refused"),
    TenantVariant("tenant_leading_space", "TEN-010", "the authorized id after a space", lambda t: f" {t}",
                  "refused"),
    TenantVariant("tenant_trailing_space", "TEN-010", "the authorized id before a space", lambda t: f"{t} ",
                  "refused"),
    TenantVariant("tenant_prefix", "TEN-010", "the authorized id less its last character", lambda t: t[:-1],
                  "refused"),
    TenantVariant("tenant_suffixed", "TEN-010", "the authorized id with a suffix", lambda t: f"{t}x", "refused"),
)}


def variants_of(check: str) -> list[TenantVariant]:
    """The variants a check sends, the positive control first."""
    return controls_first(variant for variant in TENANT_VARIANTS.values() if variant.check == check)
