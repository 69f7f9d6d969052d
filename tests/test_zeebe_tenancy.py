"""The Zeebe emulator validates request tenant ids as Zeebe's gateway does.

camunda/camunda zeebe/gateway-grpc RequestMapper.ensureTenantIdSet: longer than 31 characters or outside
the mask `^[\\w\\.-]{1,31}$` (`<default>` exempt) is INVALID_ARGUMENT; an id not in the caller's authorized
tenants (`authorizedTenants.contains(tenantId)`, an exact comparison) is PERMISSION_DENIED, `<default>`
included (its multi-tenancy test shouldDenyDeployResourceWhenUnauthorizedForDefaultTenant).
"""

from __future__ import annotations

import grpc
import pytest

from harness.reference.zeebe.engine import Rejection
from harness.reference.zeebe.tenancy import Caller, tenant_for, tenants_for

CALLER = Caller(True, frozenset({"tenant-a"}))


@pytest.mark.parametrize(("tenant", "code"), [
    ("TENANT-A", grpc.StatusCode.PERMISSION_DENIED), ("<default>", grpc.StatusCode.PERMISSION_DENIED),
    ("tenant-", grpc.StatusCode.PERMISSION_DENIED), ("tenant-ax", grpc.StatusCode.PERMISSION_DENIED),
    (" tenant-a", grpc.StatusCode.INVALID_ARGUMENT), ("tenant-a ", grpc.StatusCode.INVALID_ARGUMENT),
    ("t" * 32, grpc.StatusCode.INVALID_ARGUMENT)])
def test_near_misses_of_an_authorized_tenant_are_refused(tenant: str, code: grpc.StatusCode) -> None:
    for validate in (lambda: tenant_for("DeployResource", tenant, CALLER),
                     lambda: tenants_for("ActivateJobs", [tenant], CALLER)):
        with pytest.raises(Rejection) as refused:
            validate()
        assert refused.value.code == code


def test_the_exact_tenant_passes_and_case_folding_is_the_weakness() -> None:
    assert tenant_for("DeployResource", "tenant-a", CALLER) == "tenant-a"
    folded = Caller(True, frozenset({"tenant-a"}), fold_case=True)
    assert tenant_for("DeployResource", "TENANT-A", folded) == "TENANT-A"
    assert tenants_for("ActivateJobs", ["Tenant-A"], folded) == ["Tenant-A"]
