"""The catalog is consistent with itself and with the checks in scenarios/."""

from __future__ import annotations

import re

import pytest

from harness.catalog import CHECKS, SCENARIOS, WEAKNESSES, checks_detecting
from harness.errors import UsageError
from harness.needs import validate
from harness.reference.profile import Profile
from tests.conftest import REPO

DESIGN_WEAKNESSES = 43  # DESIGN section 5: 8 tls, 12 auth, 5 tenancy, 8 secrets, 8 headers, 2 load


def implemented_check_ids() -> list[str]:
    pattern = re.compile(r'@pytest\.mark\.check\("([A-Z]+-\d{3})"\)')
    return [m for path in (REPO / "scenarios").rglob("test_*.py") for m in pattern.findall(path.read_text())]


def test_every_design_weakness_is_in_the_catalog() -> None:
    assert len(WEAKNESSES) == DESIGN_WEAKNESSES
    assert {w.scenario for w in WEAKNESSES.values()} == set(SCENARIOS)


def test_checks_claim_only_known_weaknesses() -> None:
    for check in CHECKS.values():
        assert check.detects, f"{check.id} claims no weakness: nothing proves it can fail"
        assert set(check.detects) <= set(WEAKNESSES), check.id
        assert check.id.startswith(check.scenario.upper()) or check.scenario == "headers" \
            or (check.scenario, check.id[:4]) in (("tenancy", "TEN-"), ("secrets", "SEC-"))


def test_every_implemented_weakness_has_a_detecting_check() -> None:
    for weakness in WEAKNESSES.values():
        if weakness.backends:
            assert checks_detecting(weakness.name), f"{weakness.name} is switchable but no check claims it"


def test_each_catalog_check_is_implemented_exactly_once() -> None:
    ids = implemented_check_ids()
    assert sorted(ids) == sorted(CHECKS), "scenarios/ and harness.catalog.CHECKS disagree"


def test_profile_parsing() -> None:
    assert Profile.parse("secure", "local").name == "secure"
    assert Profile.parse("tls_off,exp_ignored", "local").weaknesses == {"tls_off", "exp_ignored"}
    with pytest.raises(UsageError, match="unknown weakness 'nope'"):
        Profile.parse("nope", "local")
    with pytest.raises(UsageError, match="only in reference stacks"):
        Profile.parse("tls_off", "external")
    unimplemented = next(w for w in WEAKNESSES.values() if "local" not in w.backends)
    with pytest.raises(UsageError, match="not implemented by the local"):
        Profile.parse(unimplemented.name, "local")


def test_every_declared_need_is_a_capability_or_a_target_field() -> None:
    for check in CHECKS.values():
        for need in check.needs:
            validate(need)  # raises naming the need
