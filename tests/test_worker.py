"""The worker runtime's parts that need no stack: the log masking filter, the two secret loading modes, the
Target's `workers` section, and how the secrets checks read a worker's retries from Zeebe's job records."""

from __future__ import annotations

import io
import logging
from typing import Any

import pytest

from harness import config
from harness.clients.zeebe_records import JobEvent
from harness.errors import UsageError
from harness.reference.worker.jobs import CredentialSource
from harness.reference.worker.masking import MaskingFilter, mask
from scenarios.secrets.retries import RetryHistory, record_retries

SECRET = "s3cr3t-value-1234"


@pytest.mark.parametrize("text", [
    f"{{'username': 'svc', 'password': '{SECRET}'}}",
    f"vault.secret_id={SECRET} next",
    f"zeebe.client_secret: {SECRET}",
    f"X-Vault-Token={SECRET}",
    f'{{"PASSWORD": "{SECRET}"}}',
])
def test_values_of_sensitive_keys_are_masked(text: str) -> None:
    assert SECRET not in mask(text) and "****" in mask(text)


def test_other_values_stay_readable() -> None:
    assert mask("event=activated job=7 user=svc-bu-a") == "event=activated job=7 user=svc-bu-a"


def test_filter_masks_arguments_and_tracebacks() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskingFilter())
    logger = logging.getLogger("masking-test")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("loaded %s", {"password": SECRET})
        try:
            raise ValueError(f"token={SECRET}")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    assert "loaded" in stream.getvalue() and "ValueError" in stream.getvalue()
    assert SECRET not in stream.getvalue()


class FakeVault:
    """Versions of one secret, as Vault's KV v2 would return them; counts the reads."""

    def __init__(self) -> None:
        self.version, self.reads = 1, 0

    def read(self, path: str) -> tuple[dict[str, Any], int]:
        self.reads += 1
        return {"username": "svc", "password": f"pw-{self.version}"}, self.version


def test_startup_mode_keeps_the_credential_until_refreshed() -> None:
    vault = FakeVault()
    source = CredentialSource(vault, "bu-a/downstream", "startup")  # type: ignore[arg-type]
    assert source.current().version == 1
    vault.version = 2
    assert source.current().version == 1 and vault.reads == 1
    source.refresh()
    assert source.current().version == 2 and vault.reads == 2


def test_runtime_mode_reads_vault_for_every_job() -> None:
    vault = FakeVault()
    source = CredentialSource(vault, "bu-a/downstream", "runtime")  # type: ignore[arg-type]
    source.current()
    vault.version = 2
    assert source.current().version == 2 and vault.reads == 2


WORKER = {"actuator_url": "https://w/actuator", "job_type": "j", "bpmn_process_id": "p",
          "vault_url": "https://vault:8200", "retry_backoff_ms": 500}


def test_worker_needs_an_approle_of_the_same_name() -> None:
    with pytest.raises(UsageError, match=r"^target: workers\.bu_a: no vault\.approles\.bu_a"):
        config.validate({"workers": {"bu_a": WORKER}})


def test_worker_back_off_must_be_positive() -> None:
    vault = {"url": "https://vault:8200", "approles": {"bu_a": {"role_id_env": "R", "secret_id_env": "S",
                                                                 "path": "bu-a/downstream"}}}
    with pytest.raises(UsageError, match=r"workers\.bu_a\.retry_backoff_ms"):
        config.validate({"vault": vault, "workers": {"bu_a": {**WORKER, "retry_backoff_ms": 0}}})


def job_record(intent: str, at_ms: int, retries: int = 2, backoff_ms: int = 0, job: int = 7) -> JobEvent:
    return JobEvent.of({"key": job, "intent": intent, "timestamp": at_ms,
                        "value": {"retries": retries, "retryBackoff": backoff_ms, "processInstanceKey": 1}})


def test_retry_timing_from_zeebe_job_records() -> None:
    """SEC-002/008 judge what Zeebe recorded (camunda/camunda JobFailProcessor: a FAILED event carries the
    retries and `retryBackoff` asked for; with no back-off the job is activatable at once, with one
    RECURRED_AFTER_BACKOFF follows when it ends)."""
    waited = RetryHistory("records", tuple(record_retries([
        job_record("CREATED", 0), job_record("FAILED", 1_000, backoff_ms=500),
        job_record("RECURRED_AFTER_BACKOFF", 1_501), job_record("COMPLETED", 1_600)])))
    assert [(r.asked_backoff_ms, r.waited_s) for r in waited.failures] == [(500, 0.501)]
    assert waited.early(500, 0.002) == [] and waited.exhausted() == []
    assert len(waited.early(1_000, 0.002)) == 1  # a longer promise than the worker asked Zeebe for
    immediate = RetryHistory("records", tuple(record_retries([job_record("FAILED", 1_000, backoff_ms=0)])))
    assert [r.waited_s for r in immediate.early(500, 0.002)] == [0.0]
    ran_out = RetryHistory("records", tuple(record_retries([job_record("FAILED", 1_000, retries=0)])))
    assert len(ran_out.exhausted()) == 1 and ran_out.early(500, 0.002) == []
