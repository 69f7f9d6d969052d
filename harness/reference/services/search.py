"""Elasticsearch: where Zeebe's exporter writes and Optimize reads; internal in a real deployment."""

from __future__ import annotations

import secrets
from typing import Any

from harness.reference.services.base import LOCAL_ONLY, Build, Definition, Health, Listener, ServiceSpec

# Elasticsearch's built-in superuser; its password is generated per stack and lives only in this variable.
SEARCH_USER = "elastic"
SEARCH_PASSWORD_ENV = "HARNESS_SEARCH_PASSWORD"


def access(build: Build) -> dict[str, Any]:
    """How Optimize and Zeebe's exporter reach Elasticsearch."""
    return {"url": f"https://{build.internal('search')}", "username": SEARCH_USER,
            "password": build.environ[SEARCH_PASSWORD_ENV], "ca_file": str(build.pki.ca_file)}


class SearchService(Definition):
    def credentials(self) -> dict[str, str]:
        return {SEARCH_PASSWORD_ENV: secrets.token_urlsafe(24)}

    def specs(self, build: Build) -> tuple[ServiceSpec, ...]:
        argv = build.python_service("search", {
            **build.listen("search"), "tls": build.tls("search"), "password": build.environ[SEARCH_PASSWORD_ENV],
            "cluster_name": "harness", "weaknesses": build.weaknesses,
        })
        return (ServiceSpec(self.name, argv, (Health("tcp", "search"),)),)

    def target(self, build: Build) -> dict[str, Any]:
        # Declared only where the test process can reach it (local: loopback); on docker it stays internal.
        address = build.placements["search"].external
        if address is None:
            return {}
        return {"search": {"url": f"https://{address}", "username": SEARCH_USER, "password_env": SEARCH_PASSWORD_ENV}}


DEFINITION = SearchService(
    name="search",
    # Elasticsearch stays internal in a real deployment: only Optimize and the stack reach it.
    listeners={"search": Listener("search", 9200, client_facing=False)},
    scenarios=frozenset({"tls", "auth", "tenancy", "secrets", "headers", "load"}),
    # Local only: on docker Elasticsearch stays on the internal network, out of the harness's reach.
    weaknesses={"search_anonymous": LOCAL_ONLY},
)
