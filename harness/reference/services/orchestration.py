"""The Camunda 8.8+ Orchestration Cluster: REST API v2 and gRPC with the cluster's own authentication.

One engine, two clusters' listeners, as a deployment has one method: `basic` (the Target's `url` and
`grpc_address`) and `oidc` taking Identity's tokens (`oidc_url`, `oidc_grpc_address`); each cluster's gRPC
API shares its REST API's users, tenants and authorizations. Configured with the product's keys. The secure profile is a protected API
whose one initial user holds the admin role with a generated password, and an OIDC cluster expecting the
gateway audience; each weakness is a setting an operator can get wrong (Camunda 8 Run ships the first
two): `api_unprotected` (`unprotected-api: true`), `default_credentials` (the documented `demo`/`demo`
initial user), `setup_endpoint_open` (the initial user is not in the admin role, so `POST /v2/setup/user`
still creates an admin for anyone) and `audience_unchecked` (no `oidc.audiences`).

The web side and the ports around the API: the secure cluster tightens the two header defaults the header
rules judge (HSTS `include-sub-domains`, a CSP without 'unsafe-inline'), marks its session cookie Secure and
SameSite (Spring Boot's `server.servlet.session.cookie.*`), keeps CSRF on, serves the actuator on its own
management port (9600, not client-facing) and answers on plain HTTP only with a redirect to https. The
weaknesses: `csrf_disabled` (`csrf.enabled: false`), `cookie_flags_missing` (Spring Boot's cookie defaults),
`management_exposed` (`management.server.port` = the server's port: the actuator answers where clients do)
and `basic_auth_plaintext` (the plain-HTTP port serves the API, so basic credentials cross it in the clear).

The basic cluster also carries the authz and tenancy checks' cast (the oidc cluster the same as clients,
CLIENT_CAST, with the same weaknesses): `nobody` with no authorizations,
`process-operator` holding grants on `authz-granted` only (both in `<default>`, so a refusal is about
authorizations, not tenants), and `tenant-a-operator`
assigned to `tenant-a` only, while the admin is in `tenant-a` and `tenant-b`. Their weaknesses:
`authorizations_disabled` (`authorizations.enabled: false`, Camunda 8 Run's setting), `wildcard_grants`
(the process grant widened to `*`, as the 8.7->8.8 identity migration widens grants), `mt_checks_disabled`
(`multi-tenancy.checks-enabled: false`, the product's default), `tenant_assignment_too_broad` (the
tenant user assigned to `tenant-b` as well) and `session_refresh_slow` (a logged-in session keeps its
memberships for ten minutes: `authentication.authentication-refresh-interval: PT10M`, where the secure
cluster refreshes every SESSION_REFRESH_S and the Target states so).
"""

from __future__ import annotations

import secrets
from typing import Any

from harness import cast
from harness.cast import Grant
from harness.reference.orchestration.authorizations import WILDCARD
from harness.reference.orchestration.security import ADMIN_ROLE
from harness.reference.profile import Profile
from harness.reference.services.base import BOTH, Build, Definition, Health, Listener, ServiceSpec
from harness.reference.services.identity import (
    BUSINESS_UNITS,
    DEFAULT_CLIENT_ID,
    DEFAULT_TENANT,
    GATEWAY_AUDIENCE,
    JWKS_CACHE_S,
    TENANT_OPERATOR,
)

USERNAME = "harness"
# Camunda's SDK variable for the Basic password; the harness generates it per stack.
PASSWORD_ENV = "CAMUNDA_BASIC_AUTH_PASSWORD"
# Camunda 8 Run's initial user (c8run application.yaml; docs "Camunda 8 Run": demo/demo).
DEMO_USER = {"username": "demo", "password": "demo", "name": "Demo User", "email": "demo@example.com"}
# Identity's client-credentials tokens name the client in `azp` (as Keycloak's do).
CLIENT_ID_CLAIM = "azp"
# The OIDC cluster's audience: in 8.8 the cluster is the Zeebe gateway, and the Target's clients ask for it.
CLUSTER_AUDIENCE = GATEWAY_AUDIENCE
# The authz and tenancy checks' users (Target key -> username, password variable).
CAST = {"unauthorized": ("nobody", "ORCHESTRATION_NOBODY_PASSWORD"),
        "process": ("process-operator", "ORCHESTRATION_PROCESS_USER_PASSWORD"),
        "tenant": ("tenant-a-operator", "ORCHESTRATION_TENANT_USER_PASSWORD")}
GRANTED_PROCESS = "authz-granted"
# The Target clients the oidc cluster knows as the authz cast (Identity issues them tokens for the cluster's
# audience): one it grants nothing, one holding the process grant.
UNAUTHORIZED_CLIENT, PROCESS_CLIENT = "bu_a", "bu_b"
TENANT, FOREIGN_TENANT = "tenant-a", "tenant-b"


def _grant(owner: str, grant: Grant, owner_type: str = "USER") -> dict[str, Any]:
    return {"ownerType": owner_type, "ownerId": owner, "resourceType": grant.resource_type,
            "resourceId": grant.resource_id, "permissions": list(grant.permissions)}


def _process_grant(profile: Profile) -> str:
    """The process the cast's process principal holds grants on: `wildcard_grants` widens it to `*`."""
    return WILDCARD if profile.has("wildcard_grants") else GRANTED_PROCESS


# The cast of each cluster by role (harness.cast.ROLES): the basic cluster's users, the oidc cluster's clients.
USER_CAST = {role: name for role, (name, _) in CAST.items()}
CLIENT_CAST = {"unauthorized": BUSINESS_UNITS[UNAUTHORIZED_CLIENT][0], "process": BUSINESS_UNITS[PROCESS_CLIENT][0],
               "tenant": TENANT_OPERATOR[1]}


def _cast_grants(profile: Profile, members: dict[str, str], owner_type: str) -> list[dict[str, Any]]:
    """`initialization.authorizations` for a cluster's cast (harness.cast)."""
    return [_grant(members[role], grant, owner_type) for role in cast.ROLES
            for grant in cast.grants(role, _process_grant(profile) if role == "process" else GRANTED_PROCESS)]


def _cast_tenants(profile: Profile, kind: str, admin: str, members: dict[str, str]) -> list[dict[str, Any]]:
    """`initialization.tenants` of a cluster whose cast are `kind` (users, clients): the process and the
    unauthorized principal in `<default>`, the admin in both tenants, the tenant principal in its own (and,
    `tenant_assignment_too_broad`, the foreign one too)."""
    too_broad = [members["tenant"]] if profile.has("tenant_assignment_too_broad") else []
    return [{"tenantId": DEFAULT_TENANT, kind: [members["process"], members["unauthorized"]]},
            {"tenantId": TENANT, "name": TENANT, kind: [admin, members["tenant"]]},
            {"tenantId": FOREIGN_TENANT, "name": FOREIGN_TENANT, kind: [admin, *too_broad]}]


# The secure cluster's session refresh interval: short, so TEN-019 waits seconds, not the product's 30.
SESSION_REFRESH_S = 2


def security(profile: Profile, passwords: dict[str, str]) -> dict[str, Any]:
    """`camunda.security` of the basic cluster for the profile: each weakness switches exactly its setting."""
    users = [{"username": USERNAME, "password": passwords[PASSWORD_ENV], "name": "Harness",
              "email": "harness@example.com"},
             *({"username": name, "password": passwords[env]} for name, env in CAST.values())]
    if profile.has("default_credentials"):
        users.append(DEMO_USER)
    admins = [] if profile.has("setup_endpoint_open") else [USERNAME] + (
        [DEMO_USER["username"]] if profile.has("default_credentials") else [])
    refresh = "PT10M" if profile.has("session_refresh_slow") else f"PT{SESSION_REFRESH_S}S"
    return {"authentication": {"method": "basic", "unprotected-api": profile.has("api_unprotected"),
                               "authentication-refresh-interval": refresh},
            "authorizations": {"enabled": not profile.has("authorizations_disabled")},
            "multi-tenancy": {"checks-enabled": not profile.has("mt_checks_disabled")},
            "initialization": {"users": users, "defaultRoles": {ADMIN_ROLE: {"users": admins}},
                               "authorizations": _cast_grants(profile, USER_CAST, "USER"),
                               "tenants": _cast_tenants(profile, "users", USERNAME, USER_CAST)}}


# camunda.security.http-headers of the secure cluster: the product's defaults but HSTS for subdomains too and
# a policy without 'unsafe-inline' (the default Self-Managed policy allows inline styles).
HTTP_HEADERS = {"hsts": {"include-sub-domains": True},
                "content-security-policy": {"policy-directives": "default-src 'self'; base-uri 'self'; "
                                            "object-src 'none'; form-action 'self'; frame-ancestors 'self'"}}


def web(profile: Profile) -> dict[str, Any]:
    """What every client-facing listener shares: CSRF, the headers, the session cookie, where the actuator is."""
    cookie = {} if profile.has("cookie_flags_missing") else {"secure": True, "same-site": "lax"}
    return {"security": {"csrf": {"enabled": not profile.has("csrf_disabled")}, "http-headers": HTTP_HEADERS},
            "server": {"servlet": {"session": {"cookie": cookie}}}, "actuator": profile.has("management_exposed")}


def _listener(build: Build, name: str, tls: dict[str, str] | None, security: dict[str, Any],
              grpc: str | None = None) -> dict[str, Any]:
    """A client-facing listener; `grpc` names the listener of the same cluster's gRPC API (TLS too)."""
    shared = web(build.profile)
    return {**build.listen(name), "tls": tls, "server": shared["server"], "actuator": shared["actuator"],
            "camunda": {"security": {**security, **shared["security"]}},
            **({"grpc": {**build.listen(grpc), "tls": tls}} if grpc else {})}


def oidc_security(profile: Profile) -> dict[str, Any]:
    """`camunda.security` of the OIDC cluster: `audiences` unset is the product's default and the weakness.
    The Target's default client holds the admin role, as an operator assigns a cluster's service client; the
    checks' cast is clients (CLIENT_CAST: one holding nothing, AUTHZ-008's principal too), with the basic
    cluster's grants, tenants and weaknesses."""
    oidc: dict[str, Any] = {"client-id-claim": CLIENT_ID_CLAIM}
    if not profile.has("audience_unchecked"):
        oidc["audiences"] = [CLUSTER_AUDIENCE]
    return {"authentication": {"method": "oidc", "unprotected-api": False, "oidc": oidc},
            "authorizations": {"enabled": not profile.has("authorizations_disabled")},
            "multi-tenancy": {"checks-enabled": not profile.has("mt_checks_disabled")},
            "initialization": {"defaultRoles": {ADMIN_ROLE: {"clients": [DEFAULT_CLIENT_ID]}},
                               "authorizations": _cast_grants(profile, CLIENT_CAST, "CLIENT"),
                               "tenants": _cast_tenants(profile, "clients", DEFAULT_CLIENT_ID, CLIENT_CAST)}}


class OrchestrationService(Definition):
    def credentials(self) -> dict[str, str]:
        return {env: secrets.token_urlsafe(24) for env in (PASSWORD_ENV, *(env for _, env in CAST.values()))}

    def specs(self, build: Build) -> tuple[ServiceSpec, ...]:
        tls = build.tls("orchestration")
        basic = security(build.profile, build.environ)
        plain = (_listener(build, "orchestration-http", None, basic) if build.profile.has("basic_auth_plaintext")
                 else {**build.listen("orchestration-http"), "redirect_to": f"https://{build.external('orchestration')}"})
        argv = build.python_service("orchestration", {
            "listeners": [_listener(build, "orchestration", tls, basic, grpc="orchestration-grpc"),
                          _listener(build, "orchestration-oidc", tls, oidc_security(build.profile),
                                    grpc="orchestration-oidc-grpc"), plain],
            "management": build.listen("orchestration-management"),
            "identity": {"jwks_url": build.internal_jwks_url, "ca_file": str(build.pki.ca_file),
                         "jwks_ttl_s": JWKS_CACHE_S},
        })
        # /v2/license is public and answers 200 once the API serves (/v2/status answers 204).
        return (ServiceSpec(self.name, argv, (Health("https", "orchestration", "/v2/license"),
                                              Health("https", "orchestration-oidc", "/v2/license"),
                                              Health("tcp", "orchestration-grpc"),
                                              Health("tcp", "orchestration-oidc-grpc"))),)

    def target(self, build: Build) -> dict[str, Any]:
        return {"orchestration": {"url": f"https://{build.external('orchestration')}", "auth": "basic",
                                  "users": {"default": {"username": USERNAME, "password_env": PASSWORD_ENV},
                                            **{key: {"username": name, "password_env": env}
                                               for key, (name, env) in CAST.items()}},
                                  "unauthorized_user": "unauthorized", "process_user": "process",
                                  "granted_process": GRANTED_PROCESS, "tenant_user": "tenant", "tenant": TENANT,
                                  "foreign_tenant": FOREIGN_TENANT, "session_refresh_s": SESSION_REFRESH_S,
                                  "oidc_url": f"https://{build.external('orchestration-oidc')}",
                                  "grpc_address": str(build.external("orchestration-grpc")),
                                  "oidc_grpc_address": str(build.external("orchestration-oidc-grpc")),
                                  "client": "default", "audience": CLUSTER_AUDIENCE,
                                  "unauthorized_client": UNAUTHORIZED_CLIENT, "process_client": PROCESS_CLIENT,
                                  "tenant_client": TENANT_OPERATOR[0],
                                  "http_url": f"http://{build.external('orchestration-http')}",
                                  "management_url": f"http://{build.internal('orchestration-management')}"}}


DEFINITION = OrchestrationService(
    name="orchestration",
    listeners={"orchestration": Listener("orchestration", 8080, client_facing=True),
               "orchestration-oidc": Listener("orchestration", 8443, client_facing=True),
               "orchestration-http": Listener("orchestration", 8088, client_facing=True),
               # camunda.api.grpc.port of each cluster (26500; the OIDC cluster's beside it in one container).
               "orchestration-grpc": Listener("orchestration", 26500, client_facing=True),
               "orchestration-oidc-grpc": Listener("orchestration", 26501, client_facing=True),
               "orchestration-management": Listener("orchestration", 9600, client_facing=False)},
    depends_on=("identity",),
    scenarios=frozenset({"auth", "authz", "tenancy", "tls", "headers"}),
    weaknesses={"api_unprotected": BOTH, "default_credentials": BOTH, "setup_endpoint_open": BOTH,
                "audience_unchecked": BOTH, "csrf_disabled": BOTH, "cookie_flags_missing": BOTH,
                "management_exposed": BOTH, "basic_auth_plaintext": BOTH, "authorizations_disabled": BOTH,
                "wildcard_grants": BOTH, "mt_checks_disabled": BOTH, "tenant_assignment_too_broad": BOTH,
                "session_refresh_slow": BOTH},
    capabilities=("assign_tenant", "provision_cast"),
)
