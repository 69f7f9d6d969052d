"""The catalog: every check's metadata and every weakness, in one place.

Tooling (`harness list-checks`, the detection matrix, SARIF rules) reads this module without running
pytest, so the metadata lives here rather than in the test functions; a check refers to its entry by id.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

from harness.errors import UsageError

Scenario = Literal["tls", "auth", "authz", "tenancy", "secrets", "headers", "load"]
Severity = Literal["critical", "high", "medium", "low"]

SCENARIOS: tuple[Scenario, ...] = ("tls", "auth", "authz", "tenancy", "secrets", "headers", "load")


def parse_scenarios(value: str) -> frozenset[str]:
    """`--scenario` as users write it (NAME[,NAME...] or all); an unknown name is a one-line UsageError."""
    names = {name.strip() for name in value.split(",") if name.strip()}
    if "all" in names:
        return frozenset(SCENARIOS)
    unknown = sorted(names - set(SCENARIOS))
    if unknown or not names:
        shown = unknown[0] if unknown else value
        raise UsageError(f"--scenario: unknown scenario {shown!r}; valid: {', '.join(SCENARIOS)}, all")
    return frozenset(names)

SOURCE_OPTIMIZE_SECURITY = "shared/sources/000: Optimize security instructions"
SOURCE_OPTIMIZE_TENANCY = "shared/sources/002: Optimize multi-tenancy"
SOURCE_ZEEBE_GRPC = "shared/sources/003: Securing Zeebe's gRPC communication"
SOURCE_VAULT = "shared/sources/004: Camunda with HashiCorp Vault"
SOURCE_C7_REST_AUTH = "shared/sources/001: Camunda 7 security instructions: REST API authentication (off by default)"
# Camunda 8.8+ docs: the Orchestration Cluster's authentication and its development defaults.
C8_API_AUTH = "docs.camunda.io 8.8: Orchestration Cluster REST API authentication (unprotected-api)"
C8_RUN_DEFAULTS = "docs.camunda.io 8.8: Camunda 8 Run (demo/demo, API unprotected)"
C8_ADMIN_SETUP = "docs.camunda.io 8.8: create the initial admin user (POST /v2/setup/user)"
C8_OIDC_AUDIENCES = "docs.camunda.io 8.8: camunda.security.authentication.oidc.audiences"
C8_CSRF = "docs.camunda.io 8.8: CSRF protection (camunda.security.csrf.enabled)"
C8_SESSION_REFRESH = ("docs.camunda.io 8.8: propagation of membership changes to active sessions "
                      "(camunda.security.authentication.authentication-refresh-interval)")
C8_MANAGEMENT_API = "docs.camunda.io 8.8: Zeebe management API (actuator on management.server.port 9600)"
ASVS_CSRF = "ASVS 4.0.3 4.2.2"
C8_AUTHORIZATIONS = "docs.camunda.io 8.8: Orchestration Cluster authorization (deploying is remote code execution)"
C8_MIGRATION_WILDCARDS = "docs.camunda.io 8.8: upgrade 8.7 to 8.8 (migrated identities get wildcard permissions)"
C8_MULTI_TENANCY = "docs.camunda.io 8.8: Orchestration Cluster multi-tenancy (camunda.security.multi-tenancy.checks-enabled)"


@dataclasses.dataclass(frozen=True)
class Weakness:
    """One control switched off in a reference stack."""

    name: str
    scenario: Scenario
    description: str

    @property
    def backends(self) -> frozenset[str]:
        """The reference stacks that can switch it on, as the service definitions implementing it say
        (harness.reference.services); empty until one does."""
        from harness.reference.services import weakness_backends

        return weakness_backends().get(self.name, frozenset())


@dataclasses.dataclass(frozen=True)
class Check:
    """Metadata of one check; the test in `scenarios/` that implements it is marked with its id."""

    id: str
    title: str
    scenario: Scenario
    severity: Severity
    refs: tuple[str, ...]
    detects: tuple[str, ...]
    # Capabilities and Target fields the check cannot judge without (harness.needs); unmet ones skip it.
    needs: tuple[str, ...] = ()
    # How to fix a finding, for the reports (SARIF `help`, report.json, report.html); empty where obvious.
    remediation: str = ""

    def as_dict(self) -> dict[str, object]:
        return dataclasses.asdict(self) | {"refs": list(self.refs), "detects": list(self.detects),
                                           "needs": list(self.needs)}


def _weaknesses(scenario: Scenario, entries: dict[str, str]) -> dict[str, Weakness]:
    return {name: Weakness(name, scenario, text) for name, text in entries.items()}


# Every weakness of DESIGN section 5. A service definition that implements one says on which backends;
# profiles refuse an unimplemented weakness, and the detection matrix covers exactly the implemented ones.
WEAKNESSES: dict[str, Weakness] = {
    **_weaknesses("tls", {
        "tls_off": "the gateway endpoint speaks plaintext h2c instead of TLS",
        "tls_legacy_versions": "the gateway endpoint also accepts TLS 1.0 and 1.1",
        "weak_ciphers": "the gateway endpoint also accepts CBC-mode suites outside Mozilla intermediate",
        "cert_expired": "the server certificate is past its notAfter",
        "cert_wrong_host": "the server certificate names another host",
        "cert_untrusted": "the server certificate is self-signed, not from the Target's CA",
        "optimize_http_open": "Optimize's plain-HTTP port serves the application",
        "gateway_exposed": "the gateway behind the proxy is reachable from the client network",
        "management_exposed": "the Orchestration Cluster's actuator (loggers, exporting, exporters) answers on its "
                              "client-facing port (management.server.port = server.port)",
        "basic_auth_plaintext": "the Orchestration Cluster serves its API, basic authentication included, on a "
                                "plain-HTTP port",
    }),
    **_weaknesses("auth", {
        "proxy_auth_off": "the proxy forwards gRPC calls without checking the bearer token",
        "alg_none_accepted": "the proxy accepts unsigned tokens with alg none",
        "hs256_key_confusion": "the proxy verifies HS256 with the RSA public key as HMAC secret",
        "exp_ignored": "the proxy ignores the exp claim",
        "nbf_ignored": "the proxy ignores the nbf claim",
        "aud_ignored": "the proxy ignores the aud claim",
        "iss_ignored": "the proxy ignores the iss claim",
        "aud_prefix_match": "the proxy takes any audience that starts with its own (zeebe-api-attacker for zeebe-api)",
        "iss_prefix_match": "the proxy takes any issuer that starts with the configured one (another realm's too)",
        "exp_leeway_excessive": "the proxy allows 15 minutes of clock leeway on exp and nbf",
        "signature_unchecked": "the proxy decodes tokens without verifying the signature",
        "token_in_query_accepted": "the proxy takes a token from ?access_token= and forwards the call",
        "rpc_partially_guarded": "the proxy checks tokens on some gateway methods only (job worker RPCs pass)",
        "grpc_reflection_open": "the gateway serves gRPC server reflection, which the proxy forwards without a token",
        "route_partially_guarded": "Operate checks tokens on some API routes only (variable search passes)",
        "rotated_key_still_trusted": "a retired signing key still verifies (Identity keeps a disabled or deleted key provider's key published)",
        "optimize_api_open": "Optimize's public API answers without a token",
        "optimize_exp_ignored": "Optimize's public API checks a token's audience only (exp, nbf, iss unchecked)",
        "search_anonymous": "Elasticsearch answers anonymous requests",
        "vault_anonymous": "Vault serves secrets without a token",
        "api_unprotected": "the Orchestration Cluster's REST API is unprotected (unprotected-api: true)",
        "default_credentials": "the Orchestration Cluster has the documented initial user demo/demo",
        "setup_endpoint_open": "no user holds the admin role, so POST /v2/setup/user creates an admin for anyone",
        "audience_unchecked": "the Orchestration Cluster's oidc method has no oidc.audiences: any audience gets in",
        "csrf_disabled": "the Orchestration Cluster has camunda.security.csrf.enabled false: a session rides any "
                         "site's request",
    }),
    **_weaknesses("authz", {
        "authorizations_disabled": "the Orchestration Cluster runs with authorizations.enabled false: every user may do everything",
        "wildcard_grants": "a non-admin user's grant on one process is widened to * (the 8.7->8.8 migration's wildcards)",
    }),
    **_weaknesses("tenancy", {
        "tenant_check_off": "the gateway ignores tenant grants",
        "tenant_case_insensitive": "the gateway compares tenant ids ignoring case (TENANT-A passes for tenant-a)",
        "optimize_tenant_leak": "Optimize shows a logged-in user reports and rows of tenants it lacks",
        "optimize_audience_too_broad": "business units' clients get tokens for Optimize's public API audience",
        "mt_disabled_leak": "with multi-tenancy off, Optimize returns non-default tenants",
        "identity_down_fail_open": "tenant checks pass when Identity is unreachable",
        "tenant_revocation_ignored": "a revoked tenant grant stays usable past the cache TTL",
        "mt_checks_disabled": "the Orchestration Cluster runs with multi-tenancy.checks-enabled false (the product default)",
        "tenant_assignment_too_broad": "the Orchestration Cluster's tenant user is assigned to another tenant too",
        "session_refresh_slow": "the Orchestration Cluster's sessions keep their memberships for ten minutes "
                                "(authentication-refresh-interval PT10M)",
    }),
    **_weaknesses("secrets", {
        "no_retry_backoff": "the worker fails jobs without a retry back-off",
        "secret_in_logs": "the worker logs secret values unmasked",
        "secret_in_variables": "the worker writes secrets into job variables",
        "secret_in_error_message": "the worker puts secrets into job error messages",
        "allowlist_off": "the worker runs jobs of any process",
        "vault_policy_too_broad": "one business unit's AppRole reads another's secrets",
        "vault_tls_off": "the worker talks to Vault over plain HTTP",
        "actuator_exposed": "the worker exposes management endpoints beyond health",
    }),
    **_weaknesses("headers", {
        "hsts_missing": "Optimize sends no Strict-Transport-Security",
        "csp_missing": "Optimize sends no Content-Security-Policy",
        "nosniff_missing": "Optimize sends no X-Content-Type-Options",
        "frame_protection_missing": "Optimize allows framing",
        "referrer_policy_missing": "Optimize sends no Referrer-Policy",
        "server_banner": "Optimize announces its server version",
        "banner_on_gateway": "the gateway's auth proxy announces its nginx version (server_tokens on)",
        "cookie_flags_missing": "session cookies lack Secure, HttpOnly or SameSite",
        "headers_missing_on_errors": "security headers are missing on error responses",
    }),
    **_weaknesses("load", {
        "auth_cache_bypass": "a cached auth decision lets a forged token through",
        "slow_auth": "added latency on the auth path breaks the p95 SLO",
    }),
}

ASVS_TLS_VERSIONS = "ASVS 4.0.3 9.1.3"
ASVS_TLS_EVERYWHERE = "ASVS 4.0.3 9.1.1"
ASVS_TOKEN_VERIFIED = "ASVS 4.0.3 3.5.3"
ASVS_SERVICE_AUTH = "ASVS 4.0.3 1.4.4"
ASVS_TOKEN_EXPIRY = "ASVS 4.0.3 3.3.1"
ASVS_TLS_CIPHERS = "ASVS 4.0.3 9.1.2"
ASVS_TLS_TRUSTED_CERT = "ASVS 4.0.3 9.2.1"
ASVS_HSTS = "ASVS 4.0.3 14.4.5"
ASVS_SEGREGATION = "ASVS 4.0.3 1.14.1"
MOZILLA_TLS_GUIDELINES = "Mozilla Server Side TLS 5.7: intermediate"
ASVS_PROXY_HEADER_AUTH = "ASVS 4.0.3 14.5.4"
ASVS_NO_TOKEN_IN_URL = "ASVS 4.0.3 13.1.3"
ASVS_SAME_PARSERS = "ASVS 4.0.3 13.1.1"
ASVS_NO_SSRF = "ASVS 4.0.3 12.6.1"
# A forged token is tampering, null cipher or key substitution (3.5.3), refused before the gateway trusts
# the header the proxy passes on (14.5.4); the proxy is the control Camunda's gRPC security guide asks for.
FORGED_TOKEN_REFS = (ASVS_TOKEN_VERIFIED, ASVS_PROXY_HEADER_AUTH, SOURCE_ZEEBE_GRPC)
ASVS_LEAST_PRIVILEGE = "ASVS 4.0.3 4.1.3"
ASVS_FAIL_SECURELY = "ASVS 4.0.3 4.1.5"
ASVS_OBJECT_ACCESS = "ASVS 4.0.3 4.2.1"
ASVS_KEY_LIFECYCLE = "ASVS 4.0.3 6.4.1"
ASVS_RACE_SAFE = "ASVS 4.0.3 1.11.3"
ASVS_TRUSTED_ENFORCEMENT = "ASVS 4.0.3 4.1.1"
ASVS_CSP = "ASVS 4.0.3 14.4.3"
ASVS_NOSNIFF = "ASVS 4.0.3 14.4.4"
ASVS_REFERRER_POLICY = "ASVS 4.0.3 14.4.6"
ASVS_FRAME_ANCESTORS = "ASVS 4.0.3 14.4.7"
ASVS_NO_VERSION_BANNER = "ASVS 4.0.3 14.3.3"
ASVS_COOKIE_FLAGS = ("ASVS 4.0.3 3.4.1", "ASVS 4.0.3 3.4.2", "ASVS 4.0.3 3.4.3")
OPTIMIZE_HEADERS = f"{SOURCE_OPTIMIZE_SECURITY}: Fine tune Optimize security headers"
OWASP_SECURE_HEADERS = "OWASP Secure Headers Project"
ASVS_NO_SECRETS_IN_LOGS = "ASVS 4.0.3 7.1.1"
ASVS_NO_SECRETS_IN_DATA = "ASVS 4.0.3 8.3.4"
ASVS_NO_SECRETS_IN_ERRORS = "ASVS 4.0.3 7.4.1"
ASVS_TLS_INTERNAL = "ASVS 4.0.3 9.2.2"
ASVS_NO_DEBUG_ENDPOINTS = "ASVS 4.0.3 14.3.2"
ASVS_NO_DEFAULT_ACCOUNTS = "ASVS 4.0.3 2.5.4"

# A gRPC API that takes tokens: the 8.3-8.7 gateway, or the gRPC API of an 8.8+ cluster with the oidc method.
GRPC_SURFACE = "gateway|orchestration.oidc_grpc_endpoint"
# What the Orchestration Cluster's authz and tenancy checks need of the Target. The authz cast is users on a
# basic cluster, Target clients on an oidc one (Orchestration.cast_member).
AUTHZ_NOBODY = ("orchestration.admin_principal", "orchestration.unauthorized_principal")
ORCHESTRATION_PROCESS_GRANT = ("orchestration.admin_principal", "orchestration.process_principal",
                               "orchestration.granted_process")
ORCHESTRATION_TENANTS = ("orchestration.admin_principal", "orchestration.tenant_principal", "orchestration.tenant",
                         "orchestration.foreign_tenant", "orchestration.granted_process")
AUTHZ_ON = "camunda.security.authorizations.enabled: true (Helm: orchestration.security.authorizations.enabled)."

# What judging Optimize as a logged-in user needs: a session (a form login) and collections to read.
OPTIMIZE_SESSION = ("optimize.login_form", "optimize.collection_ids")

def ingress_fix(nginx: str) -> str:
    """Remediation of a header finding: at the ingress or reverse proxy in front of the endpoint. For Optimize
    it is the only place: its header filter runs after Spring Security, so its 401s and the redirect to
    Identity lack the configured headers, frame options are off, and it has no X-Frame-Options or
    Referrer-Policy setting."""
    more_set = nginx.replace("add_header ", "more_set_headers ").replace(" always;", ";")
    return ("Fix it at the ingress or reverse proxy in front of the endpoint, on every response including 401s, "
            "404s and redirects. For Optimize that is the only fix: its security.responseHeaders reach only "
            "responses that got past Spring Security, and it has no setting for X-Frame-Options or "
            f"Referrer-Policy. nginx (in the endpoint's server or location block): {nginx} "
            "ingress-nginx (annotation nginx.ingress.kubernetes.io/configuration-snippet on the endpoint's "
            f"Ingress; headers-more sets them on every status): {more_set}")


CSP_FIX = ("proxy_hide_header Content-Security-Policy; add_header Content-Security-Policy \"default-src 'self'; "
           "script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'\" always;")

CHECKS: dict[str, Check] = {check.id: check for check in (
    Check("TLS-001", "Gateway endpoint refuses plaintext gRPC", "tls", "critical",
          (ASVS_TLS_EVERYWHERE, SOURCE_ZEEBE_GRPC), ("tls_off",)),
    Check("TLS-002", "Every TLS endpoint refuses SSL 2/3, TLS 1.0 and TLS 1.1", "tls", "high",
          (ASVS_TLS_VERSIONS, SOURCE_ZEEBE_GRPC), ("tls_legacy_versions",)),
    Check("TLS-003", "Every TLS endpoint meets Mozilla's intermediate profile and resists known TLS attacks",
          "tls", "high", (ASVS_TLS_CIPHERS, ASVS_TLS_VERSIONS, MOZILLA_TLS_GUIDELINES), ("weak_ciphers",)),
    Check("TLS-004", "Every TLS endpoint's certificate chain validates against the Target's CA", "tls", "critical",
          (ASVS_TLS_TRUSTED_CERT, SOURCE_ZEEBE_GRPC), ("cert_untrusted",)),
    Check("TLS-005", "Every TLS endpoint's certificate names the host clients connect to", "tls", "critical",
          (ASVS_TLS_TRUSTED_CERT, SOURCE_ZEEBE_GRPC), ("cert_wrong_host",)),
    Check("TLS-006", "Every TLS endpoint's certificate is valid now and beyond the expiry horizon", "tls", "high",
          (ASVS_TLS_TRUSTED_CERT,), ("cert_expired",)),
    Check("TLS-007", "Optimize's plain-HTTP port is closed or only redirects to https", "tls", "high",
          (ASVS_TLS_EVERYWHERE, SOURCE_OPTIMIZE_SECURITY), ("optimize_http_open",),
          needs=("optimize.http_url",)),
    Check("TLS-008", "Optimize's https responses carry Strict-Transport-Security", "tls", "medium",
          (ASVS_HSTS, SOURCE_OPTIMIZE_SECURITY), ("hsts_missing",)),
    Check("TLS-009", "The gateway behind the proxy is not reachable from the client network", "tls", "critical",
          (ASVS_SEGREGATION, SOURCE_ZEEBE_GRPC), ("gateway_exposed",),
          needs=("gateway.direct_address",)),
    Check("TLS-010", "The Orchestration Cluster's management endpoints (actuator) are not reachable from where "
          "clients stand", "tls", "critical", (ASVS_SEGREGATION, ASVS_NO_DEBUG_ENDPOINTS, C8_MANAGEMENT_API),
          ("management_exposed",), needs=("orchestration",)),
    Check("TLS-011", "The Orchestration Cluster does not serve its API (basic authentication) over plain HTTP",
          "tls", "high", (ASVS_TLS_EVERYWHERE, C8_API_AUTH), ("basic_auth_plaintext",),
          needs=("orchestration",)),
    Check("AUTH-001", "A call without a token is refused on every authenticated endpoint", "auth", "critical",
          (ASVS_SERVICE_AUTH, ASVS_PROXY_HEADER_AUTH, SOURCE_ZEEBE_GRPC, SOURCE_OPTIMIZE_SECURITY),
          ("proxy_auth_off", "optimize_api_open")),
    Check("AUTH-002", "A genuinely signed token expired just past the stated leeway is refused", "auth", "high",
          (ASVS_TOKEN_EXPIRY, ASVS_TOKEN_VERIFIED, SOURCE_ZEEBE_GRPC),
          ("exp_ignored", "exp_leeway_excessive", "proxy_auth_off", "optimize_exp_ignored"),
          needs=("mint_token",)),
    Check("AUTH-003", "An alg:none token, unsigned or with the old signature, is refused", "auth", "critical",
          (ASVS_TOKEN_VERIFIED, SOURCE_ZEEBE_GRPC),
          ("alg_none_accepted", "signature_unchecked", "proxy_auth_off")),
    # The forged-token catalog: each check runs on every authenticated endpoint the Target declares
    # (harness.probes.endpoints.KINDS); the proxy weaknesses turn the gateway's case red.
    Check("AUTH-004", "An empty 'Bearer ' credential is refused", "auth", "high",
          (ASVS_SERVICE_AUTH, ASVS_PROXY_HEADER_AUTH, SOURCE_ZEEBE_GRPC), ("proxy_auth_off",)),
    Check("AUTH-005", "A genuine token under another scheme than Bearer is refused", "auth", "medium",
          (ASVS_SERVICE_AUTH, ASVS_PROXY_HEADER_AUTH, SOURCE_ZEEBE_GRPC), ("proxy_auth_off",)),
    Check("AUTH-006", "Malformed and 64 KiB tokens are refused; the endpoint keeps serving", "auth", "high",
          (ASVS_SAME_PARSERS, ASVS_PROXY_HEADER_AUTH, SOURCE_ZEEBE_GRPC), ("proxy_auth_off",)),
    Check("AUTH-007", "A token in ?access_token= without the header is refused", "auth", "medium",
          (ASVS_NO_TOKEN_IN_URL, ASVS_PROXY_HEADER_AUTH, SOURCE_ZEEBE_GRPC), ("token_in_query_accepted",)),
    Check("AUTH-008", "alg None/NONE variants, signed or not, are refused", "auth", "critical",
          FORGED_TOKEN_REFS, ("signature_unchecked", "proxy_auth_off")),
    Check("AUTH-009", "HS256 signed with the server's RSA public key is refused", "auth", "critical",
          FORGED_TOKEN_REFS, ("hs256_key_confusion", "signature_unchecked", "proxy_auth_off")),
    Check("AUTH-010", "A token with its signature stripped is refused", "auth", "critical",
          FORGED_TOKEN_REFS, ("signature_unchecked", "proxy_auth_off")),
    Check("AUTH-011", "Claims tampered under the old signature are refused", "auth", "critical",
          FORGED_TOKEN_REFS, ("signature_unchecked", "proxy_auth_off")),
    Check("AUTH-012", "A genuinely signed token with nbf just past the stated leeway ahead is refused", "auth",
          "medium", (ASVS_TOKEN_EXPIRY, ASVS_TOKEN_VERIFIED, SOURCE_ZEEBE_GRPC),
          ("nbf_ignored", "exp_leeway_excessive", "proxy_auth_off", "optimize_exp_ignored"),
          needs=("mint_token",)),
    Check("AUTH-013", "A genuinely signed token for another audience, or one close to ours, is refused", "auth",
          "high", FORGED_TOKEN_REFS, ("aud_ignored", "aud_prefix_match", "proxy_auth_off", "audience_unchecked"),
          needs=("mint_token",)),
    Check("AUTH-014", "A genuinely signed token from another issuer, or one close to ours, is refused", "auth",
          "high", FORGED_TOKEN_REFS, ("iss_ignored", "iss_prefix_match", "proxy_auth_off", "optimize_exp_ignored"),
          needs=("mint_token",)),
    Check("AUTH-015", "A genuine token issued for another service is refused", "auth", "high",
          FORGED_TOKEN_REFS, ("aud_ignored", "proxy_auth_off", "audience_unchecked")),
    Check("AUTH-016", "A token signed under an unknown kid is refused", "auth", "critical",
          FORGED_TOKEN_REFS, ("signature_unchecked", "proxy_auth_off")),
    Check("AUTH-017", "A kid path traversal with an empty HMAC key is refused", "auth", "critical",
          FORGED_TOKEN_REFS, ("signature_unchecked", "proxy_auth_off")),
    Check("AUTH-018", "A token whose jku header points at an attacker key is refused", "auth", "critical",
          (*FORGED_TOKEN_REFS, ASVS_NO_SSRF), ("signature_unchecked", "proxy_auth_off")),
    Check("AUTH-019", "A token whose x5u header points at an attacker key is refused", "auth", "critical",
          (*FORGED_TOKEN_REFS, ASVS_NO_SSRF), ("signature_unchecked", "proxy_auth_off")),
    Check("AUTH-020", "A token carrying its own key in a jwk header is refused", "auth", "critical",
          FORGED_TOKEN_REFS, ("signature_unchecked", "proxy_auth_off")),
    Check("AUTH-021", "A token signed by another RSA key under the real kid is refused", "auth", "critical",
          FORGED_TOKEN_REFS, ("signature_unchecked", "proxy_auth_off")),
    Check("AUTH-022", "A token signed by a rotated-out key is UNAUTHENTICATED within the stated bound", "auth",
          "high", (ASVS_TOKEN_VERIFIED, ASVS_KEY_LIFECYCLE, SOURCE_ZEEBE_GRPC), ("rotated_key_still_trusted",),
          needs=("rotate_signing_key", "identity.key_rotation_s")),
    Check("AUTH-023", "Elasticsearch refuses anonymous requests with 401 and a WWW-Authenticate challenge", "auth",
          "critical", (ASVS_SERVICE_AUTH, ASVS_TRUSTED_ENFORCEMENT, f"{SOURCE_OPTIMIZE_SECURITY}: Secure Elasticsearch"),
          ("search_anonymous",)),
    Check("TEN-001", "Zeebe commands and job activation for another client's tenant are PERMISSION_DENIED",
          "tenancy", "critical", (ASVS_LEAST_PRIVILEGE, ASVS_OBJECT_ACCESS, SOURCE_OPTIMIZE_TENANCY),
          ("tenant_check_off",)),
    Check("TEN-002", "Jobs of another tenant are never handed out nor completable", "tenancy", "critical",
          (ASVS_OBJECT_ACCESS, SOURCE_OPTIMIZE_TENANCY), ("tenant_check_off",)),
    Check("TEN-003", "With Identity unreachable, tenant-scoped calls are refused (fail closed)", "tenancy", "high",
          (ASVS_FAIL_SECURELY, SOURCE_OPTIMIZE_TENANCY), ("identity_down_fail_open",),
          needs=("stop_service:identity", "identity.tenant_grant_ttl_s")),
    Check("TEN-004", "A revoked tenant grant stops working within the stated cache TTL", "tenancy", "high",
          (ASVS_LEAST_PRIVILEGE, SOURCE_OPTIMIZE_TENANCY), ("tenant_revocation_ignored",),
          needs=("grant_tenant", "identity.tenant_grant_ttl_s")),
    # Optimize applies tenant rules to its web app's logged-in users only (a session; OPTIMIZE_SESSION), never
    # to its public API: that one is judged by who may hold its audience (TEN-011).
    Check("TEN-005", "A logged-in Optimize user of a tenant gets no rows of another tenant from any report",
          "tenancy", "critical", (ASVS_OBJECT_ACCESS, ASVS_LEAST_PRIVILEGE, SOURCE_OPTIMIZE_TENANCY),
          ("optimize_tenant_leak",), needs=OPTIMIZE_SESSION),
    Check("TEN-006", "Optimize refuses a logged-in user a report of another tenant asked for by id (403/404)",
          "tenancy", "critical", (ASVS_OBJECT_ACCESS, SOURCE_OPTIMIZE_TENANCY), ("optimize_tenant_leak",),
          needs=OPTIMIZE_SESSION),
    Check("TEN-007", "With multi-tenancy off, Optimize shows a logged-in user `<default>` rows only", "tenancy",
          "high", (ASVS_LEAST_PRIVILEGE, SOURCE_OPTIMIZE_TENANCY), ("mt_disabled_leak",),
          needs=(*OPTIMIZE_SESSION, "optimize.single_tenant_url")),
    Check("TEN-008", "With Identity unreachable, Optimize shows a logged-in user no tenant data (fail closed)",
          "tenancy", "high", (ASVS_FAIL_SECURELY, SOURCE_OPTIMIZE_TENANCY), ("identity_down_fail_open",),
          needs=(*OPTIMIZE_SESSION, "stop_service:identity", "identity.tenant_grant_ttl_s")),
    Check("TEN-009", "A tenant grant revoked from an Optimize user is gone within the cache TTL + 1 s", "tenancy",
          "high", (ASVS_LEAST_PRIVILEGE, SOURCE_OPTIMIZE_TENANCY), ("tenant_revocation_ignored",),
          needs=(*OPTIMIZE_SESSION, "grant_tenant", "identity.tenant_grant_ttl_s")),
    Check("TEN-010", "Tenant ids close to an authorized one (case, `<default>`, whitespace, prefix) are refused",
          "tenancy", "critical", (ASVS_OBJECT_ACCESS, ASVS_LEAST_PRIVILEGE, SOURCE_OPTIMIZE_TENANCY),
          ("tenant_check_off", "tenant_case_insensitive")),
    Check("TEN-011", "No tenant-scoped client gets a token Optimize's public API accepts (it is not tenant-filtered)",
          "tenancy", "critical", (ASVS_LEAST_PRIVILEGE, ASVS_OBJECT_ACCESS, SOURCE_OPTIMIZE_TENANCY),
          ("optimize_audience_too_broad",), needs=("optimize.client", "optimize.audience", "optimize.collection_ids")),
    Check("TEN-012", "Another tenant's existing process instance is not found (404) on the Orchestration Cluster",
          "tenancy", "critical", (ASVS_OBJECT_ACCESS, C8_MULTI_TENANCY), ("tenant_assignment_too_broad",),
          needs=ORCHESTRATION_TENANTS),
    Check("TEN-013", "Deploying and starting instances in a foreign tenant are forbidden (403) on the Orchestration "
          "Cluster", "tenancy", "critical", (ASVS_OBJECT_ACCESS, ASVS_LEAST_PRIVILEGE, C8_MULTI_TENANCY),
          ("tenant_assignment_too_broad",), needs=ORCHESTRATION_TENANTS),
    Check("TEN-014", "The Orchestration Cluster's searches return only the caller's tenants", "tenancy", "critical",
          (ASVS_OBJECT_ACCESS, C8_MULTI_TENANCY), ("tenant_assignment_too_broad",), needs=ORCHESTRATION_TENANTS),
    Check("TEN-015", "The Orchestration Cluster refuses a deployment without a tenant id (multi-tenancy checks on)",
          "tenancy", "high", (ASVS_TRUSTED_ENFORCEMENT, C8_MULTI_TENANCY), ("mt_checks_disabled",),
          needs=ORCHESTRATION_TENANTS,
          remediation="camunda.security.multi-tenancy.checks-enabled: true (Helm: "
                      "orchestration.multitenancy.checks.enabled), with the API protected."),
    Check("TEN-018", "Job activation on the Orchestration Cluster hands out no job of a tenant the caller is not "
          "assigned to", "tenancy", "critical", (ASVS_OBJECT_ACCESS, C8_MULTI_TENANCY), ("tenant_assignment_too_broad",),
          needs=ORCHESTRATION_TENANTS),
    Check("TEN-016", "Deploying and starting instances in a foreign tenant are refused over the Orchestration "
          "Cluster's gRPC API (PERMISSION_DENIED)", "tenancy", "critical",
          (ASVS_OBJECT_ACCESS, ASVS_LEAST_PRIVILEGE, C8_MULTI_TENANCY), ("tenant_assignment_too_broad",),
          needs=(*ORCHESTRATION_TENANTS, "orchestration.grpc_address")),
    Check("TEN-017", "The Orchestration Cluster's gRPC API refuses a deployment without a tenant id (multi-tenancy "
          "checks on)", "tenancy", "high", (ASVS_TRUSTED_ENFORCEMENT, C8_MULTI_TENANCY), ("mt_checks_disabled",),
          needs=(*ORCHESTRATION_TENANTS, "orchestration.grpc_address"),
          remediation="camunda.security.multi-tenancy.checks-enabled: true (Helm: "
                      "orchestration.multitenancy.checks.enabled), with the API protected."),
    Check("TEN-019", "A tenant unassigned in the Orchestration Cluster stops applying to the user's logged-in session "
          "within the stated refresh interval", "tenancy", "high", (ASVS_LEAST_PRIVILEGE, C8_SESSION_REFRESH),
          ("session_refresh_slow",), needs=("assign_tenant", *ORCHESTRATION_TENANTS, "orchestration.tenant_user"),
          remediation="camunda.security.authentication.authentication-refresh-interval no longer than the "
                      "revocation delay you accept (default PT30S); state it as orchestration.session_refresh_s."),
    Check("AUTHZ-007", "A principal with no authorizations cannot deploy or start instances over the gRPC API "
          "(PERMISSION_DENIED)", "authz", "critical", (ASVS_LEAST_PRIVILEGE, ASVS_TRUSTED_ENFORCEMENT, C8_AUTHORIZATIONS),
          ("authorizations_disabled",), needs=(*ORCHESTRATION_PROCESS_GRANT, "orchestration.unauthorized_principal",
                                               "orchestration.grpc_address"), remediation=AUTHZ_ON),
    Check("AUTHZ-008", "An OIDC client with no authorizations cannot deploy, over REST and gRPC (oidc cluster)", "authz",
          "critical", (ASVS_LEAST_PRIVILEGE, ASVS_TRUSTED_ENFORCEMENT, C8_AUTHORIZATIONS), ("authorizations_disabled",),
          needs=("orchestration.client", "orchestration.unauthorized_client"), remediation=AUTHZ_ON),
    Check("AUTHZ-009", "Job activation hands a principal with no authorizations no job, over REST and gRPC "
          "(PROCESS_DEFINITION:UPDATE_PROCESS_INSTANCE)", "authz", "critical",
          (ASVS_LEAST_PRIVILEGE, ASVS_OBJECT_ACCESS, C8_AUTHORIZATIONS), ("authorizations_disabled",),
          needs=(*AUTHZ_NOBODY, "orchestration.granted_process"),
          remediation=AUTHZ_ON),
    Check("AUTHZ-001", "A principal with no authorizations cannot deploy (RESOURCE:CREATE; deploying is remote code "
          "execution)", "authz", "critical", (ASVS_LEAST_PRIVILEGE, ASVS_TRUSTED_ENFORCEMENT, C8_AUTHORIZATIONS),
          ("authorizations_disabled",), needs=AUTHZ_NOBODY,
          remediation=AUTHZ_ON),
    Check("AUTHZ-002", "A principal with no authorizations cannot start or read process instances", "authz",
          "critical", (ASVS_LEAST_PRIVILEGE, ASVS_OBJECT_ACCESS, C8_AUTHORIZATIONS), ("authorizations_disabled",),
          needs=(*AUTHZ_NOBODY, "orchestration.granted_process"),
          remediation=AUTHZ_ON),
    Check("AUTHZ-003", "A principal with no authorizations cannot manage users, roles, tenants or authorizations",
          "authz", "critical", (ASVS_LEAST_PRIVILEGE, ASVS_TRUSTED_ENFORCEMENT, C8_AUTHORIZATIONS),
          ("authorizations_disabled",), needs=AUTHZ_NOBODY, remediation=AUTHZ_ON),
    Check("AUTHZ-004", "A grant on one process does not extend to another", "authz", "high",
          (ASVS_LEAST_PRIVILEGE, ASVS_OBJECT_ACCESS, C8_AUTHORIZATIONS), ("authorizations_disabled", "wildcard_grants"),
          needs=ORCHESTRATION_PROCESS_GRANT),
    Check("AUTHZ-005", "Process instance searches return only instances of processes the principal may read",
          "authz", "high", (ASVS_OBJECT_ACCESS, C8_AUTHORIZATIONS), ("authorizations_disabled", "wildcard_grants"),
          needs=ORCHESTRATION_PROCESS_GRANT),
    Check("AUTHZ-006", "No owner but the admin role and the product's default roles holds wildcard (*) grants on "
          "processes, decisions or identity", "authz", "medium", (ASVS_LEAST_PRIVILEGE, C8_MIGRATION_WILDCARDS),
          ("wildcard_grants",), needs=("orchestration.admin_principal",),
          remediation="Replace each reported * grant with grants on the resource ids the owner needs "
                      "(PATCH or delete and recreate through /v2/authorizations or Identity)."),
    Check("LOAD-001", "No forged token gets through the auth proxy while it is under load", "load", "critical",
          (ASVS_TOKEN_VERIFIED, ASVS_RACE_SAFE, SOURCE_ZEEBE_GRPC), ("auth_cache_bypass",)),
    Check("LOAD-002", "Valid callers keep the latency, error and throughput SLO through the auth proxy under load",
          "load", "high", (SOURCE_ZEEBE_GRPC,), ("slow_auth",)),
    Check("AUTH-030", "Vault refuses a call without a token (403)", "auth", "critical",
          (ASVS_SERVICE_AUTH, SOURCE_VAULT), ("vault_anonymous",)),
    Check("AUTH-050", "The Orchestration Cluster's REST API v2 refuses calls without credentials and with a wrong "
          "password (401)", "auth", "critical", (ASVS_SERVICE_AUTH, C8_API_AUTH, SOURCE_C7_REST_AUTH),
          ("api_unprotected",), needs=("orchestration.users",)),
    Check("AUTH-055", "The Orchestration Cluster's gRPC API refuses calls without credentials and with a wrong "
          "password (UNAUTHENTICATED)", "auth", "critical", (ASVS_SERVICE_AUTH, C8_API_AUTH, SOURCE_C7_REST_AUTH),
          ("api_unprotected",), needs=("orchestration.users", "orchestration.grpc_address")),
    Check("AUTH-051", "The Orchestration Cluster refuses the documented default credentials demo/demo", "auth",
          "critical", (ASVS_NO_DEFAULT_ACCOUNTS, C8_RUN_DEFAULTS), ("default_credentials",),
          needs=("orchestration.users",)),
    Check("AUTH-052", "POST /v2/setup/user is refused (403) on a cluster that has users: one holds the admin role", "auth", "critical",
          (ASVS_NO_DEFAULT_ACCOUNTS, ASVS_TRUSTED_ENFORCEMENT, C8_ADMIN_SETUP), ("setup_endpoint_open",),
          needs=("orchestration.users",)),
    Check("AUTH-053", "The Orchestration Cluster (oidc) refuses a genuinely signed token for another audience "
          "(401)", "auth", "high", (ASVS_TOKEN_VERIFIED, C8_OIDC_AUDIENCES), ("audience_unchecked",),
          needs=("orchestration.client", "orchestration.audience", "mint_token")),
    Check("AUTH-054", "The Orchestration Cluster refuses a session-authenticated state-changing call without the "
          "CSRF token (403)", "auth", "high", (ASVS_CSRF, C8_CSRF), ("csrf_disabled",),
          needs=("orchestration.users",)),
    Check("AUTH-040", "Every gateway RPC, unary and streaming, refuses calls without a valid token", "auth",
          "critical", (ASVS_SERVICE_AUTH, ASVS_PROXY_HEADER_AUTH, SOURCE_ZEEBE_GRPC),
          ("rpc_partially_guarded", "proxy_auth_off"), needs=(GRPC_SURFACE,)),
    Check("AUTH-041", "Every route and method of every authenticated HTTP API refuses calls without a valid token",
          "auth", "critical", (ASVS_SERVICE_AUTH, ASVS_TRUSTED_ENFORCEMENT, SOURCE_OPTIMIZE_SECURITY),
          ("route_partially_guarded", "optimize_api_open")),
    Check("AUTH-042", "No gRPC service beside the Gateway API (server reflection) answers without a token", "auth",
          "medium", (ASVS_SERVICE_AUTH, SOURCE_ZEEBE_GRPC), ("grpc_reflection_open",), needs=(GRPC_SURFACE,)),
    Check("HDR-001", "Web apps and APIs send HSTS (max-age >= 1 year, includeSubDomains) on every https route", "headers",
          "medium", (ASVS_HSTS, OPTIMIZE_HEADERS, OWASP_SECURE_HEADERS), ("hsts_missing",),
          remediation=ingress_fix('add_header Strict-Transport-Security "max-age=63072000; includeSubDomains" always;')),
    Check("HDR-002", "Web apps send a Content-Security-Policy without unsafe-inline or unsafe-eval on every route",
          "headers", "medium", (ASVS_CSP, OPTIMIZE_HEADERS, OWASP_SECURE_HEADERS), ("csp_missing",),
          remediation=ingress_fix(CSP_FIX)),
    Check("HDR-003", "Web apps and APIs send X-Content-Type-Options: nosniff on every route", "headers", "low",
          (ASVS_NOSNIFF, OPTIMIZE_HEADERS, OWASP_SECURE_HEADERS), ("nosniff_missing",),
          remediation=ingress_fix('add_header X-Content-Type-Options "nosniff" always;')),
    Check("HDR-004", "Web apps forbid framing (CSP frame-ancestors or X-Frame-Options) on every route", "headers",
          "medium", (ASVS_FRAME_ANCESTORS, OWASP_SECURE_HEADERS), ("frame_protection_missing",),
          remediation=ingress_fix('add_header X-Frame-Options "DENY" always;') + " Also frame-ancestors 'none' in the CSP."),
    Check("HDR-005", "Web apps send a safe Referrer-Policy on every route", "headers", "low",
          (ASVS_REFERRER_POLICY, OWASP_SECURE_HEADERS), ("referrer_policy_missing",),
          remediation=ingress_fix('add_header Referrer-Policy "no-referrer" always;')),
    Check("HDR-006", "No HTTP(S) endpoint announces a server version (Server, X-Powered-By), the gateway proxy included", "headers", "low",
          (ASVS_NO_VERSION_BANNER, OWASP_SECURE_HEADERS), ("server_banner", "banner_on_gateway"),
          remediation=ingress_fix("server_tokens off; proxy_hide_header X-Powered-By;")),
    Check("HDR-007", "Cookies of web apps and APIs are Secure, HttpOnly and SameSite", "headers", "high",
          (*ASVS_COOKIE_FLAGS, OPTIMIZE_HEADERS), ("cookie_flags_missing",),
          remediation=ingress_fix("proxy_cookie_flags ~^X-Optimize-Authorization secure httponly samesite=strict;")
          + " In Optimize itself: security.auth.cookie.same-site.enabled: true."),
    Check("HDR-008", "Every endpoint's error responses and redirects carry the security headers its pages do", "headers",
          "medium", (ASVS_CSP, OPTIMIZE_HEADERS, OWASP_SECURE_HEADERS), ("headers_missing_on_errors",),
          remediation=ingress_fix(CSP_FIX) + " The always parameter matters: without it nginx adds headers to 2xx and 3xx responses only."),
    Check("SEC-001", "One business unit's AppRole cannot read another unit's secrets (403)", "secrets", "critical",
          (ASVS_SERVICE_AUTH, ASVS_LEAST_PRIVILEGE, SOURCE_VAULT), ("vault_policy_too_broad",)),
    Check("SEC-002", "A secret rotated mid-batch causes no incident: every retry waits the back-off, none runs out",
          "secrets", "high", (ASVS_FAIL_SECURELY, f"{SOURCE_VAULT}: Support of Secret Rotation"),
          ("no_retry_backoff",),
          needs=("rotate_secret",)),
    Check("SEC-003", "Secret values never appear in worker logs", "secrets", "high",
          (ASVS_NO_SECRETS_IN_LOGS, f"{SOURCE_VAULT}: Security Aspects"), ("secret_in_logs",)),
    Check("SEC-004", "Secret values never appear in job variables", "secrets", "high",
          (ASVS_NO_SECRETS_IN_DATA, f"{SOURCE_VAULT}: The Final Target Architecture"), ("secret_in_variables",),
          needs=("operate",)),
    Check("SEC-005", "Secret values never appear in job error messages", "secrets", "high",
          (ASVS_NO_SECRETS_IN_ERRORS, SOURCE_VAULT), ("secret_in_error_message",),
          needs=("rotate_secret",)),
    Check("SEC-006", "A worker refuses jobs of processes outside its allowlist, naming the process", "secrets",
          "high", (ASVS_LEAST_PRIVILEGE, f"{SOURCE_VAULT}: Avoiding Duplicate Connector Templates"),
          ("allowlist_off",)),
    Check("SEC-007", "Workers reach Vault over TLS", "secrets", "critical",
          (ASVS_TLS_EVERYWHERE, ASVS_TLS_INTERNAL, f"{SOURCE_VAULT}: Security Aspects"), ("vault_tls_off",)),
    Check("SEC-008", "With Vault stopped during a rotation, the worker backs off and recovers with no incident",
          "secrets", "high", (ASVS_FAIL_SECURELY, SOURCE_VAULT), ("no_retry_backoff",),
          needs=("stop_service:vault", "rotate_secret")),
    Check("SEC-009", "A worker's management endpoint serves health only (env, configprops... closed)", "secrets",
          "high", (ASVS_NO_DEBUG_ENDPOINTS, f"{SOURCE_VAULT}: Security Aspects"), ("actuator_exposed",)),
)}


def checks_detecting(weakness: str) -> list[Check]:
    return [check for check in CHECKS.values() if weakness in check.detects]


def implemented_weaknesses(backend: str) -> list[Weakness]:
    return [w for w in WEAKNESSES.values() if backend in w.backends]
