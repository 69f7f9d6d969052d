"""The downstream system: HTTP Basic auth against the credential Vault currently stores for each account.

Every request reads the account's KV v2 path with the service's own AppRole, so a rotation (a new KV version)
refuses the old password from the very next request, as a system whose password was changed does. When Vault
cannot answer, the service fails closed with 503. A refusal is 401 with a JSON error naming the user, never
the presented password.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from harness.reference import basic_auth
from harness.reference.vault_access import AppRoleReader, AppRoleSettings, VaultUnavailable

log = logging.getLogger("downstream")
CHALLENGE = {"WWW-Authenticate": 'Basic realm="downstream"'}


def _unauthorized(message: str) -> JSONResponse:
    return JSONResponse({"error": "unauthorized", "message": message}, status_code=401, headers=CHALLENGE)


class DownstreamApp:
    def __init__(self, config: dict[str, Any]) -> None:
        self.accounts: dict[str, str] = dict(config["accounts"])  # user -> KV path of its credential
        self.vault = AppRoleReader(AppRoleSettings.from_config(config["vault"]))
        self.app = Starlette(routes=[Route("/health", self.health),
                                     Route("/api/v1/calls", self.call, methods=["POST"])])

    async def health(self, request: Request) -> JSONResponse:
        return JSONResponse({"status": "UP"})

    def call(self, request: Request) -> JSONResponse:
        """Sync on purpose: Starlette runs it in its thread pool, where the blocking Vault read belongs."""
        presented = basic_auth.credentials(request.headers.get("authorization"))
        if presented is None:
            return _unauthorized("HTTP Basic credentials required")
        user, password = presented
        path = self.accounts.get(user)
        if path is None:
            log.info("refused unknown user %s", user)
            return _unauthorized(f"invalid credentials for user {user}")
        try:
            stored, version = self.vault.read(path)
        except VaultUnavailable as error:
            log.warning("cannot verify %s: %s", user, error)
            return JSONResponse({"error": "unavailable", "message": "credential store unavailable"}, status_code=503)
        if not hmac.compare_digest(password.encode(), str(stored.get("password", "")).encode()):
            log.info("refused %s: not the credential of version %d", user, version)
            return _unauthorized(f"invalid credentials for user {user}")
        return JSONResponse({"status": "accepted", "user": user})
