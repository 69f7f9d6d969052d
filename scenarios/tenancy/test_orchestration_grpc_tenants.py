"""Tenants on the Orchestration Cluster's gRPC API (Camunda 8.8+): the same assignments as its REST API.

A gRPC command names its tenant: with multi-tenancy checks on, none is INVALID_ARGUMENT "... but no tenant
identifier was provided." (TEN-017; the gateway's RequestMapper.ensureTenantIdSet) and one the caller is not
assigned to is PERMISSION_DENIED (TEN-016: the gateway's IllegalTenantRequestException, or the engine's
FORBIDDEN rejection "... but user is not assigned to this tenant", which GrpcErrorMapper makes
PERMISSION_DENIED). The Target's tenant user is assigned to `tenant` only; its admin login to both.
"""

from __future__ import annotations

import grpc
import pytest

from harness.clients.gateway import Reply
from harness.deployment import Stack
from harness.outcome import positive
from harness.report.evidence import Evidence
from scenarios.cluster import MT_DISABLED, Cluster, seen


@pytest.fixture(scope="module")
def cluster(stack: Stack) -> Cluster:
    return Cluster.of(stack, "tenant")


def control(cluster: Cluster, reply: Reply, what: str) -> None:
    """A positive control over gRPC; a cluster that takes no tenant but `<default>` skips (TEN-017 judges it)."""
    if reply.code == grpc.StatusCode.INVALID_ARGUMENT and MT_DISABLED in reply.details:
        pytest.skip(f"the cluster takes no tenant but <default> ({reply.details[:160]}): multi-tenancy checks are "
                    "off, which TEN-017 judges")
    positive(reply.ok, f"{what} over gRPC got {reply.code.name}: {reply.details[:160]}")


@pytest.mark.check("TEN-016")
def test_commands_in_a_foreign_tenant_are_refused_over_grpc(cluster: Cluster, evidence: Evidence) -> None:
    process, tenant, foreign = cluster.spec.granted_process, cluster.spec.tenant, cluster.spec.foreign_tenant
    assert process and tenant and foreign, "the check declares these needs"
    who = cluster.user("tenant")
    control(cluster, cluster.deploy_grpc("tenant", process, tenant), f"{who!r} deploying {process!r} to {tenant!r}")
    control(cluster, cluster.deploy_grpc("admin", process, foreign), f"the admin deploying {process!r} to {foreign!r}")
    deployed = cluster.deploy_grpc("tenant", process, foreign)
    started = cluster.start_grpc("tenant", process, foreign)
    evidence.record(probes=[seen(who, f"DeployResource ({foreign})", deployed),
                            seen(who, f"CreateProcessInstance ({foreign})", started)])
    let_through = [f"{rpc}: {reply.code.name}" for rpc, reply in (("DeployResource", deployed),
                                                                   ("CreateProcessInstance", started))
                   if reply.code != grpc.StatusCode.PERMISSION_DENIED]
    assert not let_through, (f"{who!r}, assigned to {tenant!r} only, was not refused with PERMISSION_DENIED in "
                             f"{foreign!r}: " + "; ".join(let_through))


@pytest.mark.check("TEN-017")
def test_deployment_without_tenant_id_is_refused_over_grpc(cluster: Cluster, evidence: Evidence) -> None:
    """The refusal is probed first, as TEN-015 does over REST: with checks off the control (a deployment naming
    the tenant) is refused too. The control still guards the pass."""
    process, tenant = cluster.spec.granted_process, cluster.spec.tenant
    assert process and tenant, "the check declares these needs"
    reply = cluster.deploy_grpc("tenant", process, "")
    evidence.record(probes=[seen(cluster.user("tenant"), "DeployResource without tenantId", reply)])
    assert not reply.ok, ("a gRPC deployment without a tenant id was accepted: multi-tenancy checks are off, so no "
                          "command is checked against its caller's tenants")
    positive(cluster.deploy_grpc("tenant", process, tenant).ok, f"{cluster.user('tenant')!r} deploying to {tenant!r}")
    assert reply.code == grpc.StatusCode.INVALID_ARGUMENT, f"refused with {reply.code.name}, not INVALID_ARGUMENT"
