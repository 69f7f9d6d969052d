"""Vault tokens and the AppRole auth method that issues them.

Tokens are random `hvs.` strings with an accessor, policies and a TTL; an expired or unknown token is
simply absent, so every caller gets the same 403 for it.
"""

from __future__ import annotations

import dataclasses
import hmac
import secrets
import time
from collections.abc import Mapping
from typing import Any

from harness.reference.vault.clock import rfc3339

APPROLE_TOKEN_TTL_S = 3600


@dataclasses.dataclass(frozen=True)
class Token:
    id: str = dataclasses.field(repr=False)
    accessor: str = dataclasses.field(repr=False)
    policies: tuple[str, ...]
    display_name: str
    path: str
    issued: float
    ttl_s: int  # 0: never expires (the root token)
    meta: Mapping[str, str] | None = None

    def expired(self, now: float) -> bool:
        return self.ttl_s > 0 and now >= self.issued + self.ttl_s

    def lookup_data(self, now: float) -> dict[str, Any]:
        """The `data` of `auth/token/lookup-self`, as Vault shapes it."""
        expire = None if self.ttl_s == 0 else rfc3339(self.issued + self.ttl_s)
        return {
            "accessor": self.accessor, "creation_time": int(self.issued), "creation_ttl": self.ttl_s,
            "display_name": self.display_name, "entity_id": "", "expire_time": expire, "explicit_max_ttl": 0,
            "id": self.id, "issue_time": rfc3339(self.issued), "meta": self.meta, "num_uses": 0,
            "orphan": True, "path": self.path, "policies": list(self.policies), "renewable": self.ttl_s > 0,
            "ttl": 0 if self.ttl_s == 0 else max(0, int(self.issued + self.ttl_s - now)), "type": "service",
        }


def _new_id(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(24)


class TokenStore:
    def __init__(self, root_token: str) -> None:
        self._tokens: dict[str, Token] = {}
        self.add(Token(root_token, _new_id(""), ("root",), "root", "auth/token/root", time.time(), 0))

    def add(self, token: Token) -> Token:
        self._tokens[token.id] = token
        return token

    def issue(self, policies: tuple[str, ...], display_name: str, path: str, ttl_s: int,
              meta: Mapping[str, str]) -> Token:
        return self.add(Token(_new_id("hvs."), _new_id(""), policies, display_name, path, time.time(), ttl_s,
                              dict(meta)))

    def to_state(self) -> list[dict[str, Any]]:
        return [dataclasses.asdict(token) for token in self._tokens.values()]

    def load_state(self, state: list[dict[str, Any]]) -> None:
        for raw in state:
            self.add(Token(**{**raw, "policies": tuple(raw["policies"])}))

    def lookup(self, token_id: str | None) -> Token | None:
        token = self._tokens.get(token_id or "")
        if token is None or token.expired(time.time()):
            return None
        return token


@dataclasses.dataclass(frozen=True)
class AppRole:
    name: str
    role_id: str = dataclasses.field(repr=False)
    secret_id: str = dataclasses.field(repr=False)
    policies: tuple[str, ...]


class LoginError(ValueError):
    """A refused AppRole login; the message is Vault's."""


class AppRoles:
    def __init__(self, roles: Mapping[str, Mapping[str, Any]], tokens: TokenStore) -> None:
        self.roles = [AppRole(name, r["role_id"], r["secret_id"], tuple(r["policies"])) for name, r in roles.items()]
        self.tokens = tokens

    def login(self, role_id: object, secret_id: object) -> Token:
        if not isinstance(role_id, str) or not role_id:
            raise LoginError("missing role_id")
        role = next((r for r in self.roles if hmac.compare_digest(r.role_id, role_id)), None)
        if role is None or not isinstance(secret_id, str) or not hmac.compare_digest(role.secret_id, secret_id):
            raise LoginError("invalid role or secret ID")
        return self.tokens.issue(("default", *role.policies), f"approle-{role.name}", "auth/approle/login",
                                 APPROLE_TOKEN_TTL_S, {"role_name": role.name})
