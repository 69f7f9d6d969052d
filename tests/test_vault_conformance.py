"""The reference Vault against the real hvac client, unchanged: health, tokens, AppRole, KV v2, policies,
Vault's errors, and an audit log that holds HMACs instead of tokens and secret values."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import hvac
import hvac.exceptions
import pytest
import requests

from harness.config import Vault
from harness.deployment import Stack
from harness.probes.endpoints import ANONYMOUS_ONLY


@pytest.fixture(scope="module")
def vault(local_stack: Stack) -> Vault:
    assert local_stack.target.vault is not None
    return local_stack.target.vault


def _client(stack: Stack, vault: Vault, token: str | None) -> hvac.Client:
    return hvac.Client(url=vault.url, token=token, verify=str(stack.target.ca_file))


@pytest.fixture(scope="module")
def admin(local_stack: Stack, vault: Vault) -> hvac.Client:
    assert vault.admin_token_env is not None
    return _client(local_stack, vault, local_stack.environ[vault.admin_token_env])


def _login(stack: Stack, vault: Vault, unit: str) -> hvac.Client:
    role = vault.approles[unit]
    client = _client(stack, vault, None)
    client.auth.approle.login(role_id=stack.environ[role.role_id_env], secret_id=stack.environ[role.secret_id_env])
    return client


@pytest.fixture
def secret_path(admin: hvac.Client, request: pytest.FixtureRequest) -> Iterator[str]:
    path = f"conformance/{request.node.name}"
    yield path
    admin.secrets.kv.v2.delete_metadata_and_all_versions(path)


def test_health(local_stack: Stack, vault: Vault) -> None:
    status = _client(local_stack, vault, None).sys.read_health_status(method="GET")
    assert (status["initialized"], status["sealed"], status["standby"]) == (True, False, False)
    assert status["version"]


def test_lookup_self_and_policies(admin: hvac.Client, local_stack: Stack, vault: Vault) -> None:
    assert admin.is_authenticated()
    assert "root" in admin.auth.token.lookup_self()["data"]["policies"]
    assert "bu-a" in admin.sys.list_policies()["data"]["policies"]
    rules = admin.sys.read_policy("bu-a")["data"]["rules"]
    assert 'path "secret/data/bu-a/*"' in rules
    unit = _login(local_stack, vault, "bu_a")
    looked_up = unit.auth.token.lookup_self()["data"]
    assert sorted(looked_up["policies"]) == ["bu-a", "default"] and looked_up["ttl"] > 0


def test_approle_login(local_stack: Stack, vault: Vault) -> None:
    role = vault.approles["bu_a"]
    client = _client(local_stack, vault, None)
    auth = client.auth.approle.login(role_id=local_stack.environ[role.role_id_env],
                                     secret_id=local_stack.environ[role.secret_id_env])["auth"]
    assert auth["client_token"] == client.token and auth["lease_duration"] > 0
    assert "bu-a" in auth["policies"]
    assert client.secrets.kv.v2.read_secret_version(role.path, raise_on_deleted_version=True)["data"]["data"]
    with pytest.raises(hvac.exceptions.InvalidRequest, match="invalid role or secret ID"):
        client.auth.approle.login(role_id=local_stack.environ[role.role_id_env], secret_id="wrong")


def test_kv_versions_and_cas(admin: hvac.Client, secret_path: str) -> None:
    kv = admin.secrets.kv.v2
    assert kv.create_or_update_secret(secret_path, {"v": "one"}, cas=0)["data"]["version"] == 1
    assert kv.create_or_update_secret(secret_path, {"v": "two"}, cas=1)["data"]["version"] == 2
    with pytest.raises(hvac.exceptions.InvalidRequest, match="check-and-set parameter did not match"):
        kv.create_or_update_secret(secret_path, {"v": "lost"}, cas=1)
    latest = kv.read_secret_version(secret_path, raise_on_deleted_version=True)["data"]
    assert latest["data"] == {"v": "two"} and latest["metadata"]["version"] == 2
    assert kv.read_secret_version(secret_path, version=1, raise_on_deleted_version=True)["data"]["data"] == {"v": "one"}
    metadata = kv.read_secret_metadata(secret_path)["data"]
    assert metadata["current_version"] == 2 and set(metadata["versions"]) == {"1", "2"}


def test_kv_list_delete_undelete_destroy(admin: hvac.Client, secret_path: str) -> None:
    kv = admin.secrets.kv.v2
    kv.create_or_update_secret(secret_path, {"v": "one"})
    kv.create_or_update_secret(secret_path, {"v": "two"})
    assert secret_path.rsplit("/", 1)[1] in kv.list_secrets("conformance")["data"]["keys"]
    assert "conformance/" in admin.adapter.get("/v1/secret/metadata/", params={"list": "true"})["data"]["keys"]
    kv.delete_latest_version_of_secret(secret_path)
    with pytest.raises(hvac.exceptions.InvalidPath):
        kv.read_secret_version(secret_path, raise_on_deleted_version=True)
    kv.undelete_secret_versions(secret_path, versions=[2])
    assert kv.read_secret_version(secret_path, raise_on_deleted_version=True)["data"]["data"] == {"v": "two"}
    kv.destroy_secret_versions(secret_path, versions=[1])
    assert kv.read_secret_metadata(secret_path)["data"]["versions"]["1"]["destroyed"] is True
    with pytest.raises(hvac.exceptions.InvalidPath):
        kv.read_secret_version(secret_path, version=1, raise_on_deleted_version=True)
    with pytest.raises(hvac.exceptions.InvalidPath):
        kv.read_secret_version("conformance/never-written", raise_on_deleted_version=True)


@pytest.mark.parametrize("token", [None, "hvs.not-a-token"], ids=["missing", "bad"])
def test_missing_or_bad_token_is_forbidden(local_stack: Stack, vault: Vault, token: str | None) -> None:
    client = _client(local_stack, vault, token)
    with pytest.raises(hvac.exceptions.Forbidden, match="permission denied"):
        client.secrets.kv.v2.read_secret_version(vault.approles["bu_a"].path, raise_on_deleted_version=True)
    assert not client.is_authenticated()


def test_bearer_header(local_stack: Stack, vault: Vault) -> None:
    assert vault.admin_token_env is not None
    session = requests.Session()
    session.verify = str(local_stack.target.ca_file)  # hvac applies `verify` only to a session it creates
    session.headers["Authorization"] = f"Bearer {local_stack.environ[vault.admin_token_env]}"
    client = hvac.Client(url=vault.url, session=session)
    assert client.auth.token.lookup_self()["data"]["policies"] == ["root"]


def test_unit_a_cannot_read_unit_b(local_stack: Stack, vault: Vault) -> None:
    unit_a = _login(local_stack, vault, "bu_a")
    assert unit_a.secrets.kv.v2.read_secret_version(vault.approles["bu_a"].path, raise_on_deleted_version=True)
    with pytest.raises(hvac.exceptions.Forbidden):
        unit_a.secrets.kv.v2.read_secret_version(vault.approles["bu_b"].path, raise_on_deleted_version=True)


def test_audit_log_holds_hmacs_not_values(local_stack: Stack, admin: hvac.Client, vault: Vault) -> None:
    canary = "canary-" + "7f3a9c1e5b"
    admin.secrets.kv.v2.create_or_update_secret("conformance/audit", {"password": canary})
    admin.secrets.kv.v2.read_secret_version("conformance/audit", raise_on_deleted_version=True)
    unit_a = _login(local_stack, vault, "bu_a")
    log = next(Path(str(local_stack.target.ca_file)).parents[1].glob("vault-audit.log")).read_text()
    entries = [json.loads(line) for line in log.splitlines()]
    hashed = admin.sys.calculate_hash(path="file", input_to_hash=canary)["data"]["hash"]
    assert hashed.startswith("hmac-sha256:") and hashed in log
    assert admin.sys.calculate_hash(path="file", input_to_hash=unit_a.token)["data"]["hash"] in log
    role = vault.approles["bu_a"]
    for value in (canary, admin.token, unit_a.token, local_stack.environ[role.secret_id_env]):
        assert value not in log
    assert all(e["auth"]["client_token"].startswith("hmac-sha256:") for e in entries if e["auth"]["client_token"])
    admin.secrets.kv.v2.delete_metadata_and_all_versions("conformance/audit")


def test_anonymous_check_positive_control_fits_a_least_privilege_token(local_stack: Stack, vault: Vault) -> None:
    """AUTH-030's positive control reads a declared KV path, so an operator token with only `read` there
    (here: bu_a's AppRole token, whose policy grants its own path) passes it, while listing the mount root
    (what it did before) gets 403 from such a token: Vault's ACLs need `list` on `secret/metadata/`
    (../shared/FIDELITY.md, Vault KV v2)."""
    assert vault.admin_token_env is not None and next(iter(vault.approles)) == "bu_a"
    least_privilege = str(_login(local_stack, vault, "bu_a").token)
    environ = {**local_stack.environ, vault.admin_token_env: least_privilege}
    endpoint = ANONYMOUS_ONLY["vault"].build(local_stack.target, environ)
    assert endpoint is not None and endpoint.url.endswith(f"/v1/{vault.mount}/data/{vault.approles['bu_a'].path}")
    assert endpoint.send(with_credentials=True).status == 200
    assert endpoint.send(with_credentials=False).status == 403
    listing = requests.get(f"{vault.url}/v1/{vault.mount}/metadata/?list=true", timeout=10,
                           headers={"X-Vault-Token": least_privilege}, verify=str(local_stack.target.ca_file))
    assert listing.status_code == 403
