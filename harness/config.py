"""The Target: the deployment under test, loaded from a YAML file plus Camunda's environment variables.

Credentials are references (environment variable names), never values, so a target file can be committed
and a printed Target can be shared. Every validation error is one line that names the field.
"""

from __future__ import annotations

import dataclasses
import os
import re
import types
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, get_args
from urllib.parse import urlsplit

import pydantic
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, SecretStr

from harness.errors import UsageError
from harness.header_rules import load_rules
from harness.user_files import load_yaml

KNOWN_CAPABILITIES = frozenset({"mint_token", "rotate_signing_key", "grant_tenant", "assign_tenant", "provision_cast",
                                "rotate_secret", "stop_service"})
LITERAL_SECRET_KEYS = frozenset({"client_secret", "secret", "password", "token", "api_key"})


def _valid_port(port: int | None) -> None:
    if port is not None and not 1 <= port <= 65535:
        raise ValueError(f"port {port} is not in 1-65535")


def _check_address(value: str) -> str:
    _valid_port(int(value.rsplit(":", 1)[1]))
    return value


def _check_url(value: str) -> str:
    parts = urlsplit(value)
    try:
        port = parts.port
    except ValueError as exc:  # a port outside 0-65535, a non-numeric port, a malformed IPv6 literal
        raise ValueError(f"not a valid URL: {exc}") from None
    if not parts.hostname:
        raise ValueError("the URL names no host")
    _valid_port(port)
    return value


# host:port, the port 1-65535; http(s) URLs with a host and, if given, such a port.
Address = Annotated[str, Field(pattern=r"^[^\s:/]+:\d{1,5}$"), AfterValidator(_check_address)]
HttpUrl = Annotated[str, Field(pattern=r"^https?://"), AfterValidator(_check_url)]
PlainHttpUrl = Annotated[str, Field(pattern=r"^http://"), AfterValidator(_check_url)]
AnyUrl = Annotated[str, Field(pattern=r"^[a-z]+://"), AfterValidator(_check_url)]


def _plausible_env_name(value: str) -> str:
    """A variable name, not a credential pasted in its place: long runs without an underscore are what
    generated secrets look like. The message never repeats the value."""
    if len(value) > 64 or any(len(part) > 24 for part in value.split("_")):
        raise ValueError("does not look like an environment variable name (a pasted secret?); name the "
                         "variable that holds the credential")
    return value


# The name of an environment variable that holds a credential.
EnvName = Annotated[str, Field(pattern=r"^[A-Z_][A-Z0-9_]*$"), AfterValidator(_plausible_env_name)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Gateway(_Model):
    address: Address = Field(description="host:port through the auth proxy")
    tls: bool = True
    direct_address: Address | None = None
    # A gateway in auth mode identity with multi-tenancy, over TLS; tenancy checks use `address` without it.
    tenancy_address: Address | None = None


class Identity(_Model):
    token_url: HttpUrl
    jwks_url: HttpUrl
    issuer: str
    # Keycloak's admin REST API of the realm (`.../admin/realms/<realm>`) and the Target client whose token
    # it takes (a service account with realm-management roles); Camunda Management Identity's base URL
    # (its `/api/...`), which takes the same client's token for the Identity API audience.
    admin_url: HttpUrl | None = None
    admin_client: str | None = None
    management_url: HttpUrl | None = None
    # Bounds the deployment promises: a retired signing key stops verifying, and a revoked tenant grant
    # stops working, at most this many seconds later (JWKS cache TTL, tenant cache TTL).
    key_rotation_s: float | None = Field(default=None, gt=0, le=600)
    tenant_grant_ttl_s: float | None = Field(default=None, gt=0, le=600)
    # The clock leeway the token verifiers allow on exp and nbf. Unset: 60 s, Spring Security's
    # JwtTimestampValidator default, which Camunda's Spring-based verifiers keep (Optimize's public API,
    # the orchestration cluster's OIDC). A token expired (or not yet valid) just past it must be refused.
    clock_skew_s: float = Field(default=60, ge=0, le=3600)


class HttpService(_Model):
    url: HttpUrl
    http_url: PlainHttpUrl | None = Field(default=None,
                                 description="the service's plain-HTTP address, if it has one (Optimize's "
                                             "container port); checks prove it is closed or redirects")


class Optimize(HttpService):
    """Optimize: its public API takes Identity tokens for `audience` (Optimize's `api.audience`).

    `single_tenant_url` is an Optimize with `multitenancy.enabled: false` over the same data (where the
    deployment has one), and `collection_ids` the collections whose reports the tenancy checks read.
    """

    audience: str | None = None
    single_tenant_url: HttpUrl | None = None
    collection_ids: tuple[str, ...] = ()
    # The Target client that uses Optimize's public API (Optimize's API client): the load test, the headers
    # scenario and TEN-011's positive control call it with its token (for `audience`). The public API applies
    # no tenant rules, so no tenant-scoped client may get its audience (TEN-011). Where Optimize has a form
    # login taking client credentials (`login_form`, the reference stack's), the tenancy checks log in as
    # each tenant's client (Optimize applies tenant rules to its users) and the headers scenario judges the
    # session cookie; Camunda 8's Optimize logs in through Identity's browser redirect, which the harness
    # does not drive, so there those checks skip. `static_path` is a bundle path of the deployed version.
    client: str | None = None
    login_form: bool = False
    static_path: str = Field(default="/static/app.js", pattern=r"^/")
    # Optimize's longest idle pause between two imports of Zeebe's records (`import.handler.backoff.max`, in
    # seconds; 30 assumed where unstated): with `exporter.bulk_delay_s`, how long a variable may take to show
    # in its reports.
    import_backoff_s: float = Field(default=30.0, gt=0, le=600)


class ZeebeExporter(_Model):
    """Zeebe's Elasticsearch exporter as the deployment configures it (`exporters.elasticsearch.args`): the
    index prefix of its records in `search` (Operate and Optimize import from there, and the secrets checks
    read Zeebe's own job history there), and how long it holds records before a bulk write (`bulk.delay`,
    5 s in Zeebe's defaults)."""

    index_prefix: str = Field(default="zeebe-record", pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    bulk_delay_s: float = Field(default=5.0, gt=0, le=600)


class HeaderPolicy(_Model):
    """Header rules the target replaces by name (drheader rulesets, see harness/header_rules.yaml)."""

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
    password_env: EnvName | None = None

    def basic_auth(self, environ: Mapping[str, str] = os.environ) -> tuple[str, SecretStr] | None:
        """(username, password) from the environment, None when undeclared; errors name the variable."""
        if self.username is None or self.password_env is None:
            return None
        if not environ.get(self.password_env):
            raise UsageError(f"search.password_env: environment variable {self.password_env} is not set")
        return self.username, SecretStr(environ[self.password_env])


class VaultAppRole(_Model):
    role_id_env: EnvName
    secret_id_env: EnvName
    path: str = Field(description="the KV v2 path (under the mount) this AppRole may read")


class Vault(HttpService):
    """Vault, and the environment variables that hold its credentials (never the credentials)."""

    mount: str = "secret"
    admin_token_env: EnvName | None = None
    approles: dict[str, VaultAppRole] = {}


class BasicUser(_Model):
    """A user of the Orchestration Cluster's basic authentication; the password stays in `password_env`."""

    username: str = Field(min_length=1)
    password_env: EnvName


def _auth_method(value: object) -> object:
    """The cluster's `authentication.method` (basic|oidc, and none from 8.9 on); Camunda's SDK variable
    CAMUNDA_AUTH_STRATEGY says BASIC, OAUTH or NONE for the same three, so both spellings are taken."""
    if isinstance(value, str):
        method = value.strip().lower()
        return "oidc" if method == "oauth" else method
    return value


def _grpc_address(value: object) -> object:
    """The cluster's gRPC address as host:port; Camunda's clients take ZEEBE_GRPC_ADDRESS as a URI
    (`grpcs://host:26500`, `https://...`), so a scheme is dropped."""
    if isinstance(value, str):
        return re.sub(r"^[a-z]+://", "", value.strip()).rstrip("/")
    return value


def _rest_base(value: object) -> object:
    """The cluster's base URL: Camunda's SDK appends /v2 to CAMUNDA_REST_ADDRESS unless it ends so already."""
    if isinstance(value, str):
        return value.rstrip("/").removesuffix("/v2")
    return value


class Orchestration(HttpService):
    """A Camunda 8.8+ Orchestration Cluster: `url` is its REST base (the API is under /v2), `auth` the
    cluster's `camunda.security.authentication.method`, for basic the users the checks log in as, and for
    oidc the Target client whose tokens it takes and the `audience` it is configured to expect
    (`oidc.audiences`). `oidc_url` is a cluster with the oidc method where `url` is a basic one (the
    reference stack runs both)."""

    url: Annotated[HttpUrl, BeforeValidator(_rest_base)]
    auth: Annotated[Literal["basic", "oidc", "none"], BeforeValidator(_auth_method)] = "basic"
    users: dict[str, BasicUser] = {}
    oidc_url: Annotated[HttpUrl | None, BeforeValidator(_rest_base)] = None
    client: str | None = None
    audience: str | None = None
    # Spring's JwtTimestampValidator default, which the cluster's decoder keeps (TokenValidatorFactory.java).
    clock_skew_s: float = Field(default=60, ge=0, le=3600)
    # The management port (9600) as reached from the client network: it must not answer there.
    management_url: HttpUrl | None = None
    # The cluster's gRPC API (camunda.api.grpc.port, 26500), scanned like every endpoint: it must speak TLS.
    grpc_address: Annotated[Address | None, BeforeValidator(_grpc_address)] = None
    # The gRPC API of the cluster at `oidc_url`, where the Target has both (the reference stack does).
    oidc_grpc_address: Annotated[Address | None, BeforeValidator(_grpc_address)] = None
    # The authz checks' cast, each a `users` entry assigned to <default>: one with no authorizations at all,
    # and one holding CREATE_PROCESS_INSTANCE and READ_PROCESS_INSTANCE on `granted_process` only.
    unauthorized_user: str | None = None
    process_user: str | None = None
    granted_process: str | None = None
    # The cast as Target clients, where the checks' cluster takes tokens (auth: oidc; its users live in the
    # identity provider): one holding no authorizations (also AUTHZ-008's on `oidc_url`), one holding
    # `granted_process`'s grants as `process_user` does, one assigned to `tenant` as `tenant_user` is.
    # `client` is the admin, assigned to both tenants.
    unauthorized_client: str | None = None
    process_client: str | None = None
    tenant_client: str | None = None
    # The tenancy checks' cast: `tenant_user` is assigned to `tenant` only (RESOURCE:CREATE and the grants on
    # `granted_process` with UPDATE_PROCESS_INSTANCE, to work its jobs), the login user to both `tenant` and
    # `foreign_tenant`.
    tenant_user: str | None = None
    tenant: str | None = None
    foreign_tenant: str | None = None
    # How long a logged-in session keeps the memberships it had (`camunda.security.authentication.
    # authentication-refresh-interval`, PT30S by default): the bound on a tenant unassignment reaching it.
    session_refresh_s: float = Field(default=30, gt=0, le=86400)

    @pydantic.model_validator(mode="after")
    def _cast_declared(self) -> Orchestration:
        for field in ("unauthorized_user", "process_user", "tenant_user"):
            name = getattr(self, field)
            if name is not None and name not in self.users:
                raise ValueError(f"orchestration.{field}: no user {name!r} in orchestration.users")
        return self

    def user_login(self, name: str, environ: Mapping[str, str] = os.environ) -> tuple[str, SecretStr]:
        """(username, password) of the `users` entry `name`; errors name the variable."""
        user = self.users[name]
        if not environ.get(user.password_env):
            raise UsageError(f"orchestration.users: environment variable {user.password_env} is not set")
        return user.username, SecretStr(environ[user.password_env])

    @property
    def oidc_endpoint(self) -> str | None:
        """The REST base of the cluster taking OIDC tokens, if the Target has one."""
        return self.oidc_url or (self.url if self.auth == "oidc" else None)

    @property
    def oidc_grpc_endpoint(self) -> str | None:
        """The gRPC address of the cluster taking OIDC tokens, if the Target has one."""
        return self.oidc_grpc_address or (self.grpc_address if self.auth == "oidc" else None)

    def cast_member(self, role: str) -> str | None:
        """The Target's name for the cast's `role` (admin, unauthorized, process, tenant) on the cluster at `url`:
        a `users` entry where it takes basic credentials, a Target client where it takes tokens."""
        if self.auth == "oidc":
            return self.client if role == "admin" else getattr(self, f"{role}_client", None)
        return self.login_key if role == "admin" else getattr(self, f"{role}_user")

    # Each cast member as the checks' needs name it (`orchestration.process_principal`), whatever the method.
    admin_principal = property(lambda self: self.cast_member("admin"))
    unauthorized_principal = property(lambda self: self.cast_member("unauthorized"))
    process_principal = property(lambda self: self.cast_member("process"))
    tenant_principal = property(lambda self: self.cast_member("tenant"))

    @property
    def login_key(self) -> str | None:
        """The `users` entry the checks log in as: `default` (what CAMUNDA_BASIC_AUTH_USERNAME sets), else the
        first."""
        return "default" if "default" in self.users else next(iter(self.users), None)

    @property
    def login_user(self) -> BasicUser | None:
        return None if self.login_key is None else self.users[self.login_key]

    def basic_auth(self, environ: Mapping[str, str] = os.environ) -> tuple[str, SecretStr] | None:
        """(username, password) of `login_user`, None without one; errors name the variable."""
        return None if self.login_key is None else self.user_login(self.login_key, environ)


class Operate(HttpService):
    """Operate's public API; `audience` is the one its tokens must carry (Identity's Operate API)."""

    audience: str | None = None


class Worker(_Model):
    """A business unit's job-worker runtime as the secrets checks see it from outside: its management
    endpoint, the job type and allowlisted process it serves, and what it promises (its retry back-off).
    Its Vault AppRole and KV path are `vault.approles` under the same name."""

    actuator_url: HttpUrl = Field(description="base of the Spring-style actuator, e.g. "
                                                                   "https://worker:8080/actuator")
    job_type: str = Field(min_length=1)
    bpmn_process_id: str = Field(min_length=1, description="a process in the worker's allowlist")
    vault_url: AnyUrl = Field(description="the Vault address the worker is configured with")
    retry_backoff_ms: int = Field(gt=0, le=600_000)
    log_file: Path | None = Field(default=None, description="the worker's log, where the harness can read it")


def _command(value: object) -> str | tuple[str, ...]:
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, list | tuple) and value and all(isinstance(part, str) and part for part in value):
        return tuple(value)
    raise ValueError("a command is a non-empty string (run by sh -c) or a list of non-empty strings (argv)")


# A fault command: an argv list, or one string run by `sh -c` (for `&&` and `$VARIABLES`).
Command = Annotated[str | tuple[str, ...], BeforeValidator(_command)]


class ServiceFaults(_Model):
    """How to take one service of an external deployment down and back: the operator's own commands
    (`docker compose stop identity`, `kubectl scale deploy/camunda-identity --replicas=0`). After each, the
    harness waits until `ready_url` (default: the service's own address in the Target) stops or starts
    answering, so a command that returns early (a scale-down) cannot make a check judge a live service."""

    stop: Command
    start: Command
    ready_url: HttpUrl | None = None


class Faults(_Model):
    """The fault commands behind the `stop_service` capability on an external target, per service."""

    timeout_s: float = Field(default=300.0, gt=0, le=3600)
    services: dict[str, ServiceFaults] = {}


class Client(_Model):
    client_id_env: EnvName
    client_secret_env: EnvName
    audience: str
    tenants: tuple[str, ...] = ()

    @property
    def tenant(self) -> str:
        """The tenant its commands name: the first it declares, or none, as a gateway without
        multi-tenancy wants (a multi-tenant Zeebe answers INVALID_ARGUMENT to a command without one)."""
        return self.tenants[0] if self.tenants else ""


class LoadSlo(_Model):
    """The hot path's objectives for valid callers under load; the defaults suit the reference stack."""

    p95_ms: float = Field(default=250.0, gt=0)
    p99_ms: float = Field(default=500.0, gt=0)
    max_error_ratio: float = Field(default=0.01, ge=0, le=1)
    min_rps: float = Field(default=50.0, ge=0)


class Credentials(_Model):
    client_id: str
    client_secret: SecretStr


@dataclasses.dataclass(frozen=True)
class ServiceEndpoint:
    """One network endpoint a Target declares: `section` is its Target field, `subject` the exact key."""

    section: str
    subject: str
    host: str
    port: int
    tls: bool
    url: str | None = None

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


def _url_endpoint(section: str, subject: str, url: str) -> ServiceEndpoint:
    parts = urlsplit(url)
    https = parts.scheme == "https"
    return ServiceEndpoint(section, subject, parts.hostname or "", parts.port or (443 if https else 80), https, url)


class Target(_Model):
    name: str = "target"
    gateway: Gateway | None = None
    identity: Identity | None = None
    optimize: Optimize | None = None
    operate: Operate | None = None
    orchestration: Orchestration | None = None
    search: SearchService | None = None
    vault: Vault | None = None
    ca_file: Path | None = None
    clients: dict[str, Client] = {}
    workers: dict[str, Worker] = {}
    capabilities: frozenset[str] = frozenset()
    load: LoadSlo = LoadSlo()
    headers: HeaderPolicy = HeaderPolicy()
    faults: Faults = Faults()
    exporter: ZeebeExporter = ZeebeExporter()

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
    def _cast_provisionable(self) -> Target:
        """`provision_cast` creates basic-auth users as the cluster's admin login: an oidc cluster's users live
        in its identity provider."""
        if "provision_cast" not in self.capabilities:
            return self
        if self.orchestration is None or self.orchestration.auth != "basic":
            raise ValueError("capabilities: provision_cast creates users of an Orchestration Cluster with "
                             "orchestration.auth basic (an oidc cluster's users live in its identity provider)")
        if self.orchestration.login_user is None:
            raise ValueError("orchestration.users: provision_cast creates the cast as the cluster's admin login "
                             "user (users.default)")
        return self

    @pydantic.model_validator(mode="after")
    def _client_declared(self) -> Target:
        if self.optimize is not None and self.optimize.client not in (None, *self.clients):
            raise ValueError(f"optimize.client: no client {self.optimize.client!r} in clients")
        for field in ("client", "unauthorized_client", "process_client", "tenant_client"):
            named = getattr(self.orchestration, field, None)
            if named is not None and named not in self.clients:
                raise ValueError(f"orchestration.{field}: no client {named!r} in clients")
        return self

    @pydantic.field_validator("ca_file")
    @classmethod
    def _ca_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.exists():
            raise ValueError(f"no such file: {value}")
        if value is not None and not value.is_file():
            raise ValueError(f"{value} is not a file (a PEM file of CA certificates)")
        return value

    def secret_envs(self) -> list[str]:
        """Every environment variable the Target names whose value is a secret (for redaction)."""
        names = [client.client_secret_env for client in self.clients.values()]
        if self.search is not None and self.search.password_env:
            names.append(self.search.password_env)
        if self.orchestration is not None:
            names += [user.password_env for user in self.orchestration.users.values()]
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

    def endpoints(self) -> tuple[ServiceEndpoint, ...]:
        """The one walk over what a run talks to: the gateway (through the proxy), Identity's token and key
        URLs, and every service section with a `url` (optimize, operate, search, vault, any added later), the
        orchestration cluster's `oidc_url` too. `gateway.direct_address`, `orchestration.management_url` and
        the plain-HTTP `http_url`s are left out on purpose: they should *not* serve clients."""
        found: list[ServiceEndpoint] = []
        for section in type(self).model_fields:
            value = getattr(self, section)
            if isinstance(value, Gateway):
                host, port = value.address.rsplit(":", 1)
                found.append(ServiceEndpoint(section, f"{section}.address", host, int(port), value.tls))
            elif isinstance(value, Identity):
                found += [_url_endpoint(section, f"{section}.token_url", value.token_url),
                          _url_endpoint(section, f"{section}.jwks_url", value.jwks_url)]
            elif isinstance(value, Orchestration):
                found += [_url_endpoint(section, f"{section}.{name}", url)
                          for name, url in (("url", value.url), ("oidc_url", value.oidc_url)) if url]
                for name in ("grpc_address", "oidc_grpc_address"):
                    if (address := getattr(value, name)) is not None:
                        host, port = address.rsplit(":", 1)
                        found.append(ServiceEndpoint(section, f"{section}.{name}", host, int(port), True))
            elif isinstance(getattr(value, "url", None), str):
                found.append(_url_endpoint(section, f"{section}.url", value.url))
        return tuple(found)

    def public_json(self) -> dict[str, Any]:
        """The Target as DESIGN section 4 prints it: every service key present, `null` where absent."""
        data = self.model_dump(mode="json")
        data["capabilities"] = sorted(self.capabilities)
        return data


# The Target's service sections (gateway, identity, optimize, ...): the fields that hold a model or None.
SERVICE_SECTIONS = tuple(name for name, field in Target.model_fields.items()
                         if isinstance(field.annotation, types.UnionType)
                         and any(isinstance(arg, type) and issubclass(arg, _Model) for arg in get_args(field.annotation)))

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
    ("CAMUNDA_REST_ADDRESS", "orchestration.url"),
    ("ZEEBE_GRPC_ADDRESS", "orchestration.grpc_address"),
    ("CAMUNDA_AUTH_STRATEGY", "orchestration.auth"),
    ("CAMUNDA_BASIC_AUTH_USERNAME", "orchestration.users.default.username"),
    ("CAMUNDA_TOKEN_AUDIENCE", "orchestration.audience"),
)
DEFAULT_CLIENT = {"client_id_env": "ZEEBE_CLIENT_ID", "client_secret_env": "ZEEBE_CLIENT_SECRET"}
# What an entry a variable creates needs besides the field the variable sets, by the entry's dotted prefix.
ENTRY_DEFAULTS = {"clients.default.": DEFAULT_CLIENT,
                  "orchestration.users.default.": {"password_env": "CAMUNDA_BASIC_AUTH_PASSWORD"}}


def _set_dotted(data: dict[str, Any], dotted: str, value: str) -> None:
    *parents, leaf = dotted.split(".")
    node = data
    for depth, key in enumerate(parents, start=1):
        if node.get(key) is None:
            node[key] = {}
        node = node[key]
        if not isinstance(node, dict):
            raise UsageError(f"{'.'.join(parents[:depth])}: must be a mapping")
    for prefix, defaults in ENTRY_DEFAULTS.items():
        if dotted.startswith(prefix):
            for key, default in defaults.items():
                node.setdefault(key, default)
    node[leaf] = value


def _refuse_literal_secrets(node: Any, path: str = "") -> None:
    if isinstance(node, list):
        for index, item in enumerate(node):
            _refuse_literal_secrets(item, f"{path}[{index}]")
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
    data = load_yaml(path, "--target") or {}
    if not isinstance(data, dict):
        raise UsageError(f"{path}: the top level must be a mapping of fields")
    data.setdefault("name", path.stem)
    # A path in the file is relative to the file; one from the environment, to where the user stands.
    if isinstance(data.get("ca_file"), str):
        data["ca_file"] = str((path.parent / data["ca_file"]).resolve())
    overridden = {}
    for env, dotted in ENVIRONMENT_OVERRIDES:
        if environ.get(env):
            value = str(Path(environ[env]).resolve()) if dotted == "ca_file" else environ[env]
            _set_dotted(data, dotted, value)
            overridden[dotted] = env
    try:
        return validate(data, source=str(path))
    except UsageError as exc:
        # A bad value that came from Camunda's variables is named by the variable as well as the field.
        field = next((dotted for dotted in overridden if f": {dotted}: " in str(exc)), None)
        if field is None:
            raise
        raise UsageError(f"{exc} (set by the environment variable {overridden[field]})") from None
