"""Nothing the harness starts outlives it: normal end, failure, Ctrl-C, SIGTERM, and SIGKILL (reaped later)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import CHILD_PYTEST, REPO, processes_under, run_pytest

HOLDING_TEST = '''
import time

def test_holds_the_stack(stack):
    print("STACK-IS-UP", flush=True)
    time.sleep(60)
'''


def start_holding_run(tmp_path: Path, *options: str, background_job: bool = False) -> subprocess.Popen[str]:
    """A pytest run that brings the stack up and then waits inside a test, as a long scenario would."""
    (tmp_path / "test_hold.py").write_text(HOLDING_TEST)
    command = [*CHILD_PYTEST, "-s", "test_hold.py", *options]
    if background_job:  # what a shell does to `cmd &` in a script: the job starts with SIGINT ignored
        command = ["bash", "-c", 'trap "" INT; exec "$@"', "bash", *command]
    run = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert run.stdout is not None
    deadline = time.monotonic() + 300
    for line in run.stdout:
        if "STACK-IS-UP" in line or time.monotonic() > deadline:
            break
    return run


def wait_until_gone(state_dir: Path, timeout_s: float = 10) -> list[str]:
    deadline = time.monotonic() + timeout_s
    while (left := processes_under(state_dir)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def test_normal_run_leaves_nothing(tmp_path: Path, state_dir: Path) -> None:
    """A failing run leaving nothing is proven by test_plugin's failing-profile run."""
    assert run_pytest(["--scenario=tls", "-q"], cwd=REPO).returncode == 0
    assert processes_under(state_dir) == []


@pytest.mark.parametrize(("signum", "background_job"), [(signal.SIGINT, False), (signal.SIGTERM, False),
                                                       (signal.SIGINT, True)],
                         ids=["ctrl-c", "sigterm", "sigint-to-a-background-job"])
def test_interrupted_run_tears_the_stack_down(tmp_path: Path, state_dir: Path, signum: int,
                                              background_job: bool) -> None:
    run = start_holding_run(tmp_path, background_job=background_job)
    assert len(processes_under(state_dir)) >= 3, "the stack should be up while the test holds it"
    run.send_signal(signum)
    run.communicate(timeout=30)
    assert wait_until_gone(state_dir) == []


def test_sigkilled_run_is_reaped_by_the_next_run_and_by_stack_down(tmp_path: Path, state_dir: Path) -> None:
    run = start_holding_run(tmp_path)
    run.kill()
    run.wait()
    assert processes_under(state_dir), "a SIGKILLed pytest cannot clean up after itself"
    result = run_pytest(["--scenario=tls", "-q"], cwd=REPO)
    assert "a killed run left behind" in result.stdout
    assert wait_until_gone(state_dir) == []

    run = start_holding_run(tmp_path)
    run.kill()
    run.wait()
    down = subprocess.run([sys.executable, "-m", "harness.cli", "stack", "down"], capture_output=True, text=True,
                          env=os.environ, check=False, timeout=60)
    assert down.returncode == 0 and "stopped" in down.stdout
    assert wait_until_gone(state_dir) == []


def test_listening_ports_are_chosen_below_the_ephemeral_range() -> None:
    """Outgoing connections take their local ports from ip_local_port_range: a listening port chosen there
    can be lost to any process's client before the service binds it."""
    from harness.backends.ports import free_ports, listening_ports

    first_ephemeral = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    ports = free_ports(20)
    assert len(set(ports)) == 20
    assert all(port in listening_ports() and port < first_ephemeral for port in ports)


def test_no_two_runs_choose_the_same_port(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two runs starting at once: the first run's choice is reserved on the machine, so the second, offered
    only the ports the first holds and one more, takes the one more; once the reservation expires the
    ports are free to choose again."""
    from harness.backends import ports

    monkeypatch.setattr(ports, "RESERVATIONS", tmp_path / "reservations.json")
    monkeypatch.setattr(ports, "listening_ports", lambda: range(24000, 24003))
    first = ports.free_ports(2)
    assert ports.free_ports(1) == sorted(set(range(24000, 24003)) - set(first))
    # All three reserved: only expiry frees them (else the kernel's choice, outside the range, would come).
    monkeypatch.setattr(ports, "RESERVATION_S", 0.0)
    assert set(ports.free_ports(2)) <= set(range(24000, 24003))



def test_a_port_taken_before_its_service_binds_it_starts_the_stack_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The moment between choosing a port and the service binding it, reproduced: the first choice includes
    a port this test listens on; the service given it fails to bind, and the stack starts again."""
    from harness.backends import local
    from harness.reference import services as definitions
    from harness.reference.profile import Profile

    monkeypatch.setenv("HARNESS_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setattr(definitions, "needed", lambda scenarios: [definitions.DEFINITIONS["vault"]])
    real, choices = local.free_ports, []

    def choose(count: int) -> list[int]:
        ports = real(count)
        choices.append(ports)
        return [taken.getsockname()[1], *ports[1:]] if len(choices) == 1 else ports

    monkeypatch.setattr(local, "free_ports", choose)
    messages: list[str] = []
    backend = local.LocalBackend()
    with socket.create_server(("127.0.0.1", 0)) as taken:
        try:
            stack = backend.up(Profile(), messages.append)
            assert stack.target.vault is not None
        finally:
            backend.down()
    assert len(choices) == 2, messages
    assert any("starting again on other ports" in message for message in messages), messages
