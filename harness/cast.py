"""The authz and tenancy checks' cast on an Orchestration Cluster (Camunda 8.8+): who holds what.

The checks judge refusals, so each principal must hold exactly what the checks assume and nothing more: a
refusal of a user who lacks a grant it should have would pass a check whatever the cluster enforces. The
Target names the cast (`orchestration.unauthorized_user`, ...), or declares `provision_cast` and the harness
creates what it leaves out (harness.clients.cluster_cast); the reference cluster's initial users hold the
same (harness/reference/services/orchestration.py). One definition, so the three cannot drift apart.
"""

from __future__ import annotations

from typing import NamedTuple

# The product's default tenant (the engine's TenantOwned.DEFAULT_TENANT_IDENTIFIER).
DEFAULT_TENANT = "<default>"
# What the process user holds on `granted_process` (and nothing anywhere else).
PROCESS_GRANT = ("CREATE_PROCESS_INSTANCE", "READ_PROCESS_INSTANCE", "READ_PROCESS_DEFINITION")
# The tenant user also works the granted process's jobs (TEN-018's control): activation needs this.
WORKER_GRANT = (*PROCESS_GRANT, "UPDATE_PROCESS_INSTANCE")
# The Target's cast roles: each is the field `<role>_user` naming an `orchestration.users` entry.
ROLES = ("unauthorized", "process", "tenant")
# The Orchestration fields `provision_cast` fills where the Target leaves them out.
FIELDS = (*(f"{role}_user" for role in ROLES), "granted_process", "tenant", "foreign_tenant")


class Grant(NamedTuple):
    """One authorization: a resource type, a resource id (`*` for every one) and its permission types."""

    resource_type: str
    resource_id: str
    permissions: tuple[str, ...]


def grants(role: str, granted_process: str) -> tuple[Grant, ...]:
    """The authorizations `role` holds: none for the unauthorized user; the process user's on
    `granted_process`; the tenant user may deploy (RESOURCE:CREATE takes no resource id, so `*`) and works
    `granted_process`."""
    return {"unauthorized": (),
            "process": (Grant("PROCESS_DEFINITION", granted_process, PROCESS_GRANT),),
            "tenant": (Grant("RESOURCE", "*", ("CREATE",)),
                       Grant("PROCESS_DEFINITION", granted_process, WORKER_GRANT))}[role]


def tenants(role: str, tenant: str) -> tuple[str, ...]:
    """The tenants `role` is assigned to: `<default>` for the authz users (so a refusal is about
    authorizations, not tenants), `tenant` only for the tenant user."""
    return (tenant,) if role == "tenant" else (DEFAULT_TENANT,)
