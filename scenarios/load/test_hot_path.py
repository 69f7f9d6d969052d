"""The proxy/auth hot path under load: no forged token gets through, valid callers keep their SLO.

One bounded headless Locust run (--load-duration) serves both checks; its CSV and HTML reports land in
the report directory when one is given.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.deployment import Stack
from harness.load import runner
from harness.load.thresholds import LoadResult, breaches


@pytest.fixture(scope="module")
def load_result(stack: Stack, load_duration_s: int, pytestconfig: pytest.Config,
                tmp_path_factory: pytest.TempPathFactory) -> LoadResult:
    if stack.target.gateway is None:
        pytest.skip("the target declares no gateway to put load on")
    report_dir = pytestconfig.getoption("report_dir")
    out_dir = Path(report_dir) / "locust" if report_dir else tmp_path_factory.mktemp("locust")
    return runner.run(stack, runner.LoadSettings(run_time_s=load_duration_s), out_dir)


@pytest.mark.check("LOAD-001")
def test_no_forged_token_gets_through_under_load(load_result: LoadResult, evidence) -> None:
    evidence.record(**load_result.as_evidence())
    if load_result.attack_requests == 0:
        raise RuntimeError("the attackers sent no forged call, so the run proves nothing")
    assert load_result.bypasses == 0, f"{load_result.bypasses} of {load_result.attack_requests} forged calls " \
                                      "were accepted under load"


@pytest.mark.check("LOAD-002")
def test_valid_callers_keep_the_slo(stack: Stack, load_result: LoadResult, evidence) -> None:
    slo = stack.target.load
    evidence.record(**load_result.as_evidence(), slo=slo.model_dump())
    missed = breaches(load_result, slo)
    assert not missed, "; ".join(missed)
