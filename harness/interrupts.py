"""Ctrl-C and SIGTERM (a CI job cancelled) both tear a stack down: each raises KeyboardInterrupt."""

from __future__ import annotations

import signal


def _raise_keyboard_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def tear_down_on_interrupt() -> None:
    """SIGINT is set explicitly too: a harness started as a background job (`cmd &` in a script) inherits
    SIGINT ignored from the shell, and a later `kill -INT` would leave its stack running."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
