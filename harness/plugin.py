"""The pytest plugin: options, markers and the session fixtures that bring a stack up once per run."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.backends import Backend, backend_for
from harness.backends.external import ExternalBackend
from harness.catalog import CHECKS, SCENARIOS, parse_scenarios
from harness.config import Target
from harness.deployment import Stack
from harness.errors import StackError, UsageError
from harness.interrupts import tear_down_on_interrupt
from harness.needs import missing_credentials, never, unmet, untestable
from harness.outcome import verdict
from harness.reference.profile import Profile
from harness.report import options as report_options
from harness.report.evidence import Evidence, Redactor
from harness.report.results import TARGET_KEY

SCENARIO_ROOT = Path(__file__).resolve().parent.parent / "scenarios"
BACKEND_KEY = pytest.StashKey[Backend]()
PROFILE_KEY = pytest.StashKey[Profile]()
SCENARIOS_KEY = pytest.StashKey[frozenset[str]]()
REDACTOR_KEY = pytest.StashKey[Redactor]()
EXPIRY_HORIZON_KEY = pytest.StashKey[dt.timedelta]()
LOAD_DURATION_KEY = pytest.StashKey[int]()
DEPLOYMENT_KEY = pytest.StashKey[Stack]()
RUN_SCENARIOS_KEY = pytest.StashKey[frozenset[str]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("harness", "Camunda 8 security harness")
    group.addoption("--scenario", default=None, metavar="NAME[,NAME...]|all",
                    help=f"scenario suites to run: {', '.join(SCENARIOS)} or all")
    group.addoption("--target", default="local", metavar="local|docker|PATH.yaml",
                    help="what to test: the local reference stack (default), the docker one, or a target file")
    group.addoption("--profile", default="secure", metavar="secure|PRESET|WEAKNESS[,...]",
                    help="reference stacks only: secure (default), or presets (harness list-profiles) and weaknesses to switch on")
    group.addoption("--report-dir", default=None, metavar="DIR",
                    help="write report.json, report.sarif and report.html into DIR")
    group.addoption("--baseline", default=None, metavar="PATH/report.json",
                    help="a previous run's report.json: mark each check new-failure, fixed or still-failing")
    group.addoption("--waivers", default=None, metavar="PATH.yaml",
                    help="InSpec-style waivers: check id -> justification, expiration_date (YYYY-MM-DD)")
    group.addoption("--cert-expiry-days", default="30", metavar="DAYS",
                    help="tls checks fail a certificate that expires within DAYS (default 30)")
    group.addoption("--fail-on", default="low", metavar="critical|high|medium|low",
                    help="exit 1 only for findings of this severity or above; lower ones are reported "
                         "(default low: any finding fails)")
    group.addoption("--allow-all-skipped", action="store_true",
                    help="exit 0 when every selected check skipped (default: exit 5, nothing was tested)")
    group.addoption("--load-duration", default="20", metavar="SECONDS",
                    help="length of the load scenario's headless Locust run (default 20, at most 3600)")


def _whole_number(option: str, value: str, lowest: int, highest: int) -> int:
    if not (value.isascii() and value.isdigit()) or not lowest <= int(value) <= highest:
        raise UsageError(f"{option}: {value!r} is not a whole number from {lowest} to {highest}")
    return int(value)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "check(id): the catalog entry (harness.catalog.CHECKS) this test implements")
    config.addinivalue_line("markers", "scenario(name): the scenario suite a check belongs to")
    config.addinivalue_line("markers", "needs(*needs): capabilities and Target fields the check cannot judge "
                                       "without (harness.needs); filled in from the catalog")
    config.addinivalue_line("markers", "disruptive: the check changes the target for good (e.g. rotates the "
                                       "signing key), so it runs after every other check")
    try:
        option = config.getoption("scenario")
        scenarios = parse_scenarios(option) if option is not None else frozenset()
        backend = backend_for(config.getoption("target"))
        profile = Profile.parse(config.getoption("profile"), backend.name)
        config.stash[EXPIRY_HORIZON_KEY] = dt.timedelta(
            days=_whole_number("--cert-expiry-days", config.getoption("cert_expiry_days"), 0, 3650))
        config.stash[LOAD_DURATION_KEY] = _whole_number("--load-duration", config.getoption("load_duration"), 1, 3600)
        if isinstance(backend, ExternalBackend):
            # Credentials a target file names are resolved before anything runs: one line for the first
            # unset variable, rather than a traceback in every check that would use it.
            nothing = untestable(backend.target, scenarios or SCENARIOS)
            if nothing:
                raise UsageError(f"--target: {nothing}")
            missing = missing_credentials(backend.target, os.environ, scenarios or SCENARIOS)
            if missing:
                raise UsageError(missing[0])
    except UsageError as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[SCENARIOS_KEY] = scenarios
    config.stash[BACKEND_KEY] = backend
    config.stash[PROFILE_KEY] = profile
    config.stash[REDACTOR_KEY] = Redactor()
    config.add_cleanup(backend.down)
    if scenarios and not config.getoption("file_or_dir"):
        config.args[:] = [str(SCENARIO_ROOT / name) for name in sorted(scenarios)
                          if (SCENARIO_ROOT / name).is_dir()]
    try:
        report_options.register(config, profile.name, config.stash[REDACTOR_KEY])
    except UsageError as exc:
        raise pytest.UsageError(str(exc)) from None
    tear_down_on_interrupt()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    selected = config.stash[SCENARIOS_KEY]
    keep, drop = [], []
    for item in items:
        marker = item.get_closest_marker("check")
        if marker is None:
            keep.append(item)
            continue
        check = CHECKS.get(marker.args[0])
        if check is None:
            raise pytest.UsageError(f"{item.nodeid}: check id {marker.args[0]!r} is not in harness.catalog.CHECKS")
        item.add_marker(pytest.mark.scenario(check.scenario))
        if check.needs:
            item.add_marker(pytest.mark.needs(*check.needs))
        item.extra_keyword_matches.add(check.id)  # `-k AUTH-007` selects a check by its id
        (keep if not selected or check.scenario in selected else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
    items.sort(key=lambda item: item.get_closest_marker("disruptive") is not None)


def pytest_collection_finish(session: pytest.Session) -> None:
    """The scenarios the run will really execute (after -k, -m and --scenario): a reference stack starts
    only the services those need. A run of no check at all keeps every service."""
    scenarios = {CHECKS[marker.args[0]].scenario for item in session.items
                 if (marker := item.get_closest_marker("check")) is not None}
    session.config.stash[RUN_SCENARIOS_KEY] = frozenset(scenarios or SCENARIOS)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    """Mark a check body that raised anything but its own assertion, so pytest too counts it an error."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if report.failed and report.when == "call" and item.get_closest_marker("check") is not None \
            and verdict(report.when, call.excinfo) == "error":
        report.user_properties.append(("verdict", "error"))


def pytest_report_teststatus(report: pytest.TestReport) -> tuple[str, str, str] | None:
    if report.when == "call" and report.failed and ("verdict", "error") in report.user_properties:
        return "error", "E", "ERROR"
    return None


def deployment(config: pytest.Config) -> Stack:
    """The deployment under test, brought up on first use (a check's fixtures, or its declared needs)."""
    if DEPLOYMENT_KEY in config.stash:
        return config.stash[DEPLOYMENT_KEY]
    backend = config.stash[BACKEND_KEY]
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")

    def progress(message: str) -> None:
        if reporter is not None and capture is not None:
            with capture.global_and_fixture_disabled():
                reporter.write_line(f"harness: {message}")

    try:
        scenarios = config.stash.get(RUN_SCENARIOS_KEY, frozenset(SCENARIOS))
        up = backend.up(config.stash[PROFILE_KEY], progress, scenarios).with_cast(scenarios, progress)
    except (UsageError, StackError) as exc:
        pytest.exit(f"harness: {exc}", returncode=pytest.ExitCode.USAGE_ERROR
                    if isinstance(exc, UsageError) else pytest.ExitCode.INTERNAL_ERROR)
    # The stack fixture closes the deployment; this also does where no check used it (all skipped).
    config.add_cleanup(up.close)
    config.stash[REDACTOR_KEY].add_secrets(up.secret_values())
    config.stash[TARGET_KEY] = up.target.public_json()
    config.stash[DEPLOYMENT_KEY] = up
    return up


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip a check whose declared needs the target does not meet, before any of its fixtures run."""
    needs = [need for marker in item.iter_markers("needs") for need in marker.args]
    if needs:
        up = deployment(item.config)
        reasons = unmet(up.target, needs, stoppable=up.faults.stoppable if up.faults is not None else never)
        if reasons:
            pytest.skip("; ".join(reasons))


@pytest.fixture(scope="session")
def stack(pytestconfig: pytest.Config) -> Iterator[Stack]:
    """The deployment under test, brought up once per session and torn down at its end."""
    try:
        up = deployment(pytestconfig)
        try:
            yield up
        finally:
            up.close()
    finally:
        pytestconfig.stash[BACKEND_KEY].down()


@pytest.fixture(scope="session")
def target(stack: Stack) -> Target:
    return stack.target


@pytest.fixture(scope="session")
def cert_expiry_horizon(pytestconfig: pytest.Config) -> dt.timedelta:
    """How long a certificate must stay valid from now (--cert-expiry-days) for the tls checks to pass."""
    return pytestconfig.stash[EXPIRY_HORIZON_KEY]


@pytest.fixture
def evidence(request: pytest.FixtureRequest) -> Evidence:
    """What the check saw; reports show it redacted."""
    recorded = Evidence()
    request.node.stash[Evidence.KEY] = recorded
    return recorded


@pytest.fixture(scope="session")
def load_duration_s(pytestconfig: pytest.Config) -> int:
    """How long the load scenario's Locust run lasts (--load-duration)."""
    return pytestconfig.stash[LOAD_DURATION_KEY]
