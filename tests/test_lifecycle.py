"""Nothing the harness starts outlives it: normal end, failure, Ctrl-C, SIGTERM, and SIGKILL (reaped later)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, processes_under, run_pytest

HOLDING_TEST = '''
import time

def test_holds_the_stack(stack):
    print("STACK-IS-UP", flush=True)
    time.sleep(60)
'''


def start_holding_run(tmp_path: Path, *options: str, background_job: bool = False) -> subprocess.Popen[str]:
    """A pytest run that brings the stack up and then waits inside a test, as a long scenario would."""
    (tmp_path / "test_hold.py").write_text(HOLDING_TEST)
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-s", "test_hold.py", *options]
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
