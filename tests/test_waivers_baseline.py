"""Waiver expiry and baseline classification, the rules behind what reports call waived and new-failure."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from harness.errors import UsageError
from harness.report import baseline, waivers

DAY = datetime.timedelta(days=1)


def test_waiver_holds_through_its_expiration_date_then_lapses() -> None:
    (waiver,) = waivers.parse({"AUTH-001": {"justification": "j", "expiration_date": "2026-06-30"}},
                              {"AUTH-001"}, "w.yaml").values()
    day = datetime.date(2026, 6, 30)
    assert waiver.active(day - DAY) and waiver.active(day) and not waiver.active(day + DAY)
    assert waiver.as_dict(day + DAY) == {"justification": "j", "expiration_date": "2026-06-30", "expired": True}


@pytest.mark.parametrize(("data", "message"), [
    (["AUTH-001"], "the top level must map check ids to waivers"),
    ({"AUTH-001": {"justification": "", "expiration_date": "2026-01-01"}}, "AUTH-001.justification:"),
    ({"AUTH-001": {"justification": "j", "expiration_date": "2026-01-01", "until": 1}}, "AUTH-001.until:"),
])
def test_malformed_waivers_name_the_field(data: object, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        waivers.parse(data, {"AUTH-001"}, "w.yaml")


@pytest.mark.parametrize(("previous", "now", "expected"), [
    (None, "failed", "new-failure"), ("passed", "error", "new-failure"), ("waived", "failed", "new-failure"),
    ("failed", "failed", "still-failing"), ("error", "failed", "still-failing"),
    ("failed", "passed", "fixed"), ("failed", "skipped", None), ("passed", "passed", None),
    ("failed", "waived", None),
])
def test_baseline_classification(previous: str | None, now: str, expected: str | None) -> None:
    assert baseline.classify(previous, now) == expected


def test_baseline_takes_the_worst_outcome_of_a_check(tmp_path: Path) -> None:
    (tmp_path / "report.json").write_text('{"checks": [{"id": "H-1", "outcome": "passed"}, '
                                          '{"id": "H-1", "outcome": "failed"}, {"id": "T-1", "outcome": "passed"}]}')
    assert baseline.load(tmp_path) == {"H-1": "failed", "T-1": "passed"}
