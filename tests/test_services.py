"""The reference service definitions: one registry, closed over dependencies, consistent with the catalog,
and a run starts only the services its scenarios need."""

from __future__ import annotations

import re
from pathlib import Path

from harness import config
from harness.catalog import SCENARIOS, WEAKNESSES
from harness.reference import services, stack
from harness.reference.profile import Profile
from harness.reference.services.base import Address, Placement, Runtime
from tests.conftest import run_pytest


def names(scenarios: set[str]) -> list[str]:
    return [definition.name for definition in services.needed(scenarios)]


def test_every_service_is_needed_by_some_scenario_and_all_scenarios_need_all() -> None:
    assert names(set(SCENARIOS)) == list(services.DEFINITIONS)


def test_needed_services_are_closed_over_dependencies_in_start_order() -> None:
    # headers: every HTTP(S) endpoint the header rules judge, none of the secrets scenario's runtimes.
    assert names({"headers"}) == ["identity", "search", "zeebe", "proxy", "optimize", "vault", "orchestration"]
    assert names({"tls"}) == ["identity", "search", "zeebe", "proxy", "optimize", "vault", "orchestration"]
    for scenario in SCENARIOS:
        started = names({scenario})
        for position, name in enumerate(started):
            assert set(services.DEFINITIONS[name].depends_on) <= set(started[:position]), (scenario, name)


def test_definitions_implement_only_catalog_weaknesses() -> None:
    """A typo in a definition's weakness list would switch nothing on and be proven by nothing."""
    assert set(services.weakness_backends()) <= set(WEAKNESSES)
    assert WEAKNESSES["gateway_exposed"].backends == {"docker"}
    assert WEAKNESSES["tls_off"].backends == {"local", "docker"}


def test_listener_names_are_unique_across_definitions() -> None:
    seen = [name for definition in services.DEFINITIONS.values() for name in definition.listeners]
    assert len(seen) == len(set(seen))


def test_a_partial_plan_is_a_valid_target_without_the_absent_services(tmp_path: Path) -> None:
    definitions = [services.DEFINITIONS[name] for name in ("identity", "search", "optimize")]
    listeners = services.listeners(definitions)
    placements = {name: Placement(Address("127.0.0.1", port), Address("127.0.0.1", port),
                                  Address("127.0.0.1", port))
                  for port, name in enumerate(listeners, start=20000)}
    planned = stack.plan(tmp_path, Profile(), placements, Runtime("python", "nginx", Path("ngx.so")), definitions)
    target = config.validate({"name": "partial", **planned.target})
    assert target.optimize is not None and target.identity is not None
    assert target.gateway is None and target.vault is None and not target.workers
    assert [spec.name for spec in planned.services] == ["identity", "search", "optimize", "optimize-ingress"]
    assert "rotate_secret" not in target.capabilities


def test_a_run_starts_only_what_its_scenarios_need(tmp_path: Path, state_dir: Path) -> None:
    result = run_pytest(["--scenario=headers", "-q"], cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]
    started = re.findall(r"harness: (\S+) ready after", result.stdout)
    # Optimize's definition runs two processes: Optimize and the nginx ingress in front of it.
    assert sorted(started) == sorted([*names({"headers"}), "optimize-ingress"]), result.stdout[-3000:]
    assert not {"workers", "downstream"} & set(started), "the secrets scenario's runtimes stay down"
