"""`harness doctor --target FILE` against a running stack (all ok) and against broken target files."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import threading
from pathlib import Path

import yaml

from harness import config
from harness.backends.ports import free_ports
from harness.catalog import CHECKS
from harness.needs import unmet
from harness.reference.pki import Pki
from tests.test_cli import stack_up  # noqa: F401  (the fixture: `harness stack up --env-file`)


def doctor(target: Path, environ: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "harness.cli", "doctor", "--target", str(target)],
                          capture_output=True, text=True, timeout=120, env=environ,
                          check=False)


def test_doctor_passes_a_running_stack_and_names_what_a_broken_file_lacks(
        stack_up: tuple[dict[str, object], Path], tmp_path: Path) -> None:  # noqa: F811
    target, env_file = stack_up
    credentials = dict(line.split("=", 1) for line in env_file.read_text().splitlines())
    environ = {k: v for k, v in os.environ.items() if k not in credentials and not k.startswith("ZEEBE_")}
    good = tmp_path / "staging.yaml"
    good.write_text(yaml.safe_dump(target))

    result = doctor(good, environ | credentials)
    assert result.returncode == 0, result.stdout + result.stderr
    for subject in ("clients.default:", "gateway.address 127.0.0.1:", "identity.token_url", "identity.jwks_url:",
                    "clients.default token:", "clients.admin token:", "gateway.address Topology: gRPC OK"):
        assert any(line.startswith("  ok") and subject in line for line in result.stdout.splitlines()), subject
    assert "TLSv1.3 handshake verified" in result.stdout or "TLSv1.2 handshake verified" in result.stdout
    assert credentials["ZEEBE_CLIENT_SECRET"] not in result.stdout + result.stderr

    broken = dict(target)
    closed_port = free_ports(1)[0]
    broken["gateway"] = dict(target["gateway"], address=f"127.0.0.1:{closed_port}")  # type: ignore[arg-type]
    # Keycloak ignores the audience a client asks for: a declared audience no mapper gives is a finding.
    clients = dict(target["clients"])  # type: ignore[call-overload]
    broken["clients"] = clients | {"bu_a": dict(clients["bu_a"], audience="not-mapped-api")}
    (tmp_path / "broken.yaml").write_text(yaml.safe_dump(broken))
    # ZEEBE_ADDRESS would override the file's (broken) address, as Camunda's variables do.
    without_admin = {k: v for k, v in credentials.items()
                     if k not in {"HARNESS_IDENTITY_ADMIN_SECRET", "ZEEBE_ADDRESS"}}
    wrong_secret = without_admin | {"ZEEBE_CLIENT_SECRET": "not-the-secret"}
    result = doctor(tmp_path / "broken.yaml", environ | wrong_secret)
    assert result.returncode == 1, result.stdout + result.stderr
    missing = [line for line in result.stdout.splitlines() if line.startswith("  MISSING")]
    assert any("clients.admin: environment variable HARNESS_IDENTITY_ADMIN_SECRET is not set" in m for m in missing)
    assert any(f"gateway.address 127.0.0.1:{closed_port}: no TCP connection" in m for m in missing)
    assert any("clients.default token:" in m for m in missing), "a wrong secret gets no token"
    assert any("clients.bu_a token:" in m and "without the declared audience 'not-mapped-api'" in m for m in missing)
    assert len(missing) == 4 and "harness doctor: 4 problem(s)" in result.stdout, result.stdout
    assert "not-the-secret" not in result.stdout


def test_doctor_on_a_bad_file_is_one_line_naming_the_field(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("gateway: {address: zeebe.example.com}\n")
    result = doctor(tmp_path / "bad.yaml", dict(os.environ))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "gateway.address" in result.stderr and "Traceback" not in result.stderr


def test_doctor_reports_an_untrusted_certificate(tmp_path: Path) -> None:
    """Unreachable and untrusted are different problems; a TLS endpoint with the wrong CA says which."""
    cert = Pki(tmp_path / "pki").issue("identity")
    other_ca = Pki(tmp_path / "other").ca_file
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert.cert_file, cert.key_file)
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    server.settimeout(20)

    def accept_one() -> None:
        try:
            conn, _ = server.accept()
            with conn:
                try:
                    context.wrap_socket(conn, server_side=True).close()
                except (ssl.SSLError, OSError):
                    pass
        finally:
            server.close()

    threading.Thread(target=accept_one, daemon=True).start()
    (tmp_path / "t.yaml").write_text(yaml.safe_dump({"gateway": {"address": f"127.0.0.1:{port}"},
                                                      "ca_file": str(other_ca)}))
    result = doctor(tmp_path / "t.yaml", dict(os.environ))
    assert result.returncode == 1
    assert f"MISSING  gateway.address 127.0.0.1:{port}: TLS certificate not trusted by ca_file" in result.stdout


def test_doctor_names_the_checks_a_target_will_skip_and_why(tmp_path: Path) -> None:
    """Declared needs (harness.catalog) are judged before the run: the same reasons the checks will skip with."""
    (tmp_path / "bare.yaml").write_text("name: bare\ncapabilities: [grant_tenant]\n")
    result = doctor(tmp_path / "bare.yaml", dict(os.environ))
    skips = {line.split()[1]: line for line in result.stdout.splitlines() if line.startswith("  skip")}
    assert "the target states no identity.tenant_grant_ttl_s" in skips["TEN-004"]
    assert "lacks the grant_tenant" not in skips["TEN-004"]
    assert "the grant_tenant capability needs identity.management_url" in skips["TEN-004"], (
        "a declared capability whose adapter has no product API to call skips and names the field")
    assert "the target lacks the stop_service capability" in skips["TEN-003"]
    assert "the target lacks the rotate_signing_key capability" in skips["AUTH-022"]
    assert "TLS-001" not in skips, "a check without declared needs is not listed"


def test_an_optimize_without_a_form_login_skips_the_session_checks() -> None:
    """Camunda 8's Optimize logs in through Identity's browser redirect: `optimize.login_form: false` is a
    switch left off, so the checks that read Optimize as a logged-in user skip and say why."""
    optimize = {"url": "https://optimize.example.com", "collection_ids": ["c1"]}
    without = config.validate({"name": "t", "optimize": optimize})
    assert unmet(without, CHECKS["TEN-005"].needs) == ["the target states no optimize.login_form"]
    with_login = config.validate({"name": "t", "optimize": {**optimize, "login_form": True}})
    assert unmet(with_login, CHECKS["TEN-005"].needs) == []


def test_the_grpc_surface_checks_take_either_generations_api() -> None:
    """AUTH-040/042 walk the 8.3-8.7 gateway or an 8.8+ cluster's gRPC API with the oidc method (its own
    `oidc_grpc_address`, or `grpc_address` where the cluster is oidc): one is enough, neither skips naming
    both; a basic cluster's gRPC takes no tokens to forge."""
    needs = CHECKS["AUTH-040"].needs
    clients = {"default": {"client_id_env": "CAMUNDA_CLIENT_ID", "client_secret_env": "CAMUNDA_CLIENT_SECRET",
                           "audience": "zeebe-api"}}
    cluster = {"url": "https://camunda.example.com", "grpc_address": "camunda.example.com:26500", "client": "default"}
    gateway = config.validate({"name": "t", "gateway": {"address": "zeebe.example.com:443"}})
    oidc = config.validate({"name": "t", "clients": clients, "orchestration": {**cluster, "auth": "oidc"}})
    basic = config.validate({"name": "t", "clients": clients, "orchestration": {**cluster, "auth": "basic"}})
    assert unmet(gateway, needs) == [] and unmet(oidc, needs) == []
    (reason,) = unmet(basic, needs)
    assert reason == "neither: the target states no gateway; nor: the target states no orchestration.oidc_grpc_endpoint"
