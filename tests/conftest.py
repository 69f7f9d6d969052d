"""Helpers for the harness's own tests: isolated state directories and finding leftover processes."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import subprocess
import sys
import threading
import warnings
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.deployment import Stack

REPO = Path(__file__).resolve().parent.parent
# pytest in a child process, as a user runs it, without hypothesis's plugin: the harness's own fuzz tests
# need it, a scenario run does not, and it costs every child ~0.9 s of imports.
CHILD_PYTEST = (sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:hypothesispytest")


def processes_under(state_dir: Path) -> list[str]:
    """Command lines of live processes that belong to runs in `state_dir` (their argv names it)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if (proc / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                continue
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(state_dir) in cmdline and int(proc.name) != os.getpid():
            found.append(cmdline.strip())
    return found


REQUIRE_DOCKER = "HARNESS_REQUIRE_DOCKER"


def docker_unavailable() -> str | None:
    """Why the Docker engine cannot be used, or None when it can."""
    try:
        from harness.backends.docker import engine
        engine()
    except Exception as exc:  # noqa: BLE001  (any failure to reach the engine is a reason to skip)
        return str(exc)
    return None


class ImagePrebuild:
    """The docker images, built in a background thread from the start of the session.

    On a fresh machine the builds take about three minutes (debootstrap, apt and pip downloads, and a
    storage driver that takes seconds per layer), mostly waiting; the local tests that run before the first
    docker test overlap them. Docker tests wait for the thread (the `_images_built` fixture); a build that
    failed here fails again, with its message, in the test that builds the image itself."""

    def __init__(self) -> None:
        self.thread = threading.Thread(target=self._build, name="image-prebuild", daemon=True)
        self.failure: str | None = None

    def _build(self) -> None:
        from harness.backends import images
        from harness.backends.docker import engine

        try:
            client = engine()
            for spec in (images.REFERENCE, images.HARNESS):
                images.build_image(client, lambda message: None, spec)
        except Exception as exc:  # noqa: BLE001  (the test that needs the image reports it)
            self.failure = str(exc)


PREBUILD = ImagePrebuild()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Docker tests skip with the reason where no engine runs; with HARNESS_REQUIRE_DOCKER set (CI) they
    fail instead, so a CI machine that lost its engine cannot pass by skipping. Where they run, their
    images start building at once (ImagePrebuild)."""
    docker_items = [item for item in items if item.get_closest_marker("docker")]
    reason = docker_unavailable() if docker_items else None
    if reason is None:
        if docker_items:
            PREBUILD.thread.start()
            for item in docker_items:
                item.add_marker(pytest.mark.usefixtures("_images_built"))
        return
    required = os.environ.get(REQUIRE_DOCKER) == "1"
    for item in docker_items:
        if required:
            item.add_marker(pytest.mark.usefixtures("_docker_required"))
        else:
            item.add_marker(pytest.mark.skip(reason=f"no Docker engine: {reason}"))


@pytest.fixture
def _images_built() -> None:
    PREBUILD.thread.join()
    if PREBUILD.failure:
        warnings.warn(f"building the docker images ahead failed ({PREBUILD.failure}); each test builds them",
                      stacklevel=1)


@pytest.fixture
def _docker_required() -> None:
    pytest.fail(f"{REQUIRE_DOCKER}=1 but the Docker engine is not usable: {docker_unavailable()}")


@pytest.fixture
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private HARNESS_STATE_DIR, so runs of one test never see (or reap) another's."""
    directory = tmp_path / "state"
    monkeypatch.setenv("HARNESS_STATE_DIR", str(directory))
    return directory


def run_pytest(args: Sequence[str], cwd: Path, timeout: float = 300,
               env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """pytest in a child process, as a user runs it; the environment (state dir) is inherited."""
    return subprocess.run([*CHILD_PYTEST, *args], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False, timeout=timeout)


@dataclasses.dataclass(frozen=True)
class TargetRun:
    """A scenario run against a target file in a child pytest: its JSON report and the end of its output."""

    report: dict[str, Any]
    output: str

    def checks(self, outcome: str) -> set[str]:
        """The ids of the checks that ended with `outcome`."""
        return {check["id"] for check in self.report["checks"] if check["outcome"] == outcome}


def run_against(target: Mapping[str, Any], scenarios: str, work: Path, environ: Mapping[str, str]) -> TargetRun:
    """`pytest --scenario=<scenarios> --target=<a file holding target>` in `work`, with `environ`."""
    (work / "target.yaml").write_text(yaml.safe_dump(dict(target)))
    result = run_pytest([f"--scenario={scenarios}", "--target=target.yaml", f"--report-dir={work / 'out'}", "-q"],
                        cwd=work, env={**environ})
    return TargetRun(json.loads((work / "out" / "report.json").read_text()), result.stdout[-3000:])


# The Orchestration Cluster and Identity, its token issuer.
CLUSTER_SERVICES = ("identity", "orchestration")


@contextlib.contextmanager
def local_reference_stack(tmp_path_factory: pytest.TempPathFactory, services: Sequence[str] = (),
                          weaknesses: frozenset[str] = frozenset()) -> Iterator[Stack]:
    """A local reference stack (secure profile, or with `weaknesses`) in a private state directory: every
    service, or `services`."""
    from harness.backends.local import LocalBackend
    from harness.reference import services as definitions
    from harness.reference.profile import Profile

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HARNESS_STATE_DIR", str(tmp_path_factory.mktemp("state")))
        if services:
            patch.setattr(definitions, "needed", lambda scenarios: [definitions.DEFINITIONS[name] for name in services])
        backend = LocalBackend()
        try:
            yield backend.up(Profile(weaknesses), lambda message: None)
        finally:
            backend.down()


@pytest.fixture(scope="module")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The local reference stack (secure profile), once per test module."""
    with local_reference_stack(tmp_path_factory) as stack:
        yield stack


@pytest.fixture(scope="module")
def cluster_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The Orchestration Cluster and Identity (its token issuer) alone, secure profile, once per test module."""
    with local_reference_stack(tmp_path_factory, CLUSTER_SERVICES) as stack:
        yield stack


def launch_stack_up(env_file: Path, *options: str, stderr: Any = subprocess.PIPE,
                    env: Mapping[str, str] | None = None) -> tuple[subprocess.Popen[str], str]:
    """`harness stack up --env-file` in a child process, and the Target JSON it printed once up; `env`
    replaces the inherited environment."""
    process = subprocess.Popen([sys.executable, "-m", "harness.cli", "stack", "up", *options,
                                "--env-file", str(env_file)], stdout=subprocess.PIPE, stderr=stderr, text=True,
                               env=env)
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line)
        if line.startswith("}"):
            break
    return process, "".join(lines)
