"""The catalog is consistent with itself and with the checks in scenarios/."""

from __future__ import annotations

import pytest

from harness import real_deployment
from harness.catalog import CHECKS, SCENARIOS, WEAKNESSES, checks_detecting
from harness.errors import UsageError
from harness.needs import validate
from harness.reference.profile import Profile
from harness.report import sarif
from tests.conftest import REPO, run_pytest
from tests.plugins.check_ids import PREFIX

DESIGN_WEAKNESSES = 43  # DESIGN section 5: 8 tls, 12 auth, 5 tenancy, 8 secrets, 8 headers, 2 load


def implemented_checks() -> dict[str, set[str]]:
    """Check id -> the test functions pytest collects for it (registry-parametrized families included)."""
    result = run_pytest(["--co", "-q", "--scenario=all", "-p", "tests.plugins.check_ids"], cwd=REPO)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    found: dict[str, set[str]] = {}
    for line in result.stdout.splitlines():
        if line.startswith(PREFIX):
            _, check_id, function = line.split()
            found.setdefault(check_id, set()).add(function)
    return found


def test_every_design_weakness_is_in_the_catalog() -> None:
    # DESIGN section 5 lists 43; issues since added weaknesses of their own (e.g. token_in_query_accepted).
    assert len(WEAKNESSES) >= DESIGN_WEAKNESSES
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


def test_each_catalog_check_is_implemented_by_exactly_one_test() -> None:
    implemented = implemented_checks()
    assert sorted(implemented) == sorted(CHECKS), "scenarios/ and harness.catalog.CHECKS disagree"
    twice = {check_id: sorted(functions) for check_id, functions in implemented.items() if len(functions) > 1}
    assert not twice, f"checks implemented by more than one test: {twice}"


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


def test_every_header_finding_says_the_fix_is_at_the_ingress() -> None:
    """Optimize cannot put complete headers on its own 401s and redirects (its header filter runs after
    Spring Security), so each headers finding's remediation, which SARIF carries as the rule's help, points
    at the ingress with an nginx and an ingress-nginx snippet."""
    for check in (c for c in CHECKS.values() if c.scenario == "headers"):
        assert "ingress" in check.remediation and "nginx (in the endpoint's server" in check.remediation, check.id
        assert sarif._rule(check)["help"]["text"] == check.remediation


def test_readme_real_deployment_table_is_the_generated_one() -> None:
    """The README's "Against a real deployment" table is `harness list-checks --real-deployment`'s output, so it
    lists every check and says what the catalog's needs say."""
    table = real_deployment.table()
    assert table in (REPO / "README.md").read_text(), "regenerate: harness list-checks --real-deployment"
    assert all(f"| {check_id} |" in table for check_id in CHECKS)
    assert "skips:" in real_deployment.verdict(CHECKS["TEN-005"])
    assert "`stop_service:identity` (the operator's own" in real_deployment.verdict(CHECKS["TEN-003"])
