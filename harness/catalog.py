"""The catalog: every check's metadata and every weakness, in one place.

Tooling (`harness list-checks`, the detection matrix, SARIF rules) reads this module without running
pytest, so the metadata lives here rather than in the test functions; a check refers to its entry by id.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

Scenario = Literal["tls", "auth", "tenancy", "secrets", "headers", "load"]
Severity = Literal["critical", "high", "medium", "low"]

SCENARIOS: tuple[Scenario, ...] = ("tls", "auth", "tenancy", "secrets", "headers", "load")

SOURCE_OPTIMIZE_SECURITY = "shared/sources/000: Optimize security instructions"
SOURCE_OPTIMIZE_TENANCY = "shared/sources/002: Optimize multi-tenancy"
SOURCE_ZEEBE_GRPC = "shared/sources/003: Securing Zeebe's gRPC communication"
SOURCE_VAULT = "shared/sources/004: Camunda with HashiCorp Vault"


@dataclasses.dataclass(frozen=True)
class Weakness:
    """One control switched off in the reference stack; `backends` says which stacks can switch it."""

    name: str
    scenario: Scenario
    description: str
    backends: frozenset[str] = frozenset()


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

    def as_dict(self) -> dict[str, object]:
        return dataclasses.asdict(self) | {"refs": list(self.refs), "detects": list(self.detects),
                                           "needs": list(self.needs)}


LOCAL = frozenset({"local"})
DOCKER = frozenset({"docker"})
REFERENCE = LOCAL | DOCKER


def _weaknesses(scenario: Scenario, entries: dict[str, tuple[str, frozenset[str]]]) -> dict[str, Weakness]:
    return {name: Weakness(name, scenario, text, backends) for name, (text, backends) in entries.items()}


# Every weakness of DESIGN section 5. `backends` is empty until a reference stack implements it; profiles
# refuse an unimplemented weakness, and the detection matrix covers exactly the implemented ones.
WEAKNESSES: dict[str, Weakness] = {
    **_weaknesses("tls", {
        "tls_off": ("the gateway endpoint speaks plaintext h2c instead of TLS", REFERENCE),
        "tls_legacy_versions": ("the gateway endpoint also accepts TLS 1.0 and 1.1", REFERENCE),
        "weak_ciphers": ("the gateway endpoint also accepts CBC-mode suites outside Mozilla intermediate", REFERENCE),
        "cert_expired": ("the server certificate is past its notAfter", REFERENCE),
        "cert_wrong_host": ("the server certificate names another host", REFERENCE),
        "cert_untrusted": ("the server certificate is self-signed, not from the Target's CA", REFERENCE),
        "optimize_http_open": ("Optimize's plain-HTTP port serves the application", REFERENCE),
        "gateway_exposed": ("the gateway behind the proxy is reachable from the client network", DOCKER),
    }),
    **_weaknesses("auth", {
        "proxy_auth_off": ("the proxy forwards gRPC calls without checking the bearer token", REFERENCE),
        "alg_none_accepted": ("the proxy accepts unsigned tokens with alg none", REFERENCE),
        "hs256_key_confusion": ("the proxy verifies HS256 with the RSA public key as HMAC secret", REFERENCE),
        "exp_ignored": ("the proxy ignores the exp claim", REFERENCE),
        "nbf_ignored": ("the proxy ignores the nbf claim", REFERENCE),
        "aud_ignored": ("the proxy ignores the aud claim", REFERENCE),
        "iss_ignored": ("the proxy ignores the iss claim", REFERENCE),
        "signature_unchecked": ("the proxy decodes tokens without verifying the signature", REFERENCE),
        "rotated_key_still_trusted": ("a retired signing key still verifies", REFERENCE),
        "optimize_api_open": ("Optimize's public API answers without a token", REFERENCE),
        # Local only: on docker Elasticsearch stays on the internal network, out of the harness's reach.
        "search_anonymous": ("Elasticsearch answers anonymous requests", LOCAL),
        "vault_anonymous": ("Vault serves secrets without a token", LOCAL),
    }),
    **_weaknesses("tenancy", {
        "tenant_check_off": ("the gateway ignores tenant grants", REFERENCE),
        "optimize_tenant_leak": ("Optimize returns rows of tenants the user lacks", REFERENCE),
        "mt_disabled_leak": ("with multi-tenancy off, Optimize returns non-default tenants", REFERENCE),
        "identity_down_fail_open": ("tenant checks pass when Identity is unreachable", REFERENCE),
        "tenant_revocation_ignored": ("a revoked tenant grant stays usable past the cache TTL", REFERENCE),
    }),
    **_weaknesses("secrets", {
        "no_retry_backoff": ("the worker fails jobs without a retry back-off", REFERENCE),
        "secret_in_logs": ("the worker logs secret values unmasked", REFERENCE),
        "secret_in_variables": ("the worker writes secrets into job variables", REFERENCE),
        "secret_in_error_message": ("the worker puts secrets into job error messages", REFERENCE),
        "allowlist_off": ("the worker runs jobs of any process", REFERENCE),
        "vault_policy_too_broad": ("one business unit's AppRole reads another's secrets", LOCAL),
        "vault_tls_off": ("the worker talks to Vault over plain HTTP", REFERENCE),
        "actuator_exposed": ("the worker exposes management endpoints beyond health", REFERENCE),
    }),
    **_weaknesses("headers", {
        "hsts_missing": ("Optimize sends no Strict-Transport-Security", REFERENCE),
        "csp_missing": ("Optimize sends no Content-Security-Policy", REFERENCE),
        "nosniff_missing": ("Optimize sends no X-Content-Type-Options", REFERENCE),
        "frame_protection_missing": ("Optimize allows framing", REFERENCE),
        "referrer_policy_missing": ("Optimize sends no Referrer-Policy", REFERENCE),
        "server_banner": ("Optimize announces its server version", REFERENCE),
        "cookie_flags_missing": ("session cookies lack Secure, HttpOnly or SameSite", REFERENCE),
        "headers_missing_on_errors": ("security headers are missing on error responses", REFERENCE),
    }),
    **_weaknesses("load", {
        "auth_cache_bypass": ("a cached auth decision lets a forged token through", REFERENCE),
        "slow_auth": ("added latency on the auth path breaks the p95 SLO", REFERENCE),
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
    Check("AUTH-001", "A call without a token is refused on every authenticated endpoint", "auth", "critical",
          (ASVS_SERVICE_AUTH, ASVS_PROXY_HEADER_AUTH, SOURCE_ZEEBE_GRPC, SOURCE_OPTIMIZE_SECURITY),
          ("proxy_auth_off", "optimize_api_open")),
    Check("AUTH-002", "A genuinely signed token expired beyond any leeway is refused", "auth", "high",
          (ASVS_TOKEN_EXPIRY, ASVS_TOKEN_VERIFIED, SOURCE_ZEEBE_GRPC), ("exp_ignored", "proxy_auth_off"),
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
          (ASVS_NO_TOKEN_IN_URL, ASVS_PROXY_HEADER_AUTH, SOURCE_ZEEBE_GRPC), ("proxy_auth_off",)),
    Check("AUTH-008", "alg None/NONE variants, signed or not, are refused", "auth", "critical",
          FORGED_TOKEN_REFS, ("signature_unchecked", "proxy_auth_off")),
    Check("AUTH-009", "HS256 signed with the server's RSA public key is refused", "auth", "critical",
          FORGED_TOKEN_REFS, ("hs256_key_confusion", "signature_unchecked", "proxy_auth_off")),
    Check("AUTH-010", "A token with its signature stripped is refused", "auth", "critical",
          FORGED_TOKEN_REFS, ("signature_unchecked", "proxy_auth_off")),
    Check("AUTH-011", "Claims tampered under the old signature are refused", "auth", "critical",
          FORGED_TOKEN_REFS, ("signature_unchecked", "proxy_auth_off")),
    Check("AUTH-012", "A genuinely signed token with nbf in the future is refused", "auth", "medium",
          (ASVS_TOKEN_EXPIRY, ASVS_TOKEN_VERIFIED, SOURCE_ZEEBE_GRPC), ("nbf_ignored", "proxy_auth_off"),
          needs=("mint_token",)),
    Check("AUTH-013", "A genuinely signed token for another audience is refused", "auth", "high",
          FORGED_TOKEN_REFS, ("aud_ignored", "proxy_auth_off"),
          needs=("mint_token",)),
    Check("AUTH-014", "A genuinely signed token from another issuer is refused", "auth", "high",
          FORGED_TOKEN_REFS, ("iss_ignored", "proxy_auth_off"),
          needs=("mint_token",)),
    Check("AUTH-015", "A genuine token issued for another service is refused", "auth", "high",
          FORGED_TOKEN_REFS, ("aud_ignored", "proxy_auth_off")),
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
          needs=("stop_service", "identity.tenant_grant_ttl_s")),
    Check("TEN-004", "A revoked tenant grant stops working within the stated cache TTL", "tenancy", "high",
          (ASVS_LEAST_PRIVILEGE, SOURCE_OPTIMIZE_TENANCY), ("tenant_revocation_ignored",),
          needs=("grant_tenant", "identity.tenant_grant_ttl_s")),
    Check("TEN-005", "Optimize gives a client no rows of another tenant from any report or export", "tenancy",
          "critical", (ASVS_OBJECT_ACCESS, ASVS_LEAST_PRIVILEGE, SOURCE_OPTIMIZE_TENANCY), ("optimize_tenant_leak",)),
    Check("TEN-006", "Optimize refuses a report of another tenant asked for by id (403/404)", "tenancy", "critical",
          (ASVS_OBJECT_ACCESS, SOURCE_OPTIMIZE_TENANCY), ("optimize_tenant_leak",)),
    Check("TEN-007", "With multi-tenancy off, Optimize returns `<default>` rows only", "tenancy", "high",
          (ASVS_LEAST_PRIVILEGE, SOURCE_OPTIMIZE_TENANCY), ("mt_disabled_leak",),
          needs=("optimize.single_tenant_url",)),
    Check("TEN-008", "With Identity unreachable, Optimize returns no tenant data (fail closed)", "tenancy", "high",
          (ASVS_FAIL_SECURELY, SOURCE_OPTIMIZE_TENANCY), ("identity_down_fail_open",),
          needs=("stop_service", "identity.tenant_grant_ttl_s")),
    Check("TEN-009", "A revoked tenant grant is gone from Optimize within the cache TTL + 1 s", "tenancy", "high",
          (ASVS_LEAST_PRIVILEGE, SOURCE_OPTIMIZE_TENANCY), ("tenant_revocation_ignored",),
          needs=("grant_tenant", "identity.tenant_grant_ttl_s")),
    Check("LOAD-001", "No forged token gets through the auth proxy while it is under load", "load", "critical",
          (ASVS_TOKEN_VERIFIED, ASVS_RACE_SAFE, SOURCE_ZEEBE_GRPC), ("auth_cache_bypass",)),
    Check("LOAD-002", "Valid callers keep the latency, error and throughput SLO through the auth proxy under load",
          "load", "high", (SOURCE_ZEEBE_GRPC,), ("slow_auth",)),
    Check("AUTH-030", "Vault refuses a call without a token (403)", "auth", "critical",
          (ASVS_SERVICE_AUTH, SOURCE_VAULT), ("vault_anonymous",)),
    Check("HDR-001", "Optimize sends HSTS (max-age >= 1 year, includeSubDomains) on every https route", "headers",
          "medium", (ASVS_HSTS, OPTIMIZE_HEADERS, OWASP_SECURE_HEADERS), ("hsts_missing",)),
    Check("HDR-002", "Optimize sends a Content-Security-Policy without unsafe-inline or unsafe-eval on every route",
          "headers", "medium", (ASVS_CSP, OPTIMIZE_HEADERS, OWASP_SECURE_HEADERS), ("csp_missing",)),
    Check("HDR-003", "Optimize sends X-Content-Type-Options: nosniff on every route", "headers", "low",
          (ASVS_NOSNIFF, OPTIMIZE_HEADERS, OWASP_SECURE_HEADERS), ("nosniff_missing",)),
    Check("HDR-004", "Optimize forbids framing (CSP frame-ancestors or X-Frame-Options) on every route", "headers",
          "medium", (ASVS_FRAME_ANCESTORS, OWASP_SECURE_HEADERS), ("frame_protection_missing",)),
    Check("HDR-005", "Optimize sends a safe Referrer-Policy on every route", "headers", "low",
          (ASVS_REFERRER_POLICY, OWASP_SECURE_HEADERS), ("referrer_policy_missing",)),
    Check("HDR-006", "Optimize announces no server version (Server, X-Powered-By)", "headers", "low",
          (ASVS_NO_VERSION_BANNER, OWASP_SECURE_HEADERS), ("server_banner",)),
    Check("HDR-007", "Optimize's cookies are Secure, HttpOnly and SameSite", "headers", "high",
          (*ASVS_COOKIE_FLAGS, OPTIMIZE_HEADERS), ("cookie_flags_missing",)),
    Check("HDR-008", "Optimize's error responses and redirects carry the security headers its pages do", "headers",
          "medium", (ASVS_CSP, OPTIMIZE_HEADERS, OWASP_SECURE_HEADERS), ("headers_missing_on_errors",)),
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
          needs=("stop_service", "rotate_secret")),
    Check("SEC-009", "A worker's management endpoint serves health only (env, configprops... closed)", "secrets",
          "high", (ASVS_NO_DEBUG_ENDPOINTS, f"{SOURCE_VAULT}: Security Aspects"), ("actuator_exposed",)),
)}


def checks_detecting(weakness: str) -> list[Check]:
    return [check for check in CHECKS.values() if weakness in check.detects]


def implemented_weaknesses(backend: str) -> list[Weakness]:
    return [w for w in WEAKNESSES.values() if backend in w.backends]
