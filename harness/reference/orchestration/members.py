"""Who a caller is in the cluster's Identity: itself, the mapping rules its token matches, the groups and
roles it is a member of. Authorizations are granted to any of these owners, and tenants take any of them
as members (docs 8.8, access-control/authorizations.md: "Permissions are inherited through roles and
groups"; AuthorizationCheckBehavior.java collects the owners the same way).

A mapping rule matches a token whose claim `claimName` equals `claimValue` (or, for a list claim,
contains it): that is how OIDC principals get grants and memberships without being named one by one.
Groups are members of roles and tenants; roles of tenants.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from harness.reference.orchestration.security import Principal

# The member kinds as the REST paths name them, and the owner type each is in an authorization.
OWNER_TYPES = {"users": "USER", "clients": "CLIENT", "mapping-rules": "MAPPING_RULE", "groups": "GROUP",
               "roles": "ROLE"}
Identity = tuple[str, str]  # (member kind, id)


@dataclasses.dataclass
class Group:
    """A group, role or tenant: its id (`id_field` names it in the API), name and members by kind."""

    id_field: str
    entity_id: str
    name: str
    members: dict[str, set[str]] = dataclasses.field(default_factory=lambda: {kind: set() for kind in OWNER_TYPES})

    def holds(self, identities: Iterable[Identity]) -> bool:
        return any(entity in self.members[kind] for kind, entity in identities)

    def json(self) -> dict[str, Any]:
        return {self.id_field: self.entity_id, "name": self.name, "description": ""}


def group(group_id: str, name: str) -> Group:
    return Group("groupId", group_id, name)


def role(role_id: str, name: str) -> Group:
    return Group("roleId", role_id, name)


def tenant(tenant_id: str, name: str) -> Group:
    return Group("tenantId", tenant_id, name)


@dataclasses.dataclass(frozen=True)
class MappingRule:
    entity_id: str
    name: str
    claim_name: str
    claim_value: str

    def matches(self, claims: Mapping[str, Any]) -> bool:
        held = claims.get(self.claim_name)
        return held == self.claim_value or (isinstance(held, list) and self.claim_value in held)

    def json(self) -> dict[str, Any]:
        return {"mappingRuleId": self.entity_id, "name": self.name, "claimName": self.claim_name,
                "claimValue": self.claim_value}


def identities(caller: Principal, rules: Iterable[MappingRule], groups: Iterable[Group],
               roles: Iterable[Group]) -> set[Identity]:
    """The caller, its matching mapping rules, the groups holding either, then the roles holding any."""
    found: set[Identity] = {("users" if caller.kind == "user" else "clients", caller.name)}
    found |= {("mapping-rules", rule.entity_id) for rule in rules if rule.matches(caller.claims)}
    found |= {("groups", held.entity_id) for held in groups if held.holds(found)}
    return found | {("roles", held.entity_id) for held in roles if held.holds(found)}
