"""Tenants on the Orchestration Cluster (Camunda 8.8+), managed in the cluster and judged through its REST API.

With `camunda.security.multi-tenancy.checks-enabled` on, a command must name its tenant (TEN-015), reading
another tenant's existing resource is NOT_FOUND (TEN-012), creating in a tenant the caller is not assigned
to is FORBIDDEN (TEN-013), and searches return the caller's tenants only (TEN-014):
AuthorizationCheckBehavior.java (FORBIDDEN_FOR_TENANT_ERROR_MESSAGE, NOT_FOUND_FOR_TENANT_ERROR_MESSAGE),
camunda/camunda#29250 ("Not found is the expected result when you try to access an object from a
different tenant"), docs 8.8 multi-tenancy. A job worker gets jobs of its tenants only (TEN-018): its
variables are the instance's data. The Target's tenant user is assigned to `tenant` only; its
admin login to `tenant` and `foreign_tenant`, where it starts the instance the tenant user must not see (on
a cluster that takes tokens, the clients `tenant_client` and `client`: scenarios/cluster.py).
"""

from __future__ import annotations

import dataclasses

import pytest

from harness.clients.orchestration import RestAnswer
from harness.deployment import Stack
from harness.outcome import positive
from harness.report.evidence import Evidence
from harness.waiting import poll
from scenarios.cluster import PROBE_JOB_TYPE, Cluster, seen


@dataclasses.dataclass(frozen=True)
class TenantCast:
    cluster: Cluster
    process: str
    tenant: str
    foreign: str

    @property
    def who(self) -> str:
        return self.cluster.user("tenant")


@dataclasses.dataclass(frozen=True)
class Instances:
    """One instance of the granted process in each tenant: the tenant user's own, and the foreign one."""

    own: str
    foreign: str


@pytest.fixture(scope="module")
def cast(stack: Stack) -> TenantCast:
    cluster = Cluster.of(stack, "tenant")
    spec = cluster.spec
    assert spec.granted_process and spec.tenant and spec.foreign_tenant, "the checks declare these needs"
    return TenantCast(cluster, spec.granted_process, spec.tenant, spec.foreign_tenant)


@pytest.fixture(scope="module")
def instances(cast: TenantCast) -> Instances:
    """Positive controls: the admin deploys and starts in the foreign tenant, the tenant user in its own, and
    the admin's search shows both (reads are eventually consistent)."""
    cluster = cast.cluster
    cluster.deployed("admin", cast.process, cast.foreign)
    foreign = cluster.started("admin", cast.process, cast.foreign)
    cluster.deployed("tenant", cast.process, cast.tenant)
    own = cluster.started("tenant", cast.process, cast.tenant)
    cluster.indexed({own, foreign})
    return Instances(own, foreign)


@pytest.mark.check("TEN-012")
def test_foreign_tenant_instance_is_not_found(cast: TenantCast, instances: Instances, evidence: Evidence) -> None:
    cluster = cast.cluster
    cluster.control(cluster.call("tenant", "GET", f"/process-instances/{instances.own}"),
                    f"{cast.who!r} reading its own tenant's instance")
    answer = cluster.call("tenant", "GET", f"/process-instances/{instances.foreign}")
    evidence.record(probes=[seen(cast.who, f"GET /v2/process-instances/{instances.foreign} ({cast.foreign})", answer)])
    assert answer.status == 404, (f"{cast.who!r}, assigned to {cast.tenant!r} only, read an instance of {cast.foreign!r} "
                                  f"(HTTP {answer.status}, not 404)")


@pytest.mark.check("TEN-013")
def test_creating_in_a_foreign_tenant_is_forbidden(cast: TenantCast, instances: Instances,
                                                    evidence: Evidence) -> None:
    cluster = cast.cluster
    deployed = cluster.deploy("tenant", cast.process, cast.foreign)
    started = cluster.start("tenant", cast.process, cast.foreign)
    evidence.record(probes=[seen(cast.who, f"POST /v2/deployments ({cast.foreign})", deployed),
                            seen(cast.who, f"POST /v2/process-instances ({cast.foreign})", started)])
    let_through = [f"{call}: HTTP {answer.status}" for call, answer in (("deploying", deployed), ("starting", started))
                   if answer.status != 403]
    assert not let_through, (f"{cast.who!r}, assigned to {cast.tenant!r} only, was not refused with 403 in "
                             f"{cast.foreign!r}: " + "; ".join(let_through))


@pytest.mark.check("TEN-014")
def test_searches_return_only_own_tenants(cast: TenantCast, instances: Instances, evidence: Evidence) -> None:
    cluster = cast.cluster
    shown = cluster.instance_keys("tenant")
    evidence.record(own=instances.own, foreign=instances.foreign, shown=sorted(shown & {instances.own, instances.foreign}))
    positive(instances.own in shown, f"{cast.who!r}'s search shows its own tenant's instance")
    assert instances.foreign not in shown, (f"{cast.who!r}'s search shows an instance of {cast.foreign!r}, a tenant it "
                                            "is not assigned to")


@pytest.mark.check("TEN-015")
def test_deployment_without_tenant_id_is_refused(cast: TenantCast, evidence: Evidence) -> None:
    """The refusal is probed first: with checks off the control below (a deployment naming the tenant) is
    refused too, as the product takes no tenant but `<default>` then, and would hide the finding. The control
    still guards the pass: a cluster that refuses every deployment does not pass."""
    cluster = cast.cluster
    answer = cluster.deploy("tenant", cast.process, None)
    evidence.record(probes=[seen(cast.who, "POST /v2/deployments without tenantId", answer)])
    assert not answer.ok, (f"a deployment without a tenant id was accepted (HTTP {answer.status}, tenant "
                           f"{answer.data.get('tenantId')!r}): multi-tenancy checks are off, so no request is "
                           "checked against its caller's tenants")
    cluster.deployed("tenant", cast.process, cast.tenant)
    assert answer.status == 400, f"refused with HTTP {answer.status}, not 400 INVALID_ARGUMENT"


@pytest.mark.check("TEN-018")
def test_job_activation_hands_out_no_foreign_tenant_job(cast: TenantCast, instances: Instances,
                                                          evidence: Evidence) -> None:
    """Over REST, and over gRPC where the Target names orchestration.grpc_address: asking for the foreign
    tenant's jobs is refused or answered with none (either way the engine hands out nothing of it). The
    control: the tenant user's activation in its own tenant hands out its own instance's job."""
    cluster = cast.cluster

    def activated(tenants: list[str]) -> RestAnswer:
        return cluster.activate("tenant", tenants)

    own = cluster.control(activated([cast.tenant]), f"{cast.who!r} activating jobs in {cast.tenant!r}")
    positive(instances.own in {job.get("processInstanceKey") for job in own.data.get("jobs", ())},
             f"{cast.who!r}'s activation in {cast.tenant!r} handed out its own instance's job")
    foreign = activated([cast.foreign])
    handed = [job for job in foreign.data.get("jobs", ()) if job.get("tenantId") == cast.foreign] if foreign.ok else []
    probes = [seen(cast.who, f"POST /v2/jobs/activation ({cast.foreign})", foreign) | {"jobs": len(handed)}]
    if cluster.grpc_channel is not None:
        with cluster.grpc("tenant") as calls:
            reply = calls.activate(PROBE_JOB_TYPE, [cast.foreign], max_jobs=100)
        grpc_jobs = [job for job in (reply.response or ()) if job.tenantId == cast.foreign]
        probes.append(seen(cast.who, f"ActivateJobs ({cast.foreign})", reply) | {"jobs": len(grpc_jobs)})
        handed += grpc_jobs
    else:
        probes.append({"call": "ActivateJobs", "status": "not probed: the target names no orchestration.grpc_address"})
    evidence.record(probes=probes)
    assert not handed, (f"{cast.who!r}, assigned to {cast.tenant!r} only, was handed {len(handed)} jobs of "
                        f"{cast.foreign!r}, with their instances' variables")


# Beyond the refresh interval: the cluster's membership lookups read secondary storage, which the exporter
# fills a moment after the unassignment.
REFRESH_SLACK_S = 3.0


@pytest.mark.check("TEN-019")
def test_unassigned_tenant_leaves_the_logged_in_session(stack: Stack, cast: TenantCast, instances: Instances,
                                                        evidence: Evidence) -> None:
    """A session keeps the memberships it had at its last refresh (authentication-refresh-interval): the tenant
    user is assigned to the foreign tenant through the cluster's API (`assign_tenant`), logs in, reads that
    tenant's instance (the control: the assignment took), is unassigned, and its session must lose the tenant
    within `orchestration.session_refresh_s`. Last in the module: it changes the tenant user's assignments
    and puts them back; it never removes an assignment it did not make."""
    cluster, assignments = cast.cluster, stack.capabilities.tenant_assignments()
    bound = cluster.spec.session_refresh_s + REFRESH_SLACK_S
    path = f"/process-instances/{instances.foreign}"
    if cluster.call("tenant", "GET", path).ok:
        pytest.skip(f"{cast.who!r} already reads {cast.foreign!r}'s instance (TEN-012 judges that): an assignment "
                    "the harness did not make is not its to remove")
    assignments.set_assignment("users", cast.who, cast.foreign, assigned=True)
    try:
        tenant_user = cluster.principals["tenant"]
        assert tenant_user.password is not None, "the tenancy checks' cast is users (orchestration.tenant_user)"
        browser, logged_in, _ = cluster.rest.login(tenant_user.name, tenant_user.password)
        cluster.control(logged_in, f"{cast.who!r} logging in")

        def read() -> RestAnswer:
            return cluster.rest.call("GET", path, session=browser)

        granted = poll(read, lambda answer: answer.ok, bound)
        positive(granted.held, f"{cast.who!r}'s session reads {cast.foreign!r}'s instance within {bound:g} s of "
                               f"being assigned to it (got HTTP {granted.value.status})")
    finally:
        assignments.set_assignment("users", cast.who, cast.foreign, assigned=False)
    revoked = poll(read, lambda answer: answer.status == 404, bound)
    evidence.record(user=cast.who, tenant=cast.foreign, bound_s=bound, refresh_s=cluster.spec.session_refresh_s,
                    revocation=revoked.evidence(),
                    probes=[seen(cast.who, f"GET /v2{path} in its session, after unassignment", revoked.value)])
    assert revoked.held, (f"{revoked.elapsed_s:.1f} s after {cast.who!r} was unassigned from {cast.foreign!r}, its "
                          f"logged-in session still read that tenant's instance (HTTP {revoked.value.status}); it "
                          f"must be 404 within {bound:g} s (authentication-refresh-interval "
                          f"{cluster.spec.session_refresh_s:g} s)")
