"""The authz and tenancy checks' cast created in the Orchestration Cluster through its own REST API v2 (Camunda
8.8+): the adapter behind `provision_cast` (harness.capabilities).

A real cluster rarely has users holding exactly the cast's grants (harness.cast), and asking an operator to
create three users, their passwords and five authorizations by hand is how a nightly run ends up judging a
user who holds more than the checks assume. With `provision_cast` the harness makes what the Target leaves
out, as the Target's admin login (`orchestration.users.default`, holding USER, AUTHORIZATION and TENANT
permissions as the admin role does):

- users `harness-cast-<role>-<unix time>-<random>` (`POST /v2/users`) with fresh random passwords that only this run knows
  (handed to the redactor like every Target secret), assigned to their tenants
  (`PUT /v2/tenants/{tenantId}/users/{username}`) and holding their grants (`POST /v2/authorizations`);
- where the Target states no `tenant`/`foreign_tenant`, the tenants `harness-own` and `harness-foreign`
  (`POST /v2/tenants`, the admin assigned to both), and `harness-authz-granted` as `granted_process`.

When the run ends the users lose their assignments and authorizations and are deleted (`DELETE` on each
path); the two tenants stay, as the instances the checks leave in them do, and the next run reuses them. A
run killed before its end leaves its users (whose passwords were never written anywhere): the next run
deletes those older than a day, with their authorizations, found by a `$like` search on the name.
A new user logs in once the exporter has written it to secondary storage (CamundaUserDetailsService finds
users by a search, camunda/camunda authentication/), so the cast is handed to the checks only once each
user's `GET /v2/authentication/me` answers and the admin's authorization search shows its grants.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
import time
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import requests

from harness import cast
from harness.clients.cluster_tenants import ClusterTenantAssignments, quoted
from harness.clients.orchestration import RestAnswer
from harness.config import BasicUser, Orchestration
from harness.deployment import Stack
from harness.errors import StackError, UsageError
from harness.waiting import poll

GRANTED_PROCESS = "harness-authz-granted"
TENANTS = {"tenant": "harness-own", "foreign_tenant": "harness-foreign"}
# The roles each scenario's checks log in as: a run provisions only what its scenarios use.
SCENARIO_ROLES = {"authz": ("unauthorized", "process"), "tenancy": ("tenant",)}
# How long a created user and its grants may take to reach secondary storage (the exporter's delay).
VISIBLE_WITHIN_S = 60.0
# A cast user's name carries its creation time; one older than any run lasts was left by a killed run.
CAST_USER = re.compile(r"harness-cast-[a-z]+-(\d+)-[0-9a-f]+")
STALE_CAST_S = 24 * 3600


def missing_roles(spec: Orchestration, scenarios: Iterable[str]) -> list[str]:
    """The cast roles the selected scenarios log in as that the Target does not name."""
    return [role for scenario in scenarios for role in SCENARIO_ROLES.get(scenario, ())
            if getattr(spec, f"{role}_user") is None]


class ClusterCast:
    """Creates the cast the Target leaves out and, on `remove`, undoes exactly what it created."""

    def __init__(self, spec: Orchestration, assignments: ClusterTenantAssignments) -> None:
        self.spec = spec
        self.assignments = assignments
        self.admin = assignments.login
        self.rest = assignments.rest
        # The DELETE path of each thing created, oldest first: `remove` deletes newest first, so a user's
        # grants and tenant assignments go before the user.
        self.created: list[str] = []

    def provision(self, roles: list[str], progress: Callable[[str], None]) -> tuple[Orchestration, dict[str, str]]:
        """The Target's orchestration section with the users of `roles` (and what they need) filled in, and
        their passwords by the variable each new `users` entry names."""
        progress(f"creating the cast in the Orchestration Cluster: {', '.join(roles)} "
                 f"(provision_cast; removed when the run ends)")
        try:
            return self._provision(roles)
        except requests.RequestException as exc:
            raise StackError(f"orchestration.url: provisioning the cast failed: {type(exc).__name__}") from None

    def _provision(self, roles: list[str]) -> tuple[Orchestration, dict[str, str]]:
        fields: dict[str, Any] = {"granted_process": self.spec.granted_process or GRANTED_PROCESS}
        if "tenant" in roles:
            fields |= self._tenants()
        self._sweep()
        run = f"{int(time.time())}-{secrets.token_hex(3)}"
        users, passwords, expected = dict(self.spec.users), {}, {}
        for role in roles:
            username, password = f"harness-cast-{role}-{run}", secrets.token_urlsafe(24)
            env = f"HARNESS_CAST_{role.upper()}_PASSWORD"
            tenants = cast.tenants(role, fields.get("tenant", self.spec.tenant) or "")
            keys = self._user(role, username, password, tenants, fields["granted_process"])
            users[f"harness-cast-{role}"] = BasicUser(username=username, password_env=env)
            passwords[env] = password
            expected[username] = (password, tenants, keys)
            fields[f"{role}_user"] = f"harness-cast-{role}"
        self._await_visible(expected)
        return self.spec.model_copy(update={**fields, "users": users}), passwords

    def _sweep(self) -> None:
        """Delete the cast users a killed run left behind (older than STALE_CAST_S), their grants first."""
        found = self._call("POST", "/users/search", {"filter": {"username": {"$like": "harness-cast-*"}},
                                                     "page": {"limit": 1000}})
        for item in found.items:
            username = str(item.get("username"))
            created = CAST_USER.fullmatch(username)
            if created is None or int(created.group(1)) >= time.time() - STALE_CAST_S:
                continue
            grants = self._call("POST", "/authorizations/search", {"filter": {"ownerId": username},
                                                                   "page": {"limit": 1000}})
            for grant in grants.items:
                self._call("DELETE", f"/authorizations/{quoted(str(grant.get('authorizationKey')))}")
            self._call("DELETE", f"/users/{quoted(username)}")

    def _tenants(self) -> dict[str, str]:
        """The tenancy checks' two tenants: the Target's, else the harness's own (created once, kept)."""
        stated = {field: getattr(self.spec, field) for field in TENANTS}
        if all(stated.values()):
            return {}
        if any(stated.values()):
            missing = next(field for field, value in stated.items() if not value)
            raise UsageError(f"orchestration.{missing}: state both tenants or neither (provision_cast creates "
                             f"{TENANTS['tenant']!r} and {TENANTS['foreign_tenant']!r})")
        for tenant_id in TENANTS.values():
            answer = self._call("POST", "/tenants", {"tenantId": tenant_id, "name": tenant_id})
            self._required(answer.ok or answer.status == 409, f"creating tenant {tenant_id!r}", answer)
            self.assignments.set_assignment("users", self.admin[0], tenant_id, assigned=True)
        return dict(TENANTS)

    def _user(self, role: str, username: str, password: str, tenants: tuple[str, ...], process: str) -> set[str]:
        """Create one cast user with its tenants and grants; the keys of its authorizations."""
        answer = self._call("POST", "/users", {"username": username, "password": password,
                                               "name": f"harness {role} user", "email": f"{username}@example.com"})
        self._required(answer.ok, f"creating user {username!r}", answer)
        self.created.append(f"/users/{quoted(username)}")
        for tenant_id in tenants:
            self.assignments.set_assignment("users", username, tenant_id, assigned=True)
            self.created.append(f"/tenants/{quoted(tenant_id)}/users/{quoted(username)}")
        keys = set()
        for grant in cast.grants(role, process):
            answer = self._call("POST", "/authorizations", {
                "ownerId": username, "ownerType": "USER", "resourceType": grant.resource_type,
                "resourceId": grant.resource_id, "permissionTypes": list(grant.permissions)})
            key = str(answer.data.get("authorizationKey", ""))
            self._required(answer.ok and bool(key), f"granting {grant.resource_type} to {username!r}", answer)
            self.created.append(f"/authorizations/{quoted(key)}")
            keys.add(key)
        return keys

    def _await_visible(self, expected: dict[str, tuple[str, tuple[str, ...], set[str]]]) -> None:
        """Wait until every new user logs in with its tenants and the admin's search shows its grants."""
        admin_lists_tenants = bool(self._call("GET", "/authentication/me").data.get("tenants"))

        def pending() -> list[str]:
            missing = []
            granted = {str(item.get("authorizationKey")) for item in self._call(
                "POST", "/authorizations/search", {"page": {"limit": 1000}}).items}
            for username, (password, tenants, keys) in expected.items():
                me = self.rest.call("GET", "/authentication/me", basic=(username, password))
                listed = {str(item.get("tenantId")) for item in me.data.get("tenants") or () if isinstance(item, dict)}
                if not me.ok:
                    missing.append(f"{username!r} cannot log in yet (HTTP {me.status})")
                elif admin_lists_tenants and not set(tenants) <= listed:
                    missing.append(f"{username!r} is not yet in {sorted(set(tenants) - listed)}")
                if not keys <= granted:
                    missing.append(f"{username!r}'s authorizations are not yet searchable")
            return missing

        waited = poll(pending, lambda missing: not missing, VISIBLE_WITHIN_S)
        if not waited.held:
            raise StackError(f"orchestration.url: the cast was created but {waited.value[0]} after "
                             f"{VISIBLE_WITHIN_S:.0f} s (is the cluster's exporter running?)")

    def remove(self) -> list[str]:
        """Delete what `provision` created, newest first; what could not be deleted (a 404 is gone already)."""
        left = []
        while self.created:
            path = self.created.pop()
            try:
                answer = self._call("DELETE", path)
            except requests.RequestException as exc:
                left.append(f"DELETE /v2{path}: {type(exc).__name__}")
                continue
            if not answer.ok and answer.status != 404:
                left.append(f"DELETE /v2{path}: HTTP {answer.status}")
        return left

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> RestAnswer:
        return self.rest.call(method, path, basic=self.admin, body=body)

    def _required(self, held: bool, what: str, answer: RestAnswer) -> None:
        if not held:
            raise StackError(f"orchestration.users.{self.spec.login_key}: {what} as the admin login got HTTP "
                             f"{answer.status} {answer.title}: {answer.detail[:160]} (provision_cast needs the admin role)")


class CastLeftBehind(UserWarning):
    """Part of the cast could not be removed from the cluster when the run ended."""


def provisioned(stack: Stack, scenarios: Iterable[str], progress: Callable[[str], None]) -> Stack:
    """`stack` with the cast the selected scenarios use created where the target declares `provision_cast`
    and leaves it out; the cast is removed when the stack closes (a failed creation removes its part at once)."""
    spec = stack.target.orchestration
    roles = missing_roles(spec, scenarios) if spec is not None else []
    if "provision_cast" not in stack.target.capabilities or spec is None or not roles:
        return stack
    provisioner = ClusterCast(spec, ClusterTenantAssignments(stack))

    def remove() -> None:
        left = provisioner.remove()
        if left:
            warnings.warn(CastLeftBehind("provision_cast: could not remove " + "; ".join(left)), stacklevel=1)

    try:
        filled, passwords = provisioner.provision(roles, progress)
    except BaseException:
        remove()
        raise
    return dataclasses.replace(stack, target=stack.target.model_copy(update={"orchestration": filled}),
                               environ={**stack.environ, **passwords}, cleanups=(*stack.cleanups, remove))
