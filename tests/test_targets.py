"""Every example target in docs/targets/ loads as shipped, so the docs cannot drift from the Target model."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.config import load
from tests.conftest import REPO

TARGETS = sorted((REPO / "docs" / "targets").glob("*.yaml"))


def test_the_documented_targets_exist() -> None:
    assert {p.name for p in TARGETS} >= {"helm-camunda8.yaml", "docker-official-images.yaml"}


@pytest.mark.parametrize("path", TARGETS, ids=[p.name for p in TARGETS])
def test_example_target_loads(path: Path) -> None:
    target = load(path, environ={})
    assert target.gateway is not None and target.gateway.tls
    assert target.identity is not None and target.identity.token_url.startswith("https://")
    assert target.clients["default"].client_secret_env == "ZEEBE_CLIENT_SECRET"


def test_camunda_variables_point_an_example_at_port_forwards() -> None:
    target = load(REPO / "docs" / "targets" / "helm-camunda8.yaml",
                  environ={"ZEEBE_ADDRESS": "127.0.0.1:26500", "ELASTICSEARCH_URL": "https://127.0.0.1:9200"})
    assert target.gateway is not None and target.gateway.address == "127.0.0.1:26500"
    assert target.search is not None and target.search.url == "https://127.0.0.1:9200"
