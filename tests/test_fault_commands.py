"""Fault commands of an external target (`faults:` in the target file): the operator's own stop/start commands
run bounded, their failures are one redacted line, and the harness waits for the service's address to follow
(a `kubectl scale` returns before the pods are gone). The service here is a small HTTP server whose answer a
marker file decides, so each command's effect is observable and can be delayed."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.backends.fault_commands import CommandFaults
from harness.catalog import CHECKS
from harness.config import validate
from harness.doctor import check_fault_commands, skipped_checks
from harness.errors import FaultUnsupported, StackError, UsageError
from harness.needs import unmet
from harness.report.evidence import REDACTED, Redactor

SECRET = "fault-command-secret-1234567890"


@pytest.fixture
def service(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """(its URL, the marker file): 200 while the marker exists, 503 (as an ingress answers) otherwise."""
    marker = tmp_path / "up"
    marker.touch()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if marker.exists() else 503)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/ready", marker
    finally:
        server.shutdown()


def faults(url: str, stop: object, start: object, timeout_s: float = 10) -> CommandFaults:
    target = validate({"capabilities": ["stop_service"], "faults": {
        "timeout_s": timeout_s, "services": {"identity": {"stop": stop, "start": start, "ready_url": url}}}})
    redact = Redactor()
    redact.add_secrets([SECRET])
    return CommandFaults(target, redact)


def test_stop_and_start_wait_for_the_service_to_follow(service: tuple[str, Path]) -> None:
    url, marker = service
    # Both commands return at once and act a second later, as a scale-down or a rollout does.
    controls = faults(url, stop=f"(sleep 1; rm {marker}) >/dev/null 2>&1 &",
                      start=["sh", "-c", f"(sleep 1; touch {marker}) >/dev/null 2>&1 &"])
    controls.stop("identity")
    assert not marker.exists(), "stop returned before the service stopped answering"
    controls.start("identity")
    assert marker.exists(), "start returned before the service answered again"


def test_failing_command_is_one_redacted_line(service: tuple[str, Path]) -> None:
    controls = faults(service[0], stop=f"echo 'Error from server: token {SECRET} forbidden' >&2; exit 3",
                      start="true")
    with pytest.raises(StackError) as raised:
        controls.stop("identity")
    message = str(raised.value)
    assert message.startswith("faults.services.identity.stop: exited 3:") and "forbidden" in message
    assert SECRET not in message and REDACTED in message and "\n" not in message


def test_command_is_bounded_by_the_timeout(service: tuple[str, Path]) -> None:
    controls = faults(service[0], stop=["sleep", "30"], start="true", timeout_s=0.5)
    with pytest.raises(StackError, match=r"faults.services.identity.stop: still running after faults.timeout_s"):
        controls.stop("identity")


def test_service_that_never_stops_answering_is_an_error(service: tuple[str, Path]) -> None:
    controls = faults(service[0], stop="true", start="true", timeout_s=1)
    with pytest.raises(StackError, match="did not stop answering within faults.timeout_s=1 s"):
        controls.stop("identity")


def test_only_the_named_services_and_no_pause(service: tuple[str, Path]) -> None:
    controls = faults(service[0], stop="true", start="true")
    assert controls.stoppable("identity") and not controls.stoppable("vault")
    with pytest.raises(FaultUnsupported, match="no commands for vault"):
        controls.stop("vault")
    with pytest.raises(FaultUnsupported):
        controls.pause("identity")


def test_checks_that_stop_a_service_run_only_where_the_target_names_its_commands() -> None:
    commands = {"stop": "docker compose stop identity", "start": "docker compose start identity"}
    base = {"capabilities": ["stop_service", "grant_tenant"], "identity": {
        "token_url": "https://id:8443/token", "jwks_url": "https://id:8443/certs", "issuer": "x",
        "tenant_grant_ttl_s": 5}}
    without, with_identity = validate(base), validate({**base, "faults": {"services": {"identity": commands}}})
    needs = CHECKS["TEN-003"].needs
    assert "faults.services.identity" in "; ".join(unmet(without, needs))
    assert not unmet(with_identity, needs, stoppable=lambda name: name in with_identity.faults.services)
    skipped = {check.id for check, _ in skipped_checks(with_identity)}
    assert "TEN-003" not in skipped and "SEC-008" in skipped, "Vault has no commands, so SEC-008 still skips"


def test_doctor_names_a_fault_command_missing_on_this_machine() -> None:
    target = validate({"faults": {"services": {"identity": {"stop": "no-such-kubectl scale --replicas=0",
                                                              "start": ["true"]}}}})
    (finding,) = check_fault_commands(target)
    assert not finding.ok and finding.subject == "faults.services.identity.stop"
    assert finding.detail == "no-such-kubectl is not on PATH"
    assert validate({}).faults.services == {} and check_fault_commands(validate({})) == []


@pytest.mark.parametrize(("faults_section", "field"), [
    ({"services": {"identity": {"stop": ""}}}, "faults.services.identity.stop"),
    ({"services": {"identity": {"stop": [], "start": "x"}}}, "faults.services.identity.stop"),
    ({"timeout_s": 0}, "faults.timeout_s"),
    ({"services": {"identity": {"stop": "x", "start": "y", "ready_url": "ftp://x"}}},
     "faults.services.identity.ready_url"),
])
def test_bad_fault_section_names_the_field(faults_section: dict[str, object], field: str) -> None:
    with pytest.raises(UsageError) as raised:
        validate({"faults": faults_section})
    assert str(raised.value).startswith(f"target: {field}"), str(raised.value)
    assert "\n" not in str(raised.value)
