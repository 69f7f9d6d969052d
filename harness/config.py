"""The Target: the deployment under test, loaded from a YAML file plus Camunda's environment variables.

Credentials are references (environment variable names), never values, so a target file can be committed
and a printed Target can be shared. Every validation error is one line that names the field.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pydantic
import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from harness.errors import UsageError
from harness.probes.headers import load_rules

KNOWN_CAPABILITIES = frozenset({"mint_token", "rotate_signing_key", "grant_tenant", "rotate_secret",
                                "stop_service"})
LITERAL_SECRET_KEYS = frozenset({"client_secret", "secret", "password", "token", "api_key"})


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Gateway(_Model):
    address: str = Field(pattern=r"^[^\s:/]+:\d{1,5}$", description="host:port through the auth proxy")
    tls: bool = True
    direct_address: str | None = Field(default=None, pattern=r"^[^\s:/]+:\d{1,5}$")
    # A gateway in auth mode identity with multi-tenancy, over TLS; tenancy checks use `address` without it.
    tenancy_address: str | None = Field(default=None, pattern=r"^[^\s:/]+:\d{1,5}$")


class Identity(_Model):
    token_url: str = Field(pattern=r"^https?://")
    jwks_url: str = Field(pattern=r"^https?://")
    issuer: str
    admin_url: str | None = Field(default=None, pattern=r"^https?://")
    admin_client: str | None = None
    # Bounds the deployment promises: a retired signing key stops verifying, and a revoked tenant grant
    # stops working, at most this many seconds later (JWKS cache TTL, tenant cache TTL).
    key_rotation_s: float | None = Field(default=None, gt=0, le=600)
    tenant_grant_ttl_s: float | None = Field(default=None, gt=0, le=600)


class HttpService(_Model):
    url: str = Field(pattern=r"^https?://")
    http_url: str | None = Field(default=None, pattern=r"^http://",
                                 description="the service's plain-HTTP address, if it has one (Optimize's "
                                             "container port); checks prove it is closed or redirects")


class Optimize(HttpService):
    """Optimize: its public API takes Identity tokens for `audience` (Optimize's `api.audience`).

    `single_tenant_url` is an Optimize with `multitenancy.enabled: false` over the same data (where the
    deployment has one), and `collection_ids` the collections whose reports the tenancy checks read.
    """

    audience: str | None = None
    single_tenant_url: str | None = Field(default=None, pattern=r"^https?://")
    collection_ids: tuple[str, ...] = ()
    # The Target client that uses Optimize: the load test and the headers scenario call the public API with
    # its token (for `audience`). Where Optimize has a form login taking client credentials (`login_form`,
    # the reference stack's), the headers scenario logs in with them to judge the session cookie; Camunda 8's
    # Optimize logs in through Identity's browser redirect, which a probe cannot drive. `static_path` is a
    # bundle path of the deployed version.
    client: str | None = None
    login_form: bool = False
    static_path: str = Field(default="/static/app.js", pattern=r"^/")


class HeaderPolicy(_Model):
    """Header rules the target replaces by name (drheader rulesets, see harness/probes/header_rules.yaml)."""

    rules: dict[str, dict[str, Any]] = {}

    @pydantic.field_validator("rules")
    @classmethod
    def _rules_parse(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        try:
            load_rules(value)
        except UsageError as exc:
            raise ValueError(str(exc).removeprefix("headers.rules.")) from None
        return value


class SearchService(HttpService):
    """Elasticsearch: its URL and the basic-auth user clients log in as, the password in `password_env`."""

    username: str | None = None
    password_env: str | None = Field(default=None, pattern=r"^[A-Z_][A-Z0-9_]*$")

    def basic_auth(self, environ: Mapping[str, str] = os.environ) -> tuple[str, SecretStr] | None:
        """(username, password) from the environment, None when undeclared; errors name the variable."""
        if self.username is None or self.password_env is None:
            return None
        if not environ.get(self.password_env):
            raise UsageError(f"search.password_env: environment variable {self.password_env} is not set")
        return self.username, SecretStr(environ[self.password_env])


class VaultAppRole(_Model):
    role_id_env: str = Field(pattern=r"^[A-Z_][A-Z0-9_]*$")
    secret_id_env: str = Field(pattern=r"^[A-Z_][A-Z0-9_]*$")
    path: str = Field(description="the KV v2 path (under the mount) this AppRole may read")


class Vault(HttpService):
    """Vault, and the environment variables that hold its credentials (never the credentials)."""

    mount: str = "secret"
    admin_token_env: str | None = Field(default=None, pattern=r"^[A-Z_][A-Z0-9_]*$")
    approles: dict[str, VaultAppRole] = {}


class Operate(HttpService):
    """Operate's public API; `audience` is the one its tokens must carry (Identity's Operate API)."""

    audience: str | None = None


class Worker(_Model):
    """A business unit's job-worker runtime as the secrets checks see it from outside: its management
    endpoint, the job type and allowlisted process it serves, and what it promises (its retry back-off).
    Its Vault AppRole and KV path are `vault.approles` under the same name."""

    actuator_url: str = Field(pattern=r"^https?://", description="base of the Spring-style actuator, e.g. "
                                                                   "https://worker:8080/actuator")
    job_type: str = Field(min_length=1)
    bpmn_process_id: str = Field(min_length=1, description="a process in the worker's allowlist")
    vault_url: str = Field(pattern=r"^[a-z]+://", description="the Vault address the worker is configured with")
    retry_backoff_ms: int = Field(gt=0, le=600_000)
    log_file: Path | None = Field(default=None, description="the worker's log, where the harness can read it")


class Client(_Model):
    client_id_env: str = Field(pattern=r"^[A-Z_][A-Z0-9_]*$")
    client_secret_env: str = Field(pattern=r"^[A-Z_][A-Z0-9_]*$")
    audience: str
    tenants: tuple[str, ...] = ()


class LoadSlo(_Model):
    """The hot path's objectives for valid callers under load; the defaults suit the reference stack."""

    p95_ms: float = Field(default=250.0, gt=0)
    p99_ms: float = Field(default=500.0, gt=0)
    max_error_ratio: float = Field(default=0.01, ge=0, le=1)
    min_rps: float = Field(default=50.0, ge=0)


class Credentials(_Model):
    client_id: str
    client_secret: SecretStr


class Target(_Model):
    name: str = "target"
    gateway: Gateway | None = None
    identity: Identity | None = None
    optimize: Optimize | None = None
    operate: Operate | None = None
    search: SearchService | None = None
    vault: Vault | None = None
    ca_file: Path | None = None
    clients: dict[str, Client] = {}
    workers: dict[str, Worker] = {}
    capabilities: frozenset[str] = frozenset()
    load: LoadSlo = LoadSlo()
    headers: HeaderPolicy = HeaderPolicy()

    @pydantic.model_validator(mode="after")
    def _workers_have_approles(self) -> Target:
        approles = self.vault.approles if self.vault is not None else {}
        for name in self.workers:
            if name not in approles:
                raise ValueError(f"workers.{name}: no vault.approles.{name} names the worker's AppRole and KV path")
        return self

    @pydantic.field_validator("capabilities")
    @classmethod
    def _known_capabilities(cls, value: frozenset[str]) -> frozenset[str]:
        unknown = sorted(value - KNOWN_CAPABILITIES)
        if unknown:
            raise ValueError(f"unknown capability {unknown[0]!r}; valid: {', '.join(sorted(KNOWN_CAPABILITIES))}")
        return value

    @pydantic.model_validator(mode="after")
    def _client_declared(self) -> Target:
        if self.optimize is not None and self.optimize.client not in (None, *self.clients):
            raise ValueError(f"optimize.client: no client {self.optimize.client!r} in clients")
        return self

    @pydantic.field_validator("ca_file")
    @classmethod
    def _ca_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"no such file: {value}")
        return value

    def secret_envs(self) -> list[str]:
        """Every environment variable the Target names whose value is a secret (for redaction)."""
        names = [client.client_secret_env for client in self.clients.values()]
        if self.search is not None and self.search.password_env:
            names.append(self.search.password_env)
        if self.vault is not None:
            names += [self.vault.admin_token_env] if self.vault.admin_token_env else []
            names += [env for role in self.vault.approles.values() for env in (role.role_id_env, role.secret_id_env)]
        return names

    def credential_envs(self) -> list[str]:
        """Every environment variable the Target names for credentials: client ids and all secrets."""
        return [client.client_id_env for client in self.clients.values()] + self.secret_envs()

    def credentials(self, client: str, environ: Mapping[str, str] = os.environ) -> Credentials:
        """Resolve a client's credentials from the environment it names; errors name the variable."""
        try:
            ref = self.clients[client]
        except KeyError:
            raise UsageError(f"clients.{client}: the target declares no such client") from None
        missing = [env for env in (ref.client_id_env, ref.client_secret_env) if not environ.get(env)]
        if missing:
            raise UsageError(f"clients.{client}: environment variable {missing[0]} is not set")
        return Credentials(client_id=environ[ref.client_id_env],
                           client_secret=SecretStr(environ[ref.client_secret_env]))

    def public_json(self) -> dict[str, Any]:
        """The Target as DESIGN section 4 prints it: every service key present, `null` where absent."""
        data = self.model_dump(mode="json")
        data["capabilities"] = sorted(self.capabilities)
        return data


# Camunda's own variable names, applied over the file: (environment variable, dotted field).
ENVIRONMENT_OVERRIDES: tuple[tuple[str, str], ...] = (
    ("ZEEBE_ADDRESS", "gateway.address"),
    ("ZEEBE_AUTHORIZATION_SERVER_URL", "identity.token_url"),
    ("ZEEBE_TOKEN_AUDIENCE", "clients.default.audience"),
    ("ZEEBE_CA_CERTIFICATE_PATH", "ca_file"),
    ("CAMUNDA_OPTIMIZE_BASE_URL", "optimize.url"),
    ("ELASTICSEARCH_URL", "search.url"),
    ("VAULT_ADDR", "vault.url"),
    ("VAULT_CACERT", "ca_file"),
)
DEFAULT_CLIENT = {"client_id_env": "ZEEBE_CLIENT_ID", "client_secret_env": "ZEEBE_CLIENT_SECRET"}


def _set_dotted(data: dict[str, Any], dotted: str, value: str) -> None:
    *parents, leaf = dotted.split(".")
    node = data
    for depth, key in enumerate(parents, start=1):
        if node.get(key) is None:
            node[key] = {}
        node = node[key]
        if not isinstance(node, dict):
            raise UsageError(f"{'.'.join(parents[:depth])}: must be a mapping")
    if dotted.startswith("clients.default."):
        for key, default in DEFAULT_CLIENT.items():
            node.setdefault(key, default)
    node[leaf] = value


def _refuse_literal_secrets(node: Any, path: str = "") -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            where = f"{path}.{key}" if path else str(key)
            if key in LITERAL_SECRET_KEYS:
                raise UsageError(f"{where}: literal secrets are not allowed in a target file; "
                                 f"name an environment variable with {key}_env instead")
            _refuse_literal_secrets(value, where)


def _field_path(error: Mapping[str, Any]) -> str:
    return ".".join(str(part) for part in error["loc"]) or "target"


def validate(data: Mapping[str, Any], source: str = "target") -> Target:
    _refuse_literal_secrets(data)
    try:
        return Target.model_validate(data)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        message = first["msg"].removeprefix("Value error, ")
        # A whole-Target rule has no location; its message starts with the field it names.
        where = f"{_field_path(first)}: " if first["loc"] else ""
        raise UsageError(f"{source}: {where}{message}") from None


def load(path: Path, environ: Mapping[str, str] = os.environ) -> Target:
    """Load a target file; relative paths in it resolve against the file's folder."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--target: cannot read {path}: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise UsageError(f"{path}:{where}: not valid YAML") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: the top level must be a mapping of fields")
    data.setdefault("name", path.stem)
    for env, dotted in ENVIRONMENT_OVERRIDES:
        if environ.get(env):
            _set_dotted(data, dotted, environ[env])
    if isinstance(data.get("ca_file"), str):
        data["ca_file"] = str((path.parent / data["ca_file"]).resolve())
    return validate(data, source=str(path))
