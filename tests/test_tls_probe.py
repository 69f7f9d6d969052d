"""The TLS probe's own logic, without a network: which endpoints a Target yields, RFC 6125 host matching,
what counts as outside Mozilla's intermediate profile, and the scenario's expiry horizon option."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from harness import config
from harness.deployment import Stack
from harness.probes import tls
from tests.conftest import REPO, run_pytest

NOW = dt.datetime.now(dt.UTC)


def certificate(*san: str, key_type: str = "EC", bits: int = 256, curve: str | None = "secp256r1") -> tls.Certificate:
    return tls.Certificate(subject="CN=x", issuer="CN=ca", san=san, not_before=NOW, not_after=NOW,
                           key_type=key_type, key_bits=bits, curve=curve, trusted=True, validation_error=None)


def test_endpoints_cover_every_declared_service_once() -> None:
    target = config.validate({
        "gateway": {"address": "zeebe.example.com:443", "direct_address": "10.0.0.5:26500"},
        "identity": {"token_url": "https://login.example.com/realms/c/token",
                     "jwks_url": "https://login.example.com/realms/c/certs", "issuer": "https://login.example.com"},
        "optimize": {"url": "https://optimize.example.com", "http_url": "http://optimize.example.com:8090"},
        "search": {"url": "https://login.example.com"},
        "vault": {"url": "http://vault.internal:8200"},
    })
    found = {e.name: e for e in tls.endpoints(target)}
    assert set(found) == {"gateway", "identity", "optimize", "vault"}, "search shares identity's address"
    assert found["gateway"] == tls.Endpoint("gateway", "zeebe.example.com", 443, True)
    assert found["optimize"].address == "optimize.example.com:443"
    assert found["vault"] == tls.Endpoint("vault", "vault.internal", 8200, False)


def test_every_address_of_the_orchestration_cluster_is_scanned_under_its_own_name() -> None:
    """The REST listener, the oidc one and gRPC (a ZEEBE_GRPC_ADDRESS-style URI is taken) are scanned; the
    management port and the plain-HTTP port are not: they must not serve clients (TLS-010, TLS-011)."""
    target = config.validate({"orchestration": {
        "url": "https://camunda.example.com", "oidc_url": "https://camunda.example.com:8443",
        "grpc_address": "grpcs://zeebe.example.com:26500", "http_url": "http://camunda.example.com",
        "management_url": "http://camunda.example.com:9600"}})
    found = {e.name: e.address for e in tls.endpoints(target)}
    assert found == {"orchestration": "camunda.example.com:443", "orchestration.oidc_url": "camunda.example.com:8443",
                     "orchestration.grpc_address": "zeebe.example.com:26500"}


def test_an_endpoint_declared_without_tls_fails_instead_of_being_scanned() -> None:
    report = tls.scan_all([tls.Endpoint("vault", "127.0.0.1", 1, False)], None)
    assert report.scans["vault"].error == "the target declares this endpoint without TLS"


@pytest.mark.parametrize(("san", "host", "matches"), [
    (("IP:127.0.0.1",), "127.0.0.1", True),
    (("DNS:127.0.0.1",), "127.0.0.1", False),
    (("DNS:Zeebe.Example.com",), "zeebe.example.com", True),
    (("DNS:*.example.com",), "zeebe.example.com", True),
    (("DNS:*.example.com",), "a.zeebe.example.com", False),
    (("DNS:*.example.com",), "example.com", False),
    (("DNS:wrong-host.invalid",), "localhost", False),
])
def test_san_matching(san: tuple[str, ...], host: str, matches: bool) -> None:
    assert certificate(*san).names_host(host) is matches


@pytest.mark.parametrize(("key_type", "bits", "curve", "strong"), [
    ("RSA", 2048, None, True), ("RSA", 1024, None, False), ("EC", 256, "secp256r1", True),
    ("EC", 192, "secp192r1", False), ("DSAPublicKey", 2048, None, False),
])
def test_key_strength(key_type: str, bits: int, curve: str | None, strong: bool) -> None:
    assert certificate(key_type=key_type, bits=bits, curve=curve).strong_key is strong


def test_suites_outside_the_profile_and_weaknesses() -> None:
    scan = tls.TlsScan(
        tls.Endpoint("gateway", "127.0.0.1", 1, True),
        accepted_suites={"TLS 1.0": ("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",), "TLS 1.1": (),
                         "TLS 1.2": ("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",),
                         "TLS 1.3": ("TLS_AES_128_GCM_SHA256", "TLS_AES_128_CCM_8_SHA256")},
        certificate=certificate(key_type="RSA", bits=1024, curve=None),
        client_renegotiation=True, robot="NOT_VULNERABLE_NO_ORACLE")
    assert scan.accepted_versions == ("TLS 1.0", "TLS 1.2", "TLS 1.3")
    assert scan.legacy_versions == ("TLS 1.0",)
    assert scan.suites_outside_profile == ("TLS_AES_128_CCM_8_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA")
    assert set(scan.weaknesses) == {"certificate_key", "client_renegotiation"}
    assert "tls_vulnerability_robot" in tls.TlsScan(scan.endpoint, robot="VULNERABLE_WEAK_ORACLE").weaknesses
    assert not tls.TlsScan(scan.endpoint, robot="UNKNOWN_INCONSISTENT_RESULTS").weaknesses


def test_bad_expiry_days_is_one_line_and_exit_4(tmp_path: Path) -> None:
    result = run_pytest(["--scenario=tls", "--cert-expiry-days=-3"], cwd=tmp_path)
    assert result.returncode == 4
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "--cert-expiry-days: '-3'" in lines[0], result.stderr


def test_expiry_horizon_beyond_the_certificate_turns_tls_006_red(tmp_path: Path, state_dir: Path) -> None:
    """The reference certificates live 365 days: a 400-day horizon must fail them, so the option is live."""
    result = run_pytest(["--scenario=tls", "--cert-expiry-days=400", f"--report-dir={tmp_path}", "-q"], cwd=REPO)
    checks = {c["id"]: c for c in json.loads((tmp_path / "report.json").read_text())["checks"]}
    assert result.returncode == 1, result.stdout[-2000:]
    assert checks["TLS-006"]["outcome"] == "failed" and "within 400 days" in checks["TLS-006"]["message"]
    assert checks["TLS-006"]["evidence"]["horizon_days"] == 400
    assert all(c["outcome"] != "failed" for cid, c in checks.items() if cid != "TLS-006")


COUNTER_PLUGIN = '''
import json, os
from harness.probes import tls

scans = []
original = tls.scan_all


def counting(targets, ca_file, processes=None):
    targets = list(targets)
    scans.append([t.address for t in targets if t.declared_tls])
    return original(targets, ca_file, processes)


tls.scan_all = counting


def pytest_sessionfinish(session):
    with open(os.environ["TLS_SCAN_COUNT_FILE"], "w") as handle:
        json.dump(scans, handle)
'''


def test_the_scenario_scans_each_endpoint_once(tmp_path: Path, state_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Five scan checks, one scan: every endpoint is scanned once, together, however many checks read it."""
    (tmp_path / "tls_scan_counter.py").write_text(COUNTER_PLUGIN)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    monkeypatch.setenv("TLS_SCAN_COUNT_FILE", str(tmp_path / "queued.json"))
    result = run_pytest(["-p", "tls_scan_counter", "--scenario=tls", "-q"], cwd=REPO)
    assert result.returncode == 0, result.stdout[-2000:]
    queued = json.loads((tmp_path / "queued.json").read_text())
    assert len(queued) == 1, f"expected one scan_all call, got {queued}"
    assert len(queued[0]) == len(set(queued[0])) >= 2, "gateway, identity and the rest, each once"


def test_a_scan_split_over_processes_finds_what_one_process_finds(local_stack: Stack) -> None:
    """The child process's scans (harness.probes.tls_worker, pickled back) are the same facts as this process's."""
    endpoints = tls.endpoints(local_stack.target)[:2 * tls.ENDPOINTS_PER_PROCESS]  # the fewest that split
    assert len(endpoints) == 2 * tls.ENDPOINTS_PER_PROCESS
    one = tls.scan_all(endpoints, local_stack.target.ca_file, processes=1).scans
    split = tls.scan_all(endpoints, local_stack.target.ca_file, processes=2)
    assert split.processes == 2, "the child process delivered its share (not this process, falling back)"
    two = split.scans
    assert set(one) == set(two) == {e.name for e in endpoints}
    assert {name: scan.evidence() for name, scan in one.items()} == {name: scan.evidence() for name, scan in two.items()}
