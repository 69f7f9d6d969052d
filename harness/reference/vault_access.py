"""How a reference service (the worker runtime, the downstream system) reads its secret from Vault: hvac,
AppRole login, a KV v2 read, one re-login when Vault forgets or expires the token.

Shared by both services so they log in and fail the same way; `VaultUnavailable` is the one error callers
handle (Vault down, sealed or answering 5xx), and its message never carries a token or a secret value.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from typing import Any

import hvac
import hvac.exceptions
import requests

TIMEOUT_S = 2.0
log = logging.getLogger("vault-access")


class VaultUnavailable(Exception):
    """Vault could not answer the read (network, sealed, 5xx) or refused this AppRole."""


@dataclasses.dataclass(frozen=True)
class AppRoleSettings:
    url: str
    ca_file: str
    mount: str
    role_id: str = dataclasses.field(repr=False)
    secret_id: str = dataclasses.field(repr=False)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> AppRoleSettings:
        return cls(config["url"], config["ca_file"], config["mount"], config["role_id"], config["secret_id"])


class AppRoleReader:
    """KV v2 reads as one AppRole; thread-safe, so an ASGI thread pool or a worker's threads may share it."""

    def __init__(self, settings: AppRoleSettings) -> None:
        self.settings = settings
        self._client: hvac.Client | None = None
        self._lock = threading.Lock()

    def _login(self) -> hvac.Client:
        client = hvac.Client(url=self.settings.url, verify=self.settings.ca_file, timeout=TIMEOUT_S)
        client.auth.approle.login(role_id=self.settings.role_id, secret_id=self.settings.secret_id)
        log.info("logged in to Vault at %s with AppRole", self.settings.url)
        return client

    def read(self, path: str) -> tuple[dict[str, Any], int]:
        """The current version's data and number at `path`; VaultUnavailable when Vault cannot say."""
        with self._lock:
            try:
                return self._read(path)
            except (requests.RequestException, hvac.exceptions.VaultError) as error:
                self._client = None
                raise VaultUnavailable(f"Vault read of {path} failed: {type(error).__name__}") from None

    def _read(self, path: str) -> tuple[dict[str, Any], int]:
        try:
            return self._read_once(path)
        except hvac.exceptions.Forbidden:
            # The token may have expired; a fresh login tells that apart from a policy that denies the path.
            self._client = None
            return self._read_once(path)

    def _read_once(self, path: str) -> tuple[dict[str, Any], int]:
        if self._client is None:
            self._client = self._login()
        answer = self._client.secrets.kv.v2.read_secret_version(path, mount_point=self.settings.mount,
                                                                raise_on_deleted_version=True)
        return dict(answer["data"]["data"]), int(answer["data"]["metadata"]["version"])
