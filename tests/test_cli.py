"""`harness` CLI: the catalog listings and `stack up` as other tools (and an external target) use it."""

from __future__ import annotations

import json
import re
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from harness.catalog import CHECKS, WEAKNESSES
from harness.probes import claims, gateway_surface, jwt, tenant_ids
from harness.probes.endpoints import KINDS
from tests.conftest import launch_stack_up, processes_under, run_pytest


def harness(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "harness.cli", *args], capture_output=True, text=True, check=False, timeout=60)


def test_list_checks_and_weaknesses_as_json() -> None:
    checks = json.loads(harness("list-checks", "--json").stdout)
    assert [c["id"] for c in checks] == list(CHECKS)
    assert {"id", "title", "scenario", "severity", "refs", "detects", "surface"} <= set(checks[0])
    surfaces = {c["id"]: c["surface"] for c in checks}
    assert surfaces["AUTH-040"]["rpcs"] == len(gateway_surface.RPCS)
    assert surfaces["AUTH-040"]["credentials"] == len(jwt.REPRESENTATIVE)
    assert surfaces["AUTH-013"] == {"endpoints": len(KINDS), "variants": len(claims.variants_of("AUTH-013"))}
    assert surfaces["AUTH-016"]["variants"] == len(jwt.forgeries_of("AUTH-016"))
    assert surfaces["TEN-010"]["variants"] == len(tenant_ids.TENANT_VARIANTS)
    http_apis = len([kind for kind in KINDS.values() if kind.routes])
    assert surfaces["AUTH-041"]["routes"] >= http_apis * 10 and surfaces["AUTH-041"]["apis"] == http_apis
    assert surfaces["HDR-006"]["endpoints"] > surfaces["HDR-002"]["endpoints"], "no banner anywhere; CSP on web apps"
    assert all(isinstance(count, int) for surface in surfaces.values() for count in surface.values())
    table = harness("list-checks").stdout
    counts = f"2 endpoints x {len(gateway_surface.RPCS)} rpcs x {len(jwt.REPRESENTATIVE)} credentials"
    assert re.search(rf"^AUTH-040 .* {counts} ", table, re.MULTILINE), table
    weaknesses = json.loads(harness("list-weaknesses", "--json").stdout)
    assert [w["name"] for w in weaknesses] == list(WEAKNESSES)
    tls_off = next(w for w in weaknesses if w["name"] == "tls_off")
    assert tls_off["detected_by"] == ["TLS-001"] and tls_off["backends"] == ["docker", "local"]


def test_unknown_profile_is_a_one_line_error() -> None:
    result = harness("stack", "up", "--profile", "nope")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "unknown weakness 'nope'" in result.stderr


@pytest.fixture
def stack_up(tmp_path: Path, state_dir: Path) -> Iterator[tuple[dict[str, object], Path]]:
    env_file = tmp_path / "stack.env"
    process, target = launch_stack_up(env_file)
    yield json.loads(target), env_file
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=30)
    assert processes_under(state_dir) == []


def test_stack_up_prints_the_target_and_writes_credentials(stack_up: tuple[dict[str, object], Path]) -> None:
    target, env_file = stack_up
    assert target["gateway"]["address"].startswith("127.0.0.1:") and target["gateway"]["tls"] is True  # type: ignore[index]
    for key in ("token_url", "jwks_url", "issuer"):
        assert target["identity"][key].startswith("https://127.0.0.1:")  # type: ignore[index]
    assert {"optimize", "search", "vault", "ca_file", "clients"} <= set(target)
    client = target["clients"]["default"]  # type: ignore[index]
    assert set(client) == {"client_id_env", "client_secret_env", "audience", "tenants"}
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    variables = dict(line.split("=", 1) for line in env_file.read_text().splitlines())
    assert variables[client["client_secret_env"]] and variables[client["client_secret_env"]] not in json.dumps(target)
    # camunda-orchestration-sdk reads the same file: the Orchestration Cluster's address and Basic login.
    cluster = target["orchestration"]  # type: ignore[index]
    assert variables["CAMUNDA_REST_ADDRESS"] == cluster["url"] and variables["CAMUNDA_AUTH_STRATEGY"] == "BASIC"
    assert variables["CAMUNDA_BASIC_AUTH_USERNAME"] == cluster["users"]["default"]["username"]
    assert variables[cluster["users"]["default"]["password_env"]]


def test_external_target_against_a_running_stack(stack_up: tuple[dict[str, object], Path], tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The external backend, pointed at a stack through a target file and an env file, passes the checks."""
    target, env_file = stack_up
    for line in env_file.read_text().splitlines():
        name, value = line.split("=", 1)
        monkeypatch.setenv(name, value)
    (tmp_path / "staging.yaml").write_text(yaml.safe_dump(target))
    report_dir = tmp_path / "out"
    result = run_pytest(["--scenario=tls,auth", "--target=staging.yaml", f"--report-dir={report_dir}", "-q"],
                        cwd=tmp_path)
    outcomes = {c["test"]: c["outcome"] for c in json.loads((report_dir / "report.json").read_text())["checks"]}
    failed = sorted(test for test, outcome in outcomes.items() if outcome in ("failed", "error"))
    # Seen from outside, the local reference stack shares one loopback, so its gateway port and the
    # Orchestration Cluster's management port answer where clients stand: the exposure checks, run from this
    # host for an external target, must say so.
    assert [test.rsplit("::", 1)[1] for test in failed] == [
        "test_gateway_not_reachable_from_client_network", "test_management_endpoints_not_reachable_from_clients"], \
        result.stdout[-3000:]
