"""The official-images stack cannot run without a registry: it is validated statically here."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from harness import config
from tests.conftest import REPO

OFFICIAL = REPO / "docker" / "official"
SECRETS = ("ZEEBE_CLIENT_ID", "ZEEBE_CLIENT_SECRET", "OPTIMIZE_CLIENT_SECRET", "ELASTIC_PASSWORD",
           "POSTGRES_PASSWORD", "KEYCLOAK_ADMIN_PASSWORD", "VAULT_TOKEN")


def compose_config(environ: dict[str, str]) -> subprocess.CompletedProcess[str]:
    compose = shutil.which("docker-compose")
    if compose is None:
        pytest.fail("docker-compose is missing: ./quickstart test installs Debian's docker-compose")
    return subprocess.run([compose, "-f", str(OFFICIAL / "compose.yaml"), "config"], capture_output=True,
                          text=True, env={"PATH": "/usr/bin:/bin", **environ}, check=False, timeout=60)


@pytest.mark.docker
def test_compose_file_is_valid_and_isolates_the_backends(tmp_path: Path) -> None:
    result = compose_config({"HARNESS_CERT_DIR": str(tmp_path), **{name: "x" for name in SECRETS}})
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}, "only the TLS proxy may publish ports"
    for service in services.values():
        for port in service.get("ports", []):
            host_ip = port.get("host_ip") if isinstance(port, dict) else str(port).split(":")[0]
            assert host_ip == "127.0.0.1", port
    assert services["zeebe"]["environment"]["ZEEBE_BROKER_GATEWAY_SECURITY_AUTHENTICATION_MODE"] == "identity"


@pytest.mark.docker
def test_compose_file_refuses_to_start_without_secrets(tmp_path: Path) -> None:
    result = compose_config({"HARNESS_CERT_DIR": str(tmp_path)})
    assert result.returncode != 0


def test_target_file_loads() -> None:
    target = config.load(REPO / "docs" / "targets" / "docker-official-images.yaml", environ={})
    assert target.gateway is not None and target.gateway.address == "127.0.0.1:26443"
    assert target.gateway.direct_address == "zeebe:26500"


def test_compose_settings_are_ones_the_products_read() -> None:
    """Optimize's public-API JWKS is set by the variable Optimize documents (Spring's resource-server
    `jwk-set-uri`), not CAMUNDA_OPTIMIZE_API_JWT_SET_URI, which maps to no configuration key; and since Zeebe
    runs with multi-tenancy on, the target's client names a tenant (Zeebe refuses a command without one)."""
    services = yaml.safe_load((OFFICIAL / "compose.yaml").read_text())["services"]
    optimize = services["optimize"]["environment"]
    assert optimize["SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_JWK_SET_URI"].endswith(
        "/realms/camunda-platform/protocol/openid-connect/certs")
    assert "CAMUNDA_OPTIMIZE_API_JWT_SET_URI" not in optimize
    assert services["zeebe"]["environment"]["ZEEBE_BROKER_GATEWAY_MULTITENANCY_ENABLED"] == "true"
    target = config.load(REPO / "docs" / "targets" / "docker-official-images.yaml", environ={})
    assert target.clients["default"].tenant
