"""Checks that change the target for good (marked `disruptive`) run after every other check."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import REPO, run_pytest


def test_disruptive_checks_are_collected_last(state_dir: Path) -> None:
    result = run_pytest(["--scenario=all", "--collect-only", "-q"], cwd=REPO)
    assert result.returncode == 0, result.stdout[-2000:]
    items = [line for line in result.stdout.splitlines() if "::" in line]
    assert items[-1].endswith("test_rotated_out_key_is_refused"), items[-3:]
