"""The Orchestration Cluster's cast as the authz and tenancy checks use it: the Target's principals by role
(the admin, one without authorizations, one with a single-process grant, one tenant's user) and the few
calls the checks make as each of them, over raw HTTP or gRPC so each sends exactly its own credential. On a
cluster with basic authentication the cast is users; on one that takes tokens (oidc), whose users live in
the identity provider, it is Target clients, each sending a token of its own.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Callable, Iterable
from typing import Any

import grpc
import pytest

from harness.clients.bpmn import one_task_process
from harness.clients.gateway import GatewayCalls, Reply, basic_authorization
from harness.clients.orchestration import OrchestrationRest, RestAnswer
from harness.config import Orchestration
from harness.deployment import Stack
from harness.outcome import positive
from harness.waiting import poll

# The product's default tenant: a cluster with multi-tenancy checks off takes no other, and with checks on
# the admin role and the Target's process user are in it.
DEFAULT_TENANT = "<default>"
# AuthorizationCheckBehavior.java's refusal of a command in a tenant the caller is not assigned to.
NOT_IN_TENANT = "but user is not assigned to this tenant"
# MultiTenancyValidator's refusal of any tenant but `<default>` when multi-tenancy checks are off (ErrorMessages).
MT_DISABLED = "but multi-tenancy is disabled"
# Reads go to secondary storage, which the exporter fills a little after a command (eventually consistent):
# a read check first waits until the admin sees what it started, or an absence would prove nothing.
INDEX_WAIT_S = 30.0
# The job type the checks' processes wait on: no worker serves it, so their instances stay active.
PROBE_JOB_TYPE = "harness-authz-probe"
# Job activation as the checks ask it: a short lock, so the jobs one check activates are free again for the
# next, and no long polling (a negative request timeout): the instances' jobs exist before a check asks.
ACTIVATION = {"type": PROBE_JOB_TYPE, "timeout": 1000, "maxJobsToActivate": 100, "requestTimeout": -1}


# How long a client's token is reused: a poll of many calls must not fetch one per call, and no token the
# checks use may be near its end (identity providers issue them for minutes).
TOKEN_REUSE_S = 20.0


class ReusedToken:
    """A Target client's token, fetched again once TOKEN_REUSE_S has passed."""

    def __init__(self, fetch: Callable[[], str]) -> None:
        self.fetch = fetch
        self.token, self.fetched = "", -TOKEN_REUSE_S

    def __call__(self) -> str:
        if time.monotonic() - self.fetched >= TOKEN_REUSE_S:
            self.token, self.fetched = self.fetch(), time.monotonic()
        return self.token


@dataclasses.dataclass(frozen=True)
class Principal:
    """Who a cast role is on the cluster: a basic user (`password`), or a Target client whose tokens it takes
    (`token`). `name` is what the cluster knows it by: the username, or the client id grants name."""

    name: str
    # Out of the repr, as Stack.environ is: pytest shows the values in a failing assertion.
    password: str | None = dataclasses.field(default=None, repr=False)
    token: Callable[[], str] | None = None

    @property
    def owner_type(self) -> str:
        return "USER" if self.password is not None else "CLIENT"

    def credential(self) -> dict[str, Any]:
        """The keyword OrchestrationRest's calls take: `basic` or `bearer`."""
        if self.password is not None:
            return {"basic": (self.name, self.password)}
        assert self.token is not None
        return {"bearer": self.token()}

    def authorization(self) -> str:
        """The gRPC `authorization` metadata value."""
        if self.password is not None:
            return basic_authorization(self.name, self.password)
        assert self.token is not None
        return f"Bearer {self.token()}"


def principal(stack: Stack, spec: Orchestration, role: str) -> Principal:
    """The Target's principal for `role` on the cluster at `orchestration.url`; the catalog declares it."""
    name = spec.cast_member(role)
    assert name is not None, f"the check declares its need for orchestration.{role}_principal"
    if spec.auth == "oidc":
        client_id = stack.credentials(name).client_id
        return Principal(client_id, token=ReusedToken(functools.partial(stack.token, name, spec.audience)))
    username, password = spec.user_login(name, stack.environ)
    return Principal(username, password.get_secret_value())


@dataclasses.dataclass(frozen=True)
class Cluster:
    spec: Orchestration
    rest: OrchestrationRest
    principals: dict[str, Principal]
    # A new channel to the cluster's gRPC API (orchestration.grpc_address), where the Target declares it.
    grpc_channel: Callable[[], grpc.Channel] | None = None

    @classmethod
    def of(cls, stack: Stack, *roles: str) -> Cluster:
        """The cluster and the principals the Target names for `roles` (`unauthorized_user`, or on an oidc
        cluster `unauthorized_client`, ...), the admin always; the catalog declares them as needs."""
        spec = stack.target.orchestration
        assert spec is not None, "the checks declare their need for an orchestration section"
        principals = {role: principal(stack, spec, role) for role in ("admin", *roles)}
        address = spec.grpc_address
        channel = None if address is None else functools.partial(stack.channel, address, True)
        return cls(spec, OrchestrationRest(spec.url, stack.verify), principals, channel)

    def user(self, role: str) -> str:
        return self.principals[role].name

    def deploy(self, role: str, process_id: str, tenant: str | None = DEFAULT_TENANT) -> RestAnswer:
        return self.rest.deploy(f"{process_id}.bpmn", one_task_process(process_id, PROBE_JOB_TYPE), tenant,
                                **self.principals[role].credential())

    def start(self, role: str, process_id: str, tenant: str = DEFAULT_TENANT) -> RestAnswer:
        return self.call(role, "POST", "/process-instances", {"processDefinitionId": process_id, "tenantId": tenant})

    def grpc(self, role: str) -> GatewayCalls:
        """The cluster's gRPC API as `role`, with its own credential (the check declares
        orchestration.grpc_address)."""
        assert self.grpc_channel is not None, "the check declares its need for orchestration.grpc_address"
        return GatewayCalls(self.grpc_channel(), self.principals[role].authorization())

    def deploy_grpc(self, role: str, process_id: str, tenant: str = DEFAULT_TENANT) -> Reply:
        with self.grpc(role) as calls:
            return calls.deploy(one_task_process(process_id, PROBE_JOB_TYPE), tenant, f"{process_id}.bpmn")

    def start_grpc(self, role: str, process_id: str, tenant: str = DEFAULT_TENANT) -> Reply:
        with self.grpc(role) as calls:
            return calls.start(process_id, tenant)

    def instance_keys(self, role: str) -> set[str]:
        """The keys of the instances a search as `role` returns."""
        answer = self.call(role, "POST", "/process-instances/search", {"page": {"limit": 1000}})
        positive(answer.ok, f"{self.user(role)!r}'s process instance search got HTTP {answer.status}")
        return {str(item.get("processInstanceKey")) for item in answer.items}

    def indexed(self, keys: Iterable[str]) -> set[str]:
        """Wait until the admin's search shows every instance in `keys` (a positive control); its keys."""
        wanted = set(keys)
        shown = poll(lambda: self.instance_keys("admin"), lambda found: wanted <= found, INDEX_WAIT_S).value
        positive(wanted <= shown, f"the admin's search did not show instances {sorted(wanted - shown)} within "
                                  f"{INDEX_WAIT_S:.0f} s")
        return shown

    def call(self, role: str, method: str, path: str, body: dict[str, Any] | None = None) -> RestAnswer:
        return self.rest.call(method, path, body=body, **self.principals[role].credential())

    def activate(self, role: str, tenants: list[str]) -> RestAnswer:
        """`POST /v2/jobs/activation` of the probe job type in `tenants`, as `role`."""
        return self.call(role, "POST", "/jobs/activation", {**ACTIVATION, "tenantIds": tenants})

    def control(self, answer: RestAnswer, what: str) -> RestAnswer:
        """A positive control: `what` must succeed, else the refusals that follow prove nothing."""
        positive(answer.ok, f"{what} got HTTP {answer.status} {answer.title}: {answer.detail[:160]}")
        return answer

    def tenant_refusal_ruled_out(self, role: str, answer: RestAnswer) -> None:
        """A refusal an authz check judges must be about permissions: one for the tenant (the user not in
        `<default>` on a cluster with multi-tenancy checks on) would pass the check whatever the grants."""
        positive(NOT_IN_TENANT not in answer.detail, f"{self.user(role)!r} was refused for its tenant, not its "
                 f"permissions ({answer.detail[:160]}): assign it to {DEFAULT_TENANT!r}")

    def deployed(self, role: str, process_id: str, tenant: str = DEFAULT_TENANT) -> None:
        """Deploy as `role` (a positive control). A cluster with multi-tenancy checks off takes no tenant but
        `<default>`, so there is no isolation between tenants to judge: the check skips and says so (TEN-015
        judges the setting itself)."""
        answer = self.deploy(role, process_id, tenant)
        if tenant != DEFAULT_TENANT and answer.status == 400 and MT_DISABLED in answer.detail:
            pytest.skip(f"the cluster takes no tenant but {DEFAULT_TENANT!r} ({tenant!r}: HTTP 400 "
                        f"{answer.detail[:160]}): multi-tenancy checks are off, which TEN-015 judges")
        self.control(answer, f"{self.user(role)!r} deploying {process_id!r} to {tenant!r}")

    def started(self, role: str, process_id: str, tenant: str = DEFAULT_TENANT) -> str:
        """Start `process_id` as `role` (a positive control); the instance key."""
        answer = self.control(self.start(role, process_id, tenant),
                              f"{self.user(role)!r} starting {process_id!r} in {tenant!r}")
        return str(answer.data.get("processInstanceKey"))


def seen(who: str, call: str, answer: RestAnswer | Reply) -> dict[str, Any]:
    """One probe's facts for the evidence (a check records its list of them once)."""
    if isinstance(answer, Reply):
        return {"who": who, "call": call, "status": answer.code.name, "detail": answer.details[:200]}
    return {"who": who, "call": call, "status": answer.status, "title": answer.title, "detail": answer.detail[:200]}
