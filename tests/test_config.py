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


def test_a_client_names_its_first_tenant_or_none() -> None:
    """Commands of a client on a multi-tenant gateway must name a tenant (Zeebe: INVALID_ARGUMENT "no
    tenant identifier was provided", MultiTenancyValidator); without multi-tenancy they name none."""
    client = {"client_id_env": "ID", "client_secret_env": "SECRET", "audience": "zeebe-api"}
    assert config.Client(**client).tenant == ""
    assert config.Client(**client, tenants=("tenant-a", "tenant-b")).tenant == "tenant-a"


def test_exporter_defaults_are_zeebes() -> None:
    """Zeebe's Elasticsearch exporter writes under `zeebe-record` and flushes every 5 s unless configured
    (camunda/camunda ElasticsearchExporterConfiguration: IndexConfiguration.prefix, BulkConfiguration.delay)."""
    target = config.validate({})
    assert (target.exporter.index_prefix, target.exporter.bulk_delay_s) == ("zeebe-record", 5.0)
    with pytest.raises(UsageError, match="exporter.index_prefix"):
        config.validate({"exporter": {"index_prefix": "Zeebe Record"}})


def test_an_orchestration_cluster_from_camundas_sdk_variables(tmp_path: Path) -> None:
    """The SDK's variables describe a cluster on their own: its address (the SDK appends /v2, so a /v2 given
    is the same cluster), the strategy (OAUTH is the cluster's oidc method) and the Basic user, whose
    password stays in CAMUNDA_BASIC_AUTH_PASSWORD, a secret the reports redact."""
    environ = {"CAMUNDA_REST_ADDRESS": "https://camunda.example.com:8443/v2/", "CAMUNDA_AUTH_STRATEGY": "BASIC",
               "CAMUNDA_BASIC_AUTH_USERNAME": "operator", "CAMUNDA_BASIC_AUTH_PASSWORD": "pw"}
    target = config.load(write(tmp_path, GOOD), environ=environ)
    cluster = target.orchestration
    assert cluster is not None and cluster.url == "https://camunda.example.com:8443" and cluster.auth == "basic"
    assert cluster.login_user == config.BasicUser(username="operator", password_env="CAMUNDA_BASIC_AUTH_PASSWORD")
    assert "CAMUNDA_BASIC_AUTH_PASSWORD" in target.secret_envs()
    basic = cluster.basic_auth(environ)
    assert basic is not None and basic[1].get_secret_value() == "pw"
    oauth = config.load(write(tmp_path, GOOD), environ={**environ, "CAMUNDA_AUTH_STRATEGY": "OAUTH",
                                                         "CAMUNDA_TOKEN_AUDIENCE": "orchestration-api"})
    assert oauth.orchestration is not None and oauth.orchestration.auth == "oidc"
    assert oauth.orchestration.audience == "orchestration-api"
    assert oauth.orchestration.oidc_endpoint == "https://camunda.example.com:8443"
    unauthenticated = config.load(write(tmp_path, GOOD), environ={**environ, "CAMUNDA_AUTH_STRATEGY": "NONE"})
    assert unauthenticated.orchestration is not None and unauthenticated.orchestration.auth == "none"


def test_an_orchestration_user_without_its_password_variable_names_the_variable(tmp_path: Path) -> None:
    target = config.load(write(tmp_path, GOOD + """orchestration:
  url: https://camunda.example.com
  users: {ops: {username: operator, password_env: OPS_PASSWORD}}
"""), environ={})
    assert target.orchestration is not None
    with pytest.raises(UsageError, match="OPS_PASSWORD is not set"):
        target.orchestration.basic_auth({})
    with pytest.raises(UsageError, match="orchestration.auth"):
        config.validate({"orchestration": {"url": "https://camunda.example.com", "auth": "kerberos"}})
    with pytest.raises(UsageError, match="orchestration.client: no client 'ghost' in clients"):
        config.validate({"orchestration": {"url": "https://camunda.example.com", "client": "ghost"}})


def test_the_authz_cast_names_declared_users_and_logs_in_with_their_own_passwords() -> None:
    users = {"default": {"username": "admin", "password_env": "ADMIN_PASSWORD"},
             "nobody": {"username": "nobody", "password_env": "NOBODY_PASSWORD"}}
    target = config.validate({"orchestration": {"url": "https://camunda.example.com", "users": users,
                                                "unauthorized_user": "nobody"}})
    assert target.orchestration is not None
    username, password = target.orchestration.user_login("nobody", {"NOBODY_PASSWORD": "s3cret"})
    assert (username, password.get_secret_value()) == ("nobody", "s3cret")
    with pytest.raises(UsageError, match="orchestration.process_user: no user 'ghost' in orchestration.users"):
        config.validate({"orchestration": {"url": "https://camunda.example.com", "users": users,
                                           "process_user": "ghost"}})
