"""What the reference Vault holds at start, and how the Target refers to it.

Per business unit: an ACL policy that reads only the unit's own KV folder, an AppRole carrying it, and a
downstream credential in KV (user `svc-<folder>`). The downstream system has an AppRole of its own that
reads every unit's downstream credential, to check what a worker presents against Vault's current version.
The admin token and the units' AppRole credentials are generated per run and handed to clients only through
environment variables the Target names; the KV values and the downstream's AppRole live only in the services'
config files (mode 0600). Weakness `vault_policy_too_broad` adds the other unit's folder to unit A's policy.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from harness.reference.profile import Profile

MOUNT = "secret"
ADMIN_TOKEN_ENV = "HARNESS_VAULT_ADMIN_TOKEN"
SECRET_NAME = "downstream"
DOWNSTREAM_ROLE = "downstream"
DOWNSTREAM_RULES = f'path "{MOUNT}/data/+/{SECRET_NAME}" {{\n  capabilities = ["read"]\n}}\n'


def secret_path(folder: str) -> str:
    """The KV path (under the mount) of a unit's downstream credential."""
    return f"{folder}/{SECRET_NAME}"


def account(folder: str) -> str:
    """The downstream user name of a unit."""
    return f"svc-{folder}"


def _env(unit: str, what: str) -> str:
    return f"HARNESS_{unit.upper()}_VAULT_{what}"


def _rules(folders: list[str]) -> str:
    return "".join(f'path "{MOUNT}/data/{folder}/*" {{\n  capabilities = ["read"]\n}}\n'
                   f'path "{MOUNT}/metadata/{folder}/*" {{\n  capabilities = ["read", "list"]\n}}\n'
                   for folder in folders)


def credentials(units: Mapping[str, tuple[str, str]]) -> dict[str, str]:
    """Fresh admin token and per-unit AppRole credentials, keyed by the environment variables they go in."""
    environ = {ADMIN_TOKEN_ENV: "hvs." + secrets.token_urlsafe(24)}
    for unit in units:
        environ[_env(unit, "ROLE_ID")] = secrets.token_hex(16)
        environ[_env(unit, "SECRET_ID")] = secrets.token_urlsafe(24)
    return environ


def downstream_role() -> dict[str, str]:
    """Fresh AppRole credentials of the downstream system (they go only into Vault's and its config)."""
    return {"role_id": secrets.token_hex(16), "secret_id": secrets.token_urlsafe(24)}


def settings(units: Mapping[str, tuple[str, str]], environ: Mapping[str, str], profile: Profile,
             downstream: Mapping[str, str]) -> dict[str, Any]:
    """The vault service's config: root token, policies, AppRoles and one downstream secret per unit."""
    folders = {unit: folder for unit, (folder, _) in units.items()}
    first, *others = folders
    policies = {folder: _rules([folder]) for folder in folders.values()}
    if profile.has("vault_policy_too_broad"):
        policies[folders[first]] = _rules([folders[first], *(folders[o] for o in others)])
    return {
        "root_token": environ[ADMIN_TOKEN_ENV],
        "policies": {**policies, DOWNSTREAM_ROLE: DOWNSTREAM_RULES},
        "approles": {**{folder: {"role_id": environ[_env(unit, "ROLE_ID")],
                                 "secret_id": environ[_env(unit, "SECRET_ID")], "policies": [folder]}
                        for unit, folder in folders.items()},
                     DOWNSTREAM_ROLE: {**downstream, "policies": [DOWNSTREAM_ROLE]}},
        "secrets": {secret_path(folder): {"username": account(folder), "password": secrets.token_urlsafe(18)}
                    for folder in folders.values()},
    }


def approle(unit: str, environ: Mapping[str, str]) -> dict[str, str]:
    """A unit's AppRole credentials, for its worker's config file."""
    return {"role_id": environ[_env(unit, "ROLE_ID")], "secret_id": environ[_env(unit, "SECRET_ID")]}


def target(url: str, units: Mapping[str, tuple[str, str]]) -> dict[str, Any]:
    """The Target's `vault` section: references only, never a token or secret value."""
    return {"url": url, "mount": MOUNT, "admin_token_env": ADMIN_TOKEN_ENV,
            "approles": {unit: {"role_id_env": _env(unit, "ROLE_ID"), "secret_id_env": _env(unit, "SECRET_ID"),
                                "path": secret_path(folder)}
                         for unit, (folder, _) in units.items()}}
