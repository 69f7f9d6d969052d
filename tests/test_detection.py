"""The detection matrix: the secure profile passes every check, and every weakness in the catalog that the
local reference stack implements turns the checks claiming it red. Parametrized from the catalog, so a new
weakness is covered without touching this file."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from harness.catalog import CHECKS, SCENARIOS, checks_detecting, implemented_weaknesses
from tests.conftest import REPO, run_pytest
from tests.test_docker import harness_leftovers

LOCAL_WEAKNESSES = [w.name for w in implemented_weaknesses("local")]
# Long enough for a stable p95 on two cores, short enough for a matrix that runs it three times.
MATRIX_LOAD_S = 8
# Weakness runs at a time, local or docker (the secure profiles run one at a time).
MATRIX_PARALLEL = 2


# Needs the docker backend's fault controls (Identity's container stopped), not only its profile.
DOCKER_FAULT_WEAKNESSES = ("identity_down_fail_open",)


def docker_matrix() -> list[str]:
    """On docker: every weakness only docker can switch, the ones that use its fault controls, and one
    per scenario (the rest are the same reference stack and profile as on local, proven there)."""
    docker_only = [w.name for w in implemented_weaknesses("docker") if "local" not in w.backends]
    first_per_scenario = [next(w.name for w in implemented_weaknesses("docker") if w.scenario == scenario)
                          for scenario in SCENARIOS
                          if any(w.scenario == scenario for w in implemented_weaknesses("docker"))]
    return sorted(set(docker_only) | set(first_per_scenario) | set(DOCKER_FAULT_WEAKNESSES))


def run_profile(tmp_path: Path, profile: str, scenarios: str, target: str = "local",
                checks: frozenset[str] = frozenset(), env: Mapping[str, str] | None = None
                ) -> tuple[dict[str, Any], str]:
    """The run's report.json and its terminal output; `env` replaces the inherited environment."""
    report_dir = tmp_path / "report"
    select = ["-k", " or ".join(sorted(checks))] if checks else []
    result = run_pytest([f"--scenario={scenarios}", f"--profile={profile}", f"--report-dir={report_dir}", "-q",
                         f"--target={target}", f"--load-duration={MATRIX_LOAD_S}", *select], cwd=REPO, env=env)
    assert result.returncode in (0, 1), f"pytest exited {result.returncode}:\n{result.stdout[-3000:]}{result.stderr}"
    return json.loads((report_dir / "report.json").read_text()), result.stdout


def assert_secure_passes(report: dict[str, Any]) -> None:
    outcomes = {check["id"]: check for check in report["checks"]}
    assert set(outcomes) == set(CHECKS), "every catalog check runs on the secure profile"
    # Every parametrized case counts (one entry per test item), not only the last one of each check id.
    bad = {c["test"]: (c["outcome"], c.get("message"))
           for c in report["checks"] if c["outcome"] in ("failed", "error")}
    assert not bad, f"the secure profile must pass every check: {bad}"
    for check in report["checks"]:
        if check["outcome"] == "skipped":
            assert check.get("skip_reason"), f"{check['id']} skipped without saying why"


def detect(tmp_path: Path, weakness: str, target: str, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The report of a run with `weakness` switched on, of the checks that claim it only: the secure profile
    proves every other check passes on its own."""
    claimed = frozenset(check.id for check in checks_detecting(weakness))
    scenarios = ",".join(sorted({CHECKS[cid].scenario for cid in claimed}))
    return run_profile(tmp_path, weakness, scenarios, target, claimed, env)[0]


def assert_detected(report: dict[str, Any], weakness: str) -> None:
    claimed = frozenset(check.id for check in checks_detecting(weakness))
    # `failed` is the check's own assertion (harness.outcome): a positive control that broke, or any other
    # exception, is an `error` and never counts as a detection.
    failed = {check["id"] for check in report["checks"] if check["outcome"] == "failed"}
    errored = {check["id"] for check in report["checks"] if check["outcome"] == "error"}
    assert failed, f"{weakness} turned no check red"
    assert claimed <= failed, f"{weakness}: claimed by {sorted(claimed)} but only {sorted(failed)} failed " \
                              f"(errors: {sorted(errored)})"


def test_secure_profile_passes_every_check(tmp_path: Path, state_dir: Path) -> None:
    assert_secure_passes(run_profile(tmp_path, "secure", "all")[0])


Run = Callable[[Path, str, Mapping[str, str]], dict[str, Any]]


def in_background(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, test: str,
                  param: str, run: Run) -> Iterator[dict[str, Future[dict[str, Any]]]]:
    """`run` for every selected case of `test` (by its parameter `param`), MATRIX_PARALLEL at a time in the
    background: each is its own pytest process with its own stack and state directory, and much of a run is
    waiting (services starting, bounded waits), so two keep both cores busy. Each case judges its own report."""
    selected = [item.callspec.params[param] for item in request.session.items if item.originalname == test]
    with ThreadPoolExecutor(MATRIX_PARALLEL, thread_name_prefix=test) as pool:
        runs = {}
        for value in selected:
            directory = tmp_path_factory.mktemp(value)
            runs[value] = pool.submit(run, directory, value, {**os.environ, "HARNESS_STATE_DIR": str(directory / "state")})
        yield runs
        for pending in runs.values():
            pending.cancel()


@pytest.fixture(scope="module")
def local_detections(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                     ) -> Iterator[dict[str, Future[dict[str, Any]]]]:
    """Every selected local weakness run, in the background."""
    yield from in_background(request, tmp_path_factory, "test_weakness_turns_its_checks_red", "weakness",
                             lambda directory, weakness, env: detect(directory, weakness, "local", env))


@pytest.mark.parametrize("weakness", LOCAL_WEAKNESSES)
def test_weakness_turns_its_checks_red(local_detections: dict[str, Future[dict[str, Any]]], weakness: str) -> None:
    assert_detected(local_detections[weakness].result(), weakness)


@pytest.mark.docker
def test_secure_profile_passes_every_check_on_docker_and_leaves_nothing(tmp_path: Path, state_dir: Path) -> None:
    report, output = run_profile(tmp_path, "secure", "all", "docker")
    assert_secure_passes(report)
    assert "proxy ready after" in output, "the run shows its progress"
    assert harness_leftovers() == [], "the run left containers or networks behind"


@pytest.fixture(scope="module")
def docker_detections(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                      ) -> Iterator[dict[str, Future[dict[str, Any]]]]:
    """Every selected docker weakness run, in the background (each its own containers and networks)."""
    yield from in_background(request, tmp_path_factory, "test_weakness_turns_its_checks_red_on_docker", "weakness",
                             lambda directory, weakness, env: detect(directory, weakness, "docker", env))


@pytest.mark.docker
@pytest.mark.parametrize("weakness", docker_matrix())
def test_weakness_turns_its_checks_red_on_docker(docker_detections: dict[str, Future[dict[str, Any]]],
                                                 weakness: str) -> None:
    assert_detected(docker_detections[weakness].result(), weakness)
