"""Target files: loading, Camunda's environment variables, and one-line errors naming the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import config
from harness.errors import UsageError

GOOD = """
gateway: {address: zeebe.example.com:443}
identity:
  token_url: https://keycloak.example.com/auth/realms/camunda-platform/protocol/openid-connect/token
  jwks_url: https://keycloak.example.com/auth/realms/camunda-platform/protocol/openid-connect/certs
  issuer: https://keycloak.example.com/auth/realms/camunda-platform
ca_file: ca.pem
clients:
  default: {client_id_env: ZEEBE_CLIENT_ID, client_secret_env: ZEEBE_CLIENT_SECRET, audience: zeebe-api,
            tenants: [tenant-a]}
"""


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "ca.pem").write_text("not checked here\n")
    path = tmp_path / "staging.yaml"
    path.write_text(text)
    return path


def test_loads_a_target_file_with_relative_ca(tmp_path: Path) -> None:
    target = config.load(write(tmp_path, GOOD), environ={})
    assert target.name == "staging"
    assert target.gateway is not None and target.gateway.address == "zeebe.example.com:443"
    assert target.ca_file == (tmp_path / "ca.pem").resolve()
    assert target.clients["default"].tenants == ("tenant-a",)
    assert target.optimize is None


def test_camunda_environment_variables_override_the_file(tmp_path: Path) -> None:
    environ = {"ZEEBE_ADDRESS": "gw.internal:26500", "ZEEBE_TOKEN_AUDIENCE": "other-api",
               "VAULT_ADDR": "https://vault.internal:8200"}
    target = config.load(write(tmp_path, GOOD), environ=environ)
    assert target.gateway is not None and target.gateway.address == "gw.internal:26500"
    assert target.clients["default"].audience == "other-api"
    assert target.vault is not None and target.vault.url == "https://vault.internal:8200"


def test_environment_alone_describes_a_default_client(tmp_path: Path) -> None:
    target = config.load(write(tmp_path, "name: env-only\n"), environ={"ZEEBE_TOKEN_AUDIENCE": "zeebe-api"})
    assert target.clients["default"].client_id_env == "ZEEBE_CLIENT_ID"


def test_credentials_resolve_from_the_named_variables(tmp_path: Path) -> None:
    target = config.load(write(tmp_path, GOOD), environ={})
    credentials = target.credentials("default", {"ZEEBE_CLIENT_ID": "zeebe", "ZEEBE_CLIENT_SECRET": "s3cr3t-value"})
    assert credentials.client_id == "zeebe"
    assert "s3cr3t-value" not in repr(credentials)


@pytest.mark.parametrize(("text", "message"), [
    ("gateway: {address: 'no port'}\n", "gateway.address: String should match pattern"),
    ("clients: {default: {client_id_env: ZEEBE_CLIENT_ID, client_secret: hunter2hunter2, audience: a}}\n",
     "clients.default.client_secret: literal secrets are not allowed"),
    ("capabilities: [fly]\n", "capabilities: unknown capability 'fly'"),
    ("gatway: {address: a:1}\n", "gatway: Extra inputs are not permitted"),
    ("ca_file: missing.pem\n", "ca_file: no such file"),
    ("gateway: [\n", "not valid YAML"),
    ("headers: {rules: {csp: {any-of: []}}}\n", "headers.rules: csp.any-of: must be a non-empty list"),
    ("optimize: {url: 'https://o', client: ghost}\n", "optimize.client: no client 'ghost'"),
])
def test_errors_are_one_line_naming_the_field(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(UsageError) as error:
        config.load(write(tmp_path, text), environ={})
    assert message in str(error.value)
    assert "\n" not in str(error.value)
    assert "hunter2" not in str(error.value)


def test_missing_credential_variable_is_named(tmp_path: Path) -> None:
    target = config.load(write(tmp_path, GOOD), environ={})
    with pytest.raises(UsageError, match="ZEEBE_CLIENT_ID is not set"):
        target.credentials("default", {})


def test_search_credentials_come_from_the_environment_named() -> None:
    target = config.validate({"search": {"url": "https://es.internal:9200", "username": "elastic",
                                         "password_env": "ES_PASSWORD"}})
    assert target.search is not None
    user, password = target.search.basic_auth({"ES_PASSWORD": "s3cret"}) or ("", None)
    assert user == "elastic" and password is not None and password.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(target.search.basic_auth({"ES_PASSWORD": "s3cret"}))
    with pytest.raises(UsageError, match="^search.password_env: environment variable ES_PASSWORD is not set$"):
        target.search.basic_auth({})
    with pytest.raises(UsageError, match="search.password: literal secrets are not allowed"):
        config.validate({"search": {"url": "https://es.internal:9200", "password": "s3cret"}})
