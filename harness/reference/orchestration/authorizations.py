"""The cluster's authorization model: owners, resource types, permission types, `*`, and the default roles.

`camunda.security.authorizations.enabled` (the product's default `true`; Camunda 8 Run ships `false`):
when on, nothing is allowed unless an authorization grants it to the caller, to a role it holds, or to
the client it is (no deny rules; `*` is the only wildcard, AuthorizationCheckBehavior.java). An
unprotected API has no caller, and the engine lets such anonymous commands through (its
`isAuthorizedAnonymousUser`), so checks need the API protected. The initial roles and their grants are
DefaultRoles.java's (camunda/camunda zeebe/engine/.../identity/initialize/DefaultRoles.java): `admin`
holds every permission on `*` of every resource type; `readonly-admin` every read; `connectors`,
`app-integrations` and `rpa` their few grants. Configured grants come from `initialization.authorizations`
(ConfiguredAuthorization.java: owner, resource type and id, permissions).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable, Mapping
from typing import Any

from harness.reference.orchestration.bodies import BadRequest
from harness.reference.orchestration.members import OWNER_TYPES as MEMBER_OWNER_TYPES
from harness.reference.orchestration.members import Group, Identity, MappingRule, identities, role
from harness.reference.orchestration.security import ADMIN_ROLE, Directory, Principal

WILDCARD = "*"
OWNER_TYPES = frozenset(MEMBER_OWNER_TYPES.values())
CRUD = frozenset({"CREATE", "READ", "UPDATE", "DELETE"})
# The 8.8 resource types and the permissions each supports (docs: components/concepts/access-control/
# authorizations.md, version 8.8; zeebe/gateway-protocol/.../v2/resource-permissions.json).
RESOURCE_PERMISSIONS: dict[str, frozenset[str]] = {
    **{kind: CRUD for kind in ("AUTHORIZATION", "GROUP", "MAPPING_RULE", "ROLE", "TENANT", "USER")},
    "BATCH": frozenset({"CREATE", "READ", "UPDATE", *(f"CREATE_BATCH_OPERATION_{op}" for op in (
        "CANCEL_PROCESS_INSTANCE", "DELETE_DECISION_DEFINITION", "DELETE_DECISION_INSTANCE",
        "DELETE_PROCESS_DEFINITION", "DELETE_PROCESS_INSTANCE", "MIGRATE_PROCESS_INSTANCE",
        "MODIFY_PROCESS_INSTANCE", "RESOLVE_INCIDENT"))}),
    "COMPONENT": frozenset({"ACCESS"}),
    "DECISION_DEFINITION": frozenset({"CREATE_DECISION_INSTANCE", "DELETE_DECISION_INSTANCE",
                                      "READ_DECISION_DEFINITION", "READ_DECISION_INSTANCE"}),
    "DECISION_REQUIREMENTS_DEFINITION": frozenset({"READ"}),
    "DOCUMENT": frozenset({"CREATE", "READ", "DELETE"}),
    "MESSAGE": frozenset({"CREATE", "READ"}),
    "PROCESS_DEFINITION": frozenset({"CANCEL_PROCESS_INSTANCE", "CREATE_PROCESS_INSTANCE", "DELETE_PROCESS_INSTANCE",
                                     "MODIFY_PROCESS_INSTANCE", "READ_PROCESS_DEFINITION", "READ_PROCESS_INSTANCE",
                                     "READ_USER_TASK", "UPDATE_PROCESS_INSTANCE", "UPDATE_USER_TASK"}),
    "RESOURCE": frozenset({"CREATE", "READ", "DELETE_DRD", "DELETE_FORM", "DELETE_PROCESS", "DELETE_RESOURCE"}),
    "SYSTEM": frozenset({"READ", "READ_USAGE_METRIC", "UPDATE"}),
}
# DefaultRoles.isReadPermission: what readonly-admin holds of each type.
READ_PERMISSIONS = frozenset({"ACCESS", "READ", "READ_PROCESS_INSTANCE", "READ_USER_TASK", "READ_DECISION_INSTANCE",
                              "READ_PROCESS_DEFINITION", "READ_DECISION_DEFINITION", "READ_USAGE_METRIC"})
DEFAULT_ROLE_GRANTS: dict[str, dict[str, frozenset[str]]] = {
    ADMIN_ROLE: dict(RESOURCE_PERMISSIONS),
    "readonly-admin": {kind: held & READ_PERMISSIONS for kind, held in RESOURCE_PERMISSIONS.items()
                       if held & READ_PERMISSIONS},
    "connectors": {"PROCESS_DEFINITION": frozenset({"READ_PROCESS_INSTANCE", "READ_PROCESS_DEFINITION",
                                                    "CREATE_PROCESS_INSTANCE", "UPDATE_PROCESS_INSTANCE"}),
                   "MESSAGE": frozenset({"CREATE"}), "DOCUMENT": frozenset({"CREATE", "READ", "DELETE"})},
    "app-integrations": {"PROCESS_DEFINITION": frozenset({"READ_PROCESS_DEFINITION", "CREATE_PROCESS_INSTANCE",
                                                          "READ_PROCESS_INSTANCE", "UPDATE_PROCESS_INSTANCE",
                                                          "READ_USER_TASK", "UPDATE_USER_TASK"}),
                         "DOCUMENT": frozenset({"CREATE"})},
    "rpa": {"RESOURCE": frozenset({"READ"}), "PROCESS_DEFINITION": frozenset({"UPDATE_PROCESS_INSTANCE"})},
}
DEFAULT_ROLES = tuple(DEFAULT_ROLE_GRANTS)
# AuthorizationCheckBehavior.java's refusals; ErrorMapper.java wraps an engine rejection as
# "Command '<intent>' rejected with code 'FORBIDDEN': <reason>", a read on secondary storage as "Unauthorized ...".
FORBIDDEN = "Insufficient permissions to perform operation '{permission}' on resource '{resource}'"
WITH_RESOURCE_IDS = ", required resource identifiers are one of '[{ids}]'"
REJECTED = "Command '{intent}' rejected with code 'FORBIDDEN': {reason}"
UNAUTHORIZED_READ = "Unauthorized to perform operation '{permission}' on resource '{resource}'"


class Forbidden(Exception):
    """403 FORBIDDEN with the product's detail."""


class Invalid(BadRequest):
    """400 INVALID_ARGUMENT with the product's detail."""


@dataclasses.dataclass(frozen=True)
class Authorization:
    key: int
    owner_type: str
    owner_id: str
    resource_type: str
    resource_id: str
    permissions: frozenset[str]

    def json(self) -> dict[str, Any]:
        return {"authorizationKey": str(self.key), "ownerId": self.owner_id, "ownerType": self.owner_type,
                "resourceType": self.resource_type, "resourceId": self.resource_id, "resourcePropertyName": None,
                "permissionTypes": sorted(self.permissions)}


def validated(resource_type: object, permissions: object, owner_type: object) -> tuple[str, frozenset[str], str]:
    """The request's resource type, permissions and owner type, refused as the API refuses unknown ones."""
    if resource_type not in RESOURCE_PERMISSIONS:
        raise Invalid(f"The provided resourceType '{resource_type}' is not supported")
    if owner_type not in OWNER_TYPES:
        raise Invalid(f"The provided ownerType '{owner_type}' is not supported")
    if not isinstance(permissions, list) or not permissions:
        raise Invalid("No permissionTypes provided.")
    unsupported = sorted(str(p) for p in permissions if p not in RESOURCE_PERMISSIONS[str(resource_type)])
    if unsupported:
        raise Invalid(f"Expected to create authorization with permission types '{unsupported}' and resource type "
                      f"'{resource_type}', but these permissions are not supported. Supported permission types "
                      f"are: '{sorted(RESOURCE_PERMISSIONS[str(resource_type)])}'")
    return str(resource_type), frozenset(map(str, permissions)), str(owner_type)


class Access:
    """The authorizations and roles of one cluster, and the decisions the engine makes with them."""

    def __init__(self, enabled: bool, directory: Directory, keys: Iterable[int] | None = None) -> None:
        self.enabled = enabled
        self.directory = directory
        self._keys = iter(keys) if keys is not None else itertools.count(2251799813685249)
        self.grants: dict[int, Authorization] = {}
        self.roles = {role_id: role(role_id, role_id.replace("-", " ").title()) for role_id in DEFAULT_ROLES}
        self.roles[ADMIN_ROLE].members["users"] = directory.admins  # setup/user's admin joins the role it checks
        self.groups: dict[str, Group] = {}
        self.mapping_rules: dict[str, MappingRule] = {}
        for role_id, grants in DEFAULT_ROLE_GRANTS.items():
            for resource_type, permissions in grants.items():
                self.grant("ROLE", role_id, resource_type, WILDCARD, permissions)

    @classmethod
    def from_config(cls, security: Mapping[str, Any], directory: Directory) -> Access:
        """`authorizations.enabled` and `initialization` (`defaultRoles.<role>.users|clients`,
        `authorizations[]` with ownerType, ownerId, resourceType, resourceId, permissions)."""
        access = cls(bool(security.get("authorizations", {}).get("enabled", True)), directory)
        initialization = security.get("initialization", {})
        for role_id, members in initialization.get("defaultRoles", {}).items():
            held = access.roles.setdefault(role_id, role(role_id, role_id))
            if role_id != ADMIN_ROLE:  # the admin role's users are the directory's (security.py)
                held.members["users"].update(members.get("users", ()))
            held.members["clients"].update(members.get("clients", ()))
        for entry in initialization.get("authorizations", ()):
            resource_type, permissions, owner_type = validated(entry["resourceType"], list(entry["permissions"]),
                                                               entry["ownerType"])
            access.grant(owner_type, entry["ownerId"], resource_type, entry["resourceId"], permissions)
        return access

    def grant(self, owner_type: str, owner_id: str, resource_type: str, resource_id: str,
              permissions: Iterable[str]) -> Authorization:
        created = Authorization(next(self._keys), owner_type, owner_id, resource_type, resource_id,
                                frozenset(permissions))
        self.grants[created.key] = created
        return created

    def identities(self, caller: Principal) -> set[Identity]:
        if caller.memberships is not None:
            return set(caller.memberships.identities)
        return identities(caller, self.mapping_rules.values(), self.groups.values(), self.roles.values())

    def roles_of(self, caller: Principal) -> list[str]:
        return sorted(entity for kind, entity in self.identities(caller) if kind == "roles")

    def owners(self, caller: Principal) -> set[tuple[str, str]]:
        """Every owner whose grants the caller holds: itself, its mapping rules, groups and roles."""
        return {(MEMBER_OWNER_TYPES[kind], entity) for kind, entity in self.identities(caller)}

    def resource_ids(self, caller: Principal, resource_type: str, permission: str) -> set[str]:
        owners = self.owners(caller)
        return {g.resource_id for g in self.grants.values() if (g.owner_type, g.owner_id) in owners
                and g.resource_type == resource_type and permission in g.permissions}

    def allows(self, caller: Principal | None, resource_type: str, permission: str, resource_id: str = WILDCARD) -> bool:
        if not self.enabled or caller is None:
            return True
        held = self.resource_ids(caller, resource_type, permission)
        return WILDCARD in held or resource_id in held

    def job_processes(self, caller: Principal | None) -> frozenset[str] | None:
        """The process ids whose jobs the caller may activate: PROCESS_DEFINITION:UPDATE_PROCESS_INSTANCE, as
        JobBatchCollector asks getAllAuthorizedScopes and skips every other job; None for all (a wildcard
        grant, authorizations off, or an unprotected API)."""
        if not self.enabled or caller is None:
            return None
        held = self.resource_ids(caller, "PROCESS_DEFINITION", "UPDATE_PROCESS_INSTANCE")
        return None if WILDCARD in held else frozenset(held)

    def require(self, caller: Principal | None, intent: str, resource_type: str, permission: str,
                resource_id: str | None = None) -> None:
        """A command's check: Forbidden with the engine's rejection when the caller lacks the permission."""
        if self.allows(caller, resource_type, permission, resource_id or WILDCARD):
            return
        reason = FORBIDDEN.format(permission=permission, resource=resource_type)
        if resource_id is not None:
            reason += WITH_RESOURCE_IDS.format(ids=", ".join(sorted({WILDCARD, resource_id})))
        raise Forbidden(REJECTED.format(intent=intent, reason=reason))

    def require_read(self, caller: Principal | None, resource_type: str, permission: str, resource_id: str) -> None:
        """A get by key on secondary storage: Forbidden with the query service's message."""
        if not self.allows(caller, resource_type, permission, resource_id):
            raise Forbidden(UNAUTHORIZED_READ.format(permission=permission, resource=resource_type))
