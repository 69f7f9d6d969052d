"""Vault: the KV secrets the workers and the downstream read, through AppRoles, audited."""

from __future__ import annotations

from typing import Any

from harness.reference.services.base import BOTH, LOCAL_ONLY, Build, Definition, Health, Listener, ServiceSpec
from harness.reference.services.identity import BUSINESS_UNITS
from harness.reference.vault import seed

# The downstream system's AppRole goes only into Vault's and the downstream's config files; it travels
# in the plan's environment between the two definitions, and no Target field names it.
DOWNSTREAM_ROLE_ENV = ("HARNESS_DOWNSTREAM_ROLE_ID", "HARNESS_DOWNSTREAM_SECRET_ID")


def plaintext(build: Build) -> bool:
    """Weakness vault_tls_off: Vault listens in plain HTTP (tls_disable) and workers use an http:// address."""
    return build.profile.has("vault_tls_off")


def internal_url(build: Build) -> str:
    return f"{'http' if plaintext(build) else 'https'}://{build.internal('vault')}"


def downstream_role(build: Build) -> dict[str, str]:
    role_id_env, secret_id_env = DOWNSTREAM_ROLE_ENV
    return {"role_id": build.environ[role_id_env], "secret_id": build.environ[secret_id_env]}


class VaultService(Definition):
    def credentials(self) -> dict[str, str]:
        role = seed.downstream_role()
        return {**seed.credentials(BUSINESS_UNITS),
                DOWNSTREAM_ROLE_ENV[0]: role["role_id"], DOWNSTREAM_ROLE_ENV[1]: role["secret_id"]}

    def specs(self, build: Build) -> tuple[ServiceSpec, ...]:
        argv = build.python_service("vault", {
            **build.listen("vault"), "tls": None if plaintext(build) else build.tls("vault"),
            "audit_file": str(build.run_dir / "vault-audit.log"), "state_file": str(build.run_dir / "vault-state.json"),
            **seed.settings(BUSINESS_UNITS, build.environ, build.profile, downstream_role(build)),
            "weaknesses": build.weaknesses,
        })
        health = Health("tcp", "vault") if plaintext(build) else Health("https", "vault", "/v1/sys/health")
        return (ServiceSpec(self.name, argv, (health,)),)

    def target(self, build: Build) -> dict[str, Any]:
        url = f"{'http' if plaintext(build) else 'https'}://{build.external('vault')}"
        return {"vault": seed.target(url, BUSINESS_UNITS)}


DEFINITION = VaultService(
    name="vault",
    # Vault serves workers, and operators and CI pipelines that rotate secrets through its API.
    listeners={"vault": Listener("vault", 8200, client_facing=True)},
    scenarios=frozenset({"tls", "auth", "secrets", "headers"}),
    weaknesses={
        "vault_anonymous": LOCAL_ONLY,
        "vault_policy_too_broad": LOCAL_ONLY,
        "vault_tls_off": BOTH,
    },
    capabilities=("rotate_secret",),
)
