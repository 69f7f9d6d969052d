"""The file audit device: one JSON line per request and per response, every token and secret string
replaced by `hmac-sha256:<hex>` under a per-device salt, as Vault's audit log does.

`sys/audit-hash` computes the same HMAC, so an operator (or a test) can find a known value in the log
without the log ever holding it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from pathlib import Path
from typing import Any

from harness.reference.vault.clock import rfc3339


class AuditLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._salt = secrets.token_bytes(32)
        self._lock = threading.Lock()

    def hash(self, value: str) -> str:
        return "hmac-sha256:" + hmac.new(self._salt, value.encode(), hashlib.sha256).hexdigest()

    def _redact(self, value: Any) -> Any:
        """Every string leaf HMAC'd (numbers and booleans stay, as in Vault)."""
        if isinstance(value, str):
            return self.hash(value)
        if isinstance(value, dict):
            return {key: self._redact(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self._redact(item) for item in value]
        return value

    def record(self, request_id: str, operation: str, path: str, token: str | None, policies: list[str],
               request_data: Any, response: dict[str, Any] | None, error: str) -> None:
        auth = {"client_token": self.hash(token) if token else "", "policies": policies}
        request = {"id": request_id, "operation": operation, "path": path, "namespace": {"id": "root"},
                   "client_token": auth["client_token"], "data": self._redact(request_data),
                   "remote_address": "127.0.0.1"}
        now = rfc3339(time.time())
        entries = [{"time": now, "type": "request", "auth": auth, "request": request, "error": ""}]
        redacted = None
        if response is not None:
            redacted = {key: self._redact(response[key]) for key in ("data", "auth") if response.get(key)}
        entries.append({"time": now, "type": "response", "auth": auth, "request": request,
                        "response": redacted, "error": error})
        lines = "".join(json.dumps(entry, separators=(",", ":")) + "\n" for entry in entries)
        with self._lock, self.path.open("a") as handle:
            handle.write(lines)
