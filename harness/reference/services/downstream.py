"""The system the workers call with the credential they read from Vault; only they reach it."""

from __future__ import annotations

from harness.reference.services import vault
from harness.reference.services.base import Build, Definition, Health, Listener, ServiceSpec
from harness.reference.services.identity import BUSINESS_UNITS
from harness.reference.vault import seed


class DownstreamService(Definition):
    def specs(self, build: Build) -> tuple[ServiceSpec, ...]:
        argv = build.python_service("downstream", {
            **build.listen("downstream"), "tls": build.tls("downstream"),
            # It checks what a worker presents against Vault's current version of the unit's credential.
            "vault": {"url": vault.internal_url(build), "ca_file": str(build.pki.ca_file), "mount": seed.MOUNT,
                      **vault.downstream_role(build)},
            "accounts": {seed.account(folder): seed.secret_path(folder) for folder, _ in BUSINESS_UNITS.values()},
        })
        return (ServiceSpec(self.name, argv, (Health("https", "downstream", "/health"),)),)


DEFINITION = DownstreamService(
    name="downstream",
    listeners={"downstream": Listener("downstream", 8443, client_facing=False)},
    depends_on=("vault",),
    scenarios=frozenset({"secrets"}),
)
