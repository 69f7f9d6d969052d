"""Profile presets (harness.reference.presets): a distribution's shipped settings as weaknesses. Each preset
run on the local reference stack fails exactly the checks its weaknesses claim, each for its own reason,
and nothing errors; the README's list of those checks is the one the data gives."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from harness.catalog import CHECKS, WEAKNESSES
from harness.errors import UsageError
from harness.reference.presets import PRESETS, Preset, expected_failures
from harness.reference.profile import Profile
from tests.conftest import REPO
from tests.test_cli import harness
from tests.test_detection import in_background, run_profile

# What each check's failure message says when it fails for the reason a preset's weakness gives it (the
# check's own assertion text), so a check failing for another reason does not count.
REASONS = {
    "AUTH-050": "did not refuse with 401",
    "AUTH-051": "default credentials were not refused",
    "AUTH-055": "the gRPC API did not refuse with UNAUTHENTICATED",
    "AUTHZ-007": "holding no authorizations, was not refused over gRPC",
    "AUTHZ-008": "holding no authorizations, deployed a process",
    "TEN-017": "a gRPC deployment without a tenant id was accepted",
    "AUTHZ-001": "RESOURCE:CREATE is not enforced",
    "AUTHZ-002": "holding no authorizations, was let through",
    "AUTHZ-003": "holding no authorizations, manages identity",
    "AUTHZ-004": "its grant reaches beyond its process",
    "AUTHZ-005": "a process it holds no grant on",
    "AUTHZ-009": "holding no authorizations, was handed",
    "HDR-007": "orchestration login: Set-Cookie - camunda-session",
    "TEN-015": "multi-tenancy checks are off",
    "TLS-010": "writable actuator endpoints answer where clients stand",
    "TLS-011": "answers the API over plain HTTP",
}
# With multi-tenancy checks off the cluster takes no tenant but <default>: the isolation checks skip.
NO_TENANTS = ("TEN-012", "TEN-013", "TEN-014", "TEN-016", "TEN-018", "TEN-019")


def test_presets_name_catalog_weaknesses_and_cite_each_setting() -> None:
    for preset in PRESETS.values():
        assert preset.settings and preset.description
        for setting in preset.settings:
            assert setting.weakness in WEAKNESSES, f"{preset.name}: {setting.weakness} is no weakness"
            assert setting.setting and setting.source, f"{preset.name}: {setting.weakness} cites nothing"
        for gap in preset.unmodelled:
            assert gap.checks and set(gap.checks) <= set(CHECKS) and gap.source
        assert set(expected_failures(preset)) <= set(REASONS), f"{preset.name}: say why each check fails"


def test_a_preset_expands_and_combines() -> None:
    c8run = PRESETS["c8run"].weaknesses
    assert Profile.parse("c8run", "local").weaknesses == c8run
    assert Profile.parse("c8run,hsts_missing", "docker").weaknesses == c8run | {"hsts_missing"}
    assert Profile.parse("c8run,helm-8.8", "local").weaknesses == c8run | PRESETS["helm-8.8"].weaknesses
    with pytest.raises(UsageError, match=r"unknown weakness 'c8rnu', nor a preset \(c8run, helm-8.8\)"):
        Profile.parse("c8rnu", "local")
    with pytest.raises(UsageError, match="only in reference stacks"):
        Profile.parse("c8run", "external")


def test_list_profiles_shows_each_preset_with_the_checks_it_fails() -> None:
    listed = {row["name"]: row for row in json.loads(harness("list-profiles", "--json").stdout)}
    assert list(listed) == list(PRESETS)
    for name, preset in PRESETS.items():
        assert listed[name]["weaknesses"] == sorted(preset.weaknesses)
        assert listed[name]["fails"] == list(expected_failures(preset))
        assert [s["source"] for s in listed[name]["settings"]] == [s.source for s in preset.settings]


def readme_table(preset: Preset) -> str:
    """The README's list of the checks `preset` fails, and why: from the preset's data and the catalog."""
    rows = ["| check | fails because | set in |", "|---|---|---|"]
    for check_id in expected_failures(preset):
        causes = [s for s in preset.settings if s.weakness in CHECKS[check_id].detects]
        rows.append(f"| {check_id} | " + "; ".join(f"{s.setting} (`{s.weakness}`)" for s in causes) + " | "
                    + "; ".join(sorted({s.source for s in causes})) + " |")
    rows += [f"| {check_id} | {gap.setting} (not reproduced by the preset) | {gap.source} |"
             for gap in preset.unmodelled for check_id in gap.checks]
    return "\n".join(rows)


@pytest.mark.parametrize("preset", list(PRESETS))
def test_readme_lists_what_each_preset_fails(preset: str) -> None:
    table = readme_table(PRESETS[preset])
    assert table in (REPO / "README.md").read_text(), f"README.md, under --profile={preset}, should read:\n{table}"


def preset_run(directory: Path, preset: str, env: Mapping[str, str]) -> dict[str, Any]:
    """The report of `preset` on the local stack, over the scenarios its weaknesses belong to."""
    scenarios = ",".join(sorted({WEAKNESSES[w].scenario for w in PRESETS[preset].weaknesses}))
    return run_profile(directory, preset, scenarios, env=env)[0]


@pytest.fixture(scope="module")
def preset_runs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[dict[str, Future[dict[str, Any]]]]:
    yield from in_background(request, tmp_path_factory, "test_preset_fails_exactly_its_checks", "preset", preset_run)


@pytest.mark.parametrize("preset", list(PRESETS))
def test_preset_fails_exactly_its_checks(preset_runs: dict[str, Future[dict[str, Any]]], preset: str) -> None:
    expected = set(expected_failures(PRESETS[preset]))
    report = preset_runs[preset].result()
    outcomes: dict[str, set[str]] = {}
    for check in report["checks"]:
        outcomes.setdefault(check["outcome"], set()).add(check["id"])
    assert not outcomes.get("error"), f"{preset}: checks errored instead of judging: {sorted(outcomes['error'])}"
    assert outcomes.get("failed", set()) == expected, f"{preset}: failed {sorted(outcomes.get('failed', ()))}, " \
                                                      f"expected {sorted(expected)}"
    for check in report["checks"]:
        if check["outcome"] == "failed":
            assert REASONS[check["id"]] in check["message"], f"{check['id']} failed for another reason: " \
                                                             f"{check['message'][:400]}"
        if check["outcome"] == "skipped":
            assert check.get("skip_reason"), f"{check['id']} skipped without saying why"
    if "mt_checks_disabled" in PRESETS[preset].weaknesses:
        skipped = {c["id"]: c["skip_reason"] for c in report["checks"] if c["id"] in NO_TENANTS}
        assert all("multi-tenancy checks are off" in reason for reason in skipped.values()), skipped
