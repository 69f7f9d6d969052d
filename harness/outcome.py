"""What a check's result means: `failed` is a verdict on the target, `error` says the check could not judge.

A check fails only through its own assertion (`assert`, `pytest.fail`): that is the control it names being
broken. Anything else raised in its body (a positive control that did not hold, a refused connection, a
timeout) means the check could not reach its verdict, so the result is `error`, never a detection. This is
unittest's distinction between failures and errors, kept so a weakness that merely breaks a service can
not pass for one the check detected.
"""

from __future__ import annotations

from typing import Literal

import pytest

Verdict = Literal["failed", "error"]
# Exceptions that carry the check's own verdict: a plain assert, and pytest.fail().
VERDICT_EXCEPTIONS: tuple[type[BaseException], ...] = (AssertionError, pytest.fail.Exception)


class PositiveControlFailed(Exception):
    """The allowed counterpart of a refused call did not work, so the refusal proves nothing."""

    def __init__(self, what: str) -> None:
        super().__init__(f"positive control failed: {what}")


def positive(holds: bool, what: str) -> None:
    """Guard a check: `what` (the call that must succeed) held, or the check errors instead of judging."""
    if not holds:
        raise PositiveControlFailed(what)


def verdict(when: str, excinfo: pytest.ExceptionInfo[BaseException] | None) -> Verdict:
    """`failed` for the check's own assertion in its body; `error` for everything else that went wrong."""
    if when == "call" and excinfo is not None and excinfo.errisinstance(VERDICT_EXCEPTIONS) \
            and not excinfo.errisinstance(PositiveControlFailed):
        return "failed"
    return "error"
