"""Profile presets: a named set of weaknesses reproducing a Camunda distribution's shipped security settings.

`--profile=c8run` switches on, in the reference stack, every weakness Camunda 8 Run's shipped configuration
has; `--profile=helm-8.8` those of the camunda-platform Helm chart 8.8's default values. Each weakness is
tied to the product setting behind it and to the file or page it was read from, so the list can be
re-checked against a newer release. A preset combines with weaknesses (`--profile=c8run,hsts_missing`).

`unmodelled` names what the distribution also ships that the reference cluster has no weakness for: a real
deployment fails those checks too, the preset does not reproduce them (README, "Camunda 8.8 and later").
"""

from __future__ import annotations

import dataclasses

C8RUN_YAML = ("camunda/camunda c8run/configuration/application.yaml; docs.camunda.io Orchestration Cluster Identity, "
              "initial setup (Camunda 8 Run: API authentication and authorizations disabled, demo/demo admin)")
C8RUN_TLS = ("camunda/camunda c8run/internal/overrides/overrides.go (AdjustJavaOpts: server.ssl only with a keystore); "
             "docs.camunda.io Configure Camunda 8 Run (--keystore: if not specified, HTTP is used)")
HELM_VALUES = "camunda/camunda-platform-helm charts/camunda-platform-8.8/values.yaml"
HELM_SERVICE = "camunda/camunda-platform-helm charts/camunda-platform-8.8/templates/orchestration/service.yaml"
HELM_APPLICATION = ("camunda/camunda-platform-helm "
                    "charts/camunda-platform-8.8/templates/orchestration/files/_application-unified.yaml")
PRODUCT_MT_DEFAULT = ("docs.camunda.io 8.8: multi-tenancy (camunda.security.multi-tenancy.checks-enabled "
                      "defaults to false)")
PRODUCT_ACTUATOR = ("camunda/camunda dist application.properties (management.server.port=9600, "
                    "management.server.address=0.0.0.0, loggers unrestricted) and WebSecurityConfig "
                    "(UNPROTECTED_PATHS: /actuator/**)")
SPRING_COOKIE = ("camunda/camunda WebappsConfigurationInitializer (sets the session cookie's name only); Spring Boot's "
                 "server.servlet.session.cookie.secure / same-site unset")
PRODUCT_HEADERS = "camunda/camunda ContentSecurityPolicyConfig DEFAULT_SM_SECURITY_POLICY (WebSecurityConfig)"


@dataclasses.dataclass(frozen=True)
class Setting:
    """One shipped setting and the weakness that reproduces it."""

    weakness: str
    setting: str
    source: str


@dataclasses.dataclass(frozen=True)
class Gap:
    """A shipped setting that fails checks on the real product but has no weakness in the reference cluster."""

    checks: tuple[str, ...]
    setting: str
    source: str


@dataclasses.dataclass(frozen=True)
class Preset:
    name: str
    description: str
    settings: tuple[Setting, ...]
    unmodelled: tuple[Gap, ...] = ()

    @property
    def weaknesses(self) -> frozenset[str]:
        return frozenset(setting.weakness for setting in self.settings)

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "description": self.description, "weaknesses": sorted(self.weaknesses),
                "settings": [dataclasses.asdict(s) for s in self.settings],
                "unmodelled": [dataclasses.asdict(s) for s in self.unmodelled]}


PRESETS: dict[str, Preset] = {preset.name: preset for preset in (
    Preset("c8run", "Camunda 8 Run 8.8+ as shipped (its application.yaml and start script, no options)", (
        Setting("api_unprotected", "camunda.security.authentication.unprotected-api: true", C8RUN_YAML),
        Setting("authorizations_disabled", "camunda.security.authorizations.enabled: false", C8RUN_YAML),
        Setting("default_credentials", "initialization.users demo/demo, defaultRoles.admin.users [demo]", C8RUN_YAML),
        Setting("mt_checks_disabled", "multi-tenancy.checks-enabled unset: the product default false",
                PRODUCT_MT_DEFAULT),
        Setting("basic_auth_plaintext", "plain HTTP on 8080 unless started with --keystore (server.ssl only then)",
                C8RUN_TLS),
        Setting("management_exposed", "the actuator on 9600 on every interface, unauthenticated, loggers writable",
                PRODUCT_ACTUATOR),
        Setting("cookie_flags_missing", "camunda-session without Secure and SameSite", SPRING_COOKIE),
    ), unmodelled=(
        Gap(("HDR-002",), "the default http-headers: a CSP with style-src 'unsafe-inline'", PRODUCT_HEADERS),
    )),
    Preset("helm-8.8", "camunda-platform Helm chart 8.8 with its default values (basic authentication)", (
        Setting("default_credentials", "orchestration.security.initialization.users demo/demo (and "
                "connectors/connector), defaultRoles.admin.users [demo]", HELM_VALUES),
        Setting("mt_checks_disabled", "orchestration.multitenancy.checks.enabled: false", HELM_VALUES),
        Setting("basic_auth_plaintext", "global.ingress.tls.enabled: false, no server.ssl: basic credentials over "
                "plain HTTP on the Service's port 8080", HELM_VALUES),
        Setting("management_exposed", "one Service publishes management 9600 beside http 8080 and grpc 26500",
                HELM_SERVICE),
        Setting("cookie_flags_missing", "no server.servlet.session.cookie.* in the chart's application.yaml",
                HELM_APPLICATION),
    ), unmodelled=(
        Gap(("HDR-002",), "the default http-headers: a CSP with style-src 'unsafe-inline'", PRODUCT_HEADERS),
    )),
)}


def expected_failures(preset: Preset) -> tuple[str, ...]:
    """The checks the preset must turn red on the reference stack: those detecting any of its weaknesses."""
    from harness.catalog import checks_detecting

    return tuple(sorted({check.id for weakness in preset.weaknesses for check in checks_detecting(weakness)}))
