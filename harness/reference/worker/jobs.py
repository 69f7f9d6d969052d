"""The worker's job handling: allowlist, credential from Vault, the downstream call, failure with back-off.

No `from __future__ import annotations`: pyzeebe finds a task's `job: Job` parameter by its annotation object.

Every job leaves `event=... job=<key>` lines in the log (activated, failing, refused, completed), written
before the command that follows them, so the log's time of a failure is never later than the engine's.
"""

import asyncio
import dataclasses
import logging
import threading
from typing import Any, Literal

import requests
from pyzeebe import Job, JobController

from harness.reference.vault_access import AppRoleReader, VaultUnavailable

log = logging.getLogger("worker")
DOWNSTREAM_TIMEOUT_S = 3.0
NOT_ALLOWED = "PROCESS_NOT_ALLOWED"


@dataclasses.dataclass(frozen=True)
class Credential:
    username: str
    password: str = dataclasses.field(repr=False)
    version: int = 0


class NotAllowed(Exception):
    """The job's process is outside this runtime's allowlist: a business error, never retried."""


class Retryable(Exception):
    """A failure a later attempt may not have (a rotated secret, an outage): fail with retries - 1, back off."""


class CredentialSource:
    """The downstream credential: loaded once at startup and kept (reloaded after a refusal), or read from
    Vault for every job (`runtime`), the two retrieval phases of the Vault article."""

    def __init__(self, vault: AppRoleReader, path: str, mode: Literal["startup", "runtime"]) -> None:
        self.vault, self.path, self.mode = vault, path, mode
        self._cached: Credential | None = None
        self._lock = threading.Lock()

    def load(self) -> Credential:
        data, version = self.vault.read(self.path)
        # The whole record is logged, as config dumps do; the masking filter keeps the password out.
        log.info("loaded credential %s version %d: %s", self.path, version, data)
        return Credential(str(data["username"]), str(data["password"]), version)

    def current(self) -> Credential:
        with self._lock:
            if self.mode == "runtime":
                return self.load()
            if self._cached is None:
                self._cached = self.load()
            return self._cached

    def refresh(self) -> None:
        """Drop the refused credential and fetch the new one now; if Vault is down, the next job retries."""
        with self._lock:
            self._cached = None
        try:
            self.current()
        except VaultUnavailable as error:
            log.warning("reload after refusal failed: %s", error)


@dataclasses.dataclass(frozen=True)
class JobSettings:
    name: str
    allowlist: frozenset[str]
    downstream_url: str
    ca_file: str
    retry_backoff_ms: int
    weaknesses: frozenset[str]


class JobHandler:
    def __init__(self, settings: JobSettings, credentials: CredentialSource) -> None:
        self.settings, self.credentials = settings, credentials
        self.session = requests.Session()
        self.session.verify = settings.ca_file

    def _post(self, credential: Credential, job: Job) -> int:
        response = self.session.post(self.settings.downstream_url, auth=(credential.username, credential.password),
                                     json={"job": job.key}, timeout=DOWNSTREAM_TIMEOUT_S)
        return response.status_code

    async def handle(self, job: Job) -> dict[str, Any]:
        weak = self.settings.weaknesses
        log.info("event=activated job=%d instance=%d process=%s retries=%d", job.key, job.process_instance_key,
                 job.bpmn_process_id, job.retries)
        if job.bpmn_process_id not in self.settings.allowlist and "allowlist_off" not in weak:
            raise NotAllowed(f"process '{job.bpmn_process_id}' is not in the allowlist of worker {self.settings.name}")
        try:
            credential = await asyncio.to_thread(self.credentials.current)
        except VaultUnavailable:
            raise Retryable("secret store unavailable: cannot load the downstream credential") from None
        try:
            status = await asyncio.to_thread(self._post, credential, job)
        except requests.RequestException as error:
            raise Retryable(f"downstream unreachable: {type(error).__name__}") from None
        if status in (401, 403):
            await asyncio.to_thread(self.credentials.refresh)
            leaked = f" with password {credential.password}" if "secret_in_error_message" in weak else ""
            raise Retryable(f"downstream refused the credential of {credential.username}{leaked} "
                            f"(HTTP {status}, version {credential.version})")
        if status != 200:
            raise Retryable(f"downstream answered HTTP {status}")
        log.info("event=completed job=%d credential_version=%d", job.key, credential.version)
        variables: dict[str, Any] = {"downstreamStatus": status, "credentialVersion": credential.version}
        if "secret_in_variables" in weak:
            variables["downstreamAuth"] = {"username": credential.username, "password": credential.password}
        return variables

    async def on_error(self, error: Exception, job: Job, controller: JobController) -> None:
        """pyzeebe's exception handler: a refusal is a BPMN error (an incident, no retries); anything else
        fails the job with retries - 1 and the configured back-off, as the article's FailCommand does."""
        if isinstance(error, NotAllowed):
            log.warning("event=refused job=%d process=%s", job.key, job.bpmn_process_id)
            await controller.set_error_status(str(error), error_code=NOT_ALLOWED)
            return
        message = str(error) if isinstance(error, Retryable) else f"unexpected {type(error).__name__}"
        backoff_ms = 0 if "no_retry_backoff" in self.settings.weaknesses else self.settings.retry_backoff_ms
        log.warning("event=failing job=%d retries=%d backoff_ms=%d reason=%s", job.key, job.retries - 1,
                    backoff_ms, message)
        await controller.set_failure_status(message, retry_back_off_ms=backoff_ms)
