"""The docker backend: nothing left behind, cached images, the official stack. (Every scenario on containers,
secure and with weaknesses, runs in test_detection.py.)"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_lifecycle import start_holding_run

pytestmark = pytest.mark.docker


def harness_leftovers() -> list[str]:
    """Containers and networks labelled by the harness, as `docker ps -a` and `docker network ls` show."""
    containers = subprocess.run(["docker", "ps", "-aq", "--filter", "label=harness"], capture_output=True,
                                text=True, check=True).stdout.split()
    networks = subprocess.run(["docker", "network", "ls", "-q", "--filter", "label=harness"], capture_output=True,
                              text=True, check=True).stdout.split()
    return containers + networks


def test_second_image_lookup_does_not_rebuild() -> None:
    import docker
    from harness.backends import images

    client = docker.from_env()
    images.reference_image(client, lambda message: None)
    messages: list[str] = []
    images.reference_image(client, messages.append)
    assert not [m for m in messages if "building" in m], messages


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_interrupted_docker_run_removes_containers_and_networks(tmp_path: Path, state_dir: Path,
                                                                signum: int) -> None:
    run = start_holding_run(tmp_path, "--target=docker")
    assert harness_leftovers(), "the stack should be up while the test holds it"
    run.send_signal(signum)
    run.communicate(timeout=60)
    assert harness_leftovers() == []


def test_sigkilled_docker_run_is_removed_by_stack_down(tmp_path: Path, state_dir: Path) -> None:
    run = start_holding_run(tmp_path, "--target=docker")
    run.kill()
    run.wait()
    assert harness_leftovers(), "a SIGKILLed pytest cannot remove its containers"
    down = subprocess.run([sys.executable, "-m", "harness.cli", "stack", "down"], capture_output=True, text=True,
                          check=False, timeout=120)
    assert down.returncode == 0, down.stderr
    assert harness_leftovers() == []
