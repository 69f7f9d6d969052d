"""SEC-001: one business unit's AppRole cannot read another unit's secrets (Vault answers 403).

Each unit logs in with its own AppRole through hvac, reads its own path (the positive control: a policy
that grants nothing would refuse everything and prove nothing), then tries every other unit's path.
"""

from __future__ import annotations

import hvac
import hvac.exceptions
import pytest

from harness.config import Target, Vault, VaultAppRole
from harness.deployment import Stack
from harness.outcome import PositiveControlFailed
from harness.report.evidence import Evidence


@pytest.fixture(scope="session")
def vault(target: Target) -> Vault:
    if target.vault is None:
        pytest.skip("the target declares no vault")
    if len(target.vault.approles) < 2:
        pytest.skip("the target names fewer than two AppRoles (vault.approles): no other unit to try")
    return target.vault


def login(stack: Stack, vault: Vault, name: str, role: VaultAppRole) -> hvac.Client:
    missing = [env for env in (role.role_id_env, role.secret_id_env) if not stack.environ.get(env)]
    if missing:
        raise RuntimeError(f"vault.approles.{name}: environment variable {missing[0]} is not set")
    client = hvac.Client(url=vault.url, verify=stack.verify)
    client.auth.approle.login(role_id=stack.environ[role.role_id_env],
                              secret_id=stack.environ[role.secret_id_env], mount_point="approle")
    return client


def read(client: hvac.Client, vault: Vault, path: str) -> None:
    client.secrets.kv.v2.read_secret_version(path, mount_point=vault.mount, raise_on_deleted_version=True)


@pytest.mark.check("SEC-001")
def test_unit_cannot_read_another_units_secrets(stack: Stack, vault: Vault, evidence: Evidence) -> None:
    leaks = []
    for name, role in vault.approles.items():
        client = login(stack, vault, name, role)
        try:
            read(client, vault, role.path)
        except hvac.exceptions.VaultError as error:
            raise PositiveControlFailed(f"{name} cannot read its own path {role.path}: "
                               f"{type(error).__name__}") from None
        for other, other_role in vault.approles.items():
            if other == name:
                continue
            try:
                read(client, vault, other_role.path)
            except hvac.exceptions.Forbidden:
                evidence.record(unit=name, path=other_role.path, status="HTTP 403")
                continue
            except hvac.exceptions.VaultError as error:
                evidence.record(unit=name, path=other_role.path, status=type(error).__name__)
                leaks.append(f"{name} -> {other_role.path}: {type(error).__name__}, not 403")
                continue
            evidence.record(unit=name, path=other_role.path, status="HTTP 200")
            leaks.append(f"{name} read {other}'s secret at {other_role.path}")
    assert not leaks, "; ".join(leaks)
