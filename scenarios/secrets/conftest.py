"""Fixtures of the secrets checks: the worker under test, its secret as canaries, and one rotation batch
that several checks judge (completion, back-off, and where the secret must not show)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from harness.clients.gateway import Reply
from harness.config import Worker
from harness.deployment import Stack
from harness.plugin import REDACTOR_KEY
from scenarios.secrets.support import Processes, Secrets, under_test

BATCH_SIZE = 10


@pytest.fixture(scope="session")
def worker(stack: Stack) -> Worker:
    return under_test(stack.target)[1]


@pytest.fixture(scope="session")
def canaries(stack: Stack, pytestconfig: pytest.Config) -> Secrets:
    """The unit's downstream secret, now and after every rotation; registered with the report redactor."""
    unit, _, vault = under_test(stack.target)
    secrets = Secrets(stack, vault, vault.approles[unit].path, pytestconfig.stash[REDACTOR_KEY].add_secrets)
    secrets.read_current()
    return secrets


@pytest.fixture(scope="session")
def processes(stack: Stack, worker: Worker) -> Iterator[Processes]:
    runs = Processes(stack, worker)
    yield runs
    runs.close()


@dataclasses.dataclass(frozen=True)
class Batch:
    replies: tuple[Reply, ...]
    rotated: bool
    skip_reason: str

    @property
    def instances(self) -> set[int]:
        return {int(r.response.processInstanceKey) for r in self.replies if r.ok}


@pytest.fixture(scope="session")
def batch(stack: Stack, processes: Processes, canaries: Secrets) -> Batch:
    """BATCH_SIZE instances of the worker's process, the secret rotated after the first half was started."""
    definition = processes.deploy(retries=3)
    first = [processes.run(definition) for _ in range(BATCH_SIZE // 2)]
    # The leak checks judge this batch with or without a rotation; SEC-002 needs one (a declared need).
    skip_reason = "" if "rotate_secret" in stack.target.capabilities else \
        "the target lacks the rotate_secret capability: the secret was not rotated"
    if not skip_reason:
        canaries.rotate()
    second = [processes.run(definition) for _ in range(BATCH_SIZE - len(first))]
    return Batch(tuple(call.reply() for call in first + second), not skip_reason, skip_reason)
