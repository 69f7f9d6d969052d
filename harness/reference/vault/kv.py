"""The KV version 2 secrets engine: versioned secrets with check-and-set, soft delete, undelete and destroy.

Methods return the `data` Vault puts in its response, or raise `KvError` with Vault's status and message;
a path with no secret is `KvError(404)` with no message, as Vault answers `{"errors": []}`.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from typing import Any

from harness.reference.vault.clock import rfc3339

CAS_MISMATCH = "check-and-set parameter did not match the current version"
CAS_REQUIRED = "check-and-set parameter required for this call"


class KvError(Exception):
    def __init__(self, status: int, message: str | None = None, data: dict[str, Any] | None = None) -> None:
        super().__init__(message or f"HTTP {status}")
        self.status, self.message, self.data = status, message, data


@dataclasses.dataclass
class _Version:
    data: dict[str, Any]
    created: str
    deletion_time: str = ""
    destroyed: bool = False

    def metadata(self, number: int) -> dict[str, Any]:
        return {"created_time": self.created, "custom_metadata": None, "deletion_time": self.deletion_time,
                "destroyed": self.destroyed, "version": number}


@dataclasses.dataclass
class _Secret:
    created: str
    updated: str
    versions: dict[int, _Version] = dataclasses.field(default_factory=dict)
    cas_required: bool = False
    max_versions: int = 0
    custom_metadata: dict[str, str] | None = None

    @property
    def current(self) -> int:
        return max(self.versions, default=0)


class KvV2:
    def __init__(self) -> None:
        self._secrets: dict[str, _Secret] = {}
        self._lock = threading.Lock()

    def to_state(self) -> dict[str, Any]:
        with self._lock:
            return {path: dataclasses.asdict(secret) for path, secret in self._secrets.items()}

    def load_state(self, state: dict[str, Any]) -> None:
        """Restore what `to_state` saved (JSON turned the version numbers into strings)."""
        with self._lock:
            self._secrets = {
                path: _Secret(**{**raw, "versions": {int(n): _Version(**v) for n, v in raw["versions"].items()}})
                for path, raw in state.items()}

    def exists(self, path: str) -> bool:
        return path in self._secrets

    def _get(self, path: str) -> _Secret:
        secret = self._secrets.get(path)
        if secret is None:
            raise KvError(404)
        return secret

    def write(self, path: str, data: object, options: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise KvError(400, "no data provided")
        with self._lock:
            now = rfc3339(time.time())
            secret = self._secrets.get(path)
            current = secret.current if secret else 0
            cas = options.get("cas")
            if cas is None and secret is not None and secret.cas_required:
                raise KvError(400, CAS_REQUIRED)
            if cas is not None and cas != current:
                raise KvError(400, CAS_MISMATCH)
            if secret is None:
                secret = self._secrets[path] = _Secret(now, now)
            secret.versions[current + 1] = version = _Version(dict(data), now)
            secret.updated = now
            if secret.max_versions:
                for old in sorted(secret.versions)[:-secret.max_versions]:
                    del secret.versions[old]
            return version.metadata(current + 1)

    def read(self, path: str, version: int | None) -> dict[str, Any]:
        secret = self._get(path)
        number = version or secret.current
        entry = secret.versions.get(number)
        if entry is None:
            raise KvError(404)
        if entry.deletion_time or entry.destroyed:
            # Vault answers 404 with the version's metadata and null data, and no errors.
            raise KvError(404, data={"data": None, "metadata": entry.metadata(number)})
        return {"data": entry.data, "metadata": entry.metadata(number)}

    def metadata(self, path: str) -> dict[str, Any]:
        secret = self._get(path)
        return {
            "cas_required": secret.cas_required, "created_time": secret.created, "current_version": secret.current,
            "custom_metadata": secret.custom_metadata, "delete_version_after": "0s",
            "max_versions": secret.max_versions, "oldest_version": min(secret.versions, default=0),
            "updated_time": secret.updated,
            "versions": {str(n): {k: v for k, v in entry.metadata(n).items() if k in
                                  ("created_time", "deletion_time", "destroyed")}
                         for n, entry in sorted(secret.versions.items())},
        }

    def update_metadata(self, path: str, body: dict[str, Any]) -> None:
        with self._lock:
            now = rfc3339(time.time())
            secret = self._secrets.setdefault(path, _Secret(now, now))
            secret.cas_required = bool(body.get("cas_required", secret.cas_required))
            secret.max_versions = int(body.get("max_versions", secret.max_versions))
            secret.custom_metadata = body.get("custom_metadata", secret.custom_metadata)
            secret.updated = now

    def list(self, prefix: str) -> list[str]:
        """Immediate children of a folder: keys, and sub-folders with a trailing slash."""
        folder = prefix.rstrip("/") + "/" if prefix.strip("/") else ""
        keys = {rest.split("/", 1)[0] + ("/" if "/" in rest else "")
                for rest in (p[len(folder):] for p in self._secrets if p.startswith(folder))}
        if not keys:
            raise KvError(404)
        return sorted(keys)

    def _versions(self, path: str, versions: object, latest: bool) -> list[_Version]:
        secret = self._get(path)
        if latest:
            return [secret.versions[secret.current]] if secret.current else []
        if not isinstance(versions, list) or not versions or not all(isinstance(v, int) for v in versions):
            raise KvError(400, "no version number provided")
        return [secret.versions[v] for v in versions if v in secret.versions]

    def delete(self, path: str, versions: object = None, latest: bool = False) -> None:
        with self._lock:
            for entry in self._versions(path, versions, latest):
                if not entry.deletion_time:
                    entry.deletion_time = rfc3339(time.time())

    def undelete(self, path: str, versions: object) -> None:
        with self._lock:
            for entry in self._versions(path, versions, False):
                if not entry.destroyed:
                    entry.deletion_time = ""

    def destroy(self, path: str, versions: object) -> None:
        with self._lock:
            for entry in self._versions(path, versions, False):
                entry.destroyed, entry.data = True, {}

    def delete_metadata(self, path: str) -> None:
        with self._lock:
            self._secrets.pop(path, None)
