"""Vault's HTTP API over Starlette: routing, token authentication, ACL checks, Vault's envelopes and errors.

Every `/v1/` path except `sys/health` and `auth/approle/login` needs a token (`X-Vault-Token` or
`Authorization: Bearer`); a missing, unknown or expired token, and a path the token's policies do not grant,
all get 403 `permission denied`, as in Vault. Weakness `vault_anonymous` serves a request without a token
as if it carried the root token (the authentication requirement switched off, nothing else).
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from harness.reference.runtime import save_state
from harness.reference.vault import policy
from harness.reference.vault.audit import AuditLog
from harness.reference.vault.kv import KvError, KvV2
from harness.reference.vault.tokens import AppRoles, LoginError, Token, TokenStore

log = logging.getLogger("vault")
VERSION = "1.15.6"
KV_MOUNT = "secret"
PERMISSION_DENIED = "permission denied"
METHODS = ["GET", "POST", "PUT", "DELETE", "LIST"]

def _errors(status: int, *messages: str) -> JSONResponse:
    return JSONResponse({"errors": list(messages)}, status_code=status)

class VaultApp:
    def __init__(self, config: dict[str, Any]) -> None:
        self.weaknesses = frozenset(config.get("weaknesses", ()))
        self.tokens = TokenStore(config["root_token"])
        self.approles = AppRoles(config.get("approles", {}), self.tokens)
        self.policies: dict[str, str] = {"default": policy.DEFAULT_POLICY, **config.get("policies", {})}
        self.parsed = {name: policy.parse(text) for name, text in self.policies.items()}
        self.kv = KvV2()
        for path, data in config.get("secrets", {}).items():
            self.kv.write(path, data, {})
        # Vault keeps its storage across a restart: a stopped and started node still has every secret
        # version, policy and token, so a worker's token and a rotated secret survive an outage.
        self.state_file: str | None = config.get("state_file")
        self._load_state()
        self.audit = AuditLog(Path(config["audit_file"]))
        self.cluster_id = str(uuid.uuid4())
        self.app = Starlette(routes=[
            Route("/v1/sys/health", self.health, methods=["GET", "HEAD"]),
            Route("/v1/auth/approle/login", self.login, methods=["POST", "PUT"]),
            Route("/v1/{path:path}", self.authenticated, methods=METHODS),
        ])

    def _load_state(self) -> None:
        if not self.state_file or not os.path.exists(self.state_file):
            return
        with open(self.state_file) as handle:
            state = json.load(handle)
        self.kv.load_state(state["kv"])
        self.tokens.load_state(state["tokens"])
        self.policies = state["policies"]
        self.parsed = {name: policy.parse(text) for name, text in self.policies.items()}

    def _save_state(self) -> None:
        if self.state_file:
            save_state(self.state_file, {"kv": self.kv.to_state(), "tokens": self.tokens.to_state(),
                                         "policies": self.policies})

    async def health(self, request: Request) -> Response:
        """Unauthenticated; 200 for an initialized, unsealed, active node (the only state this one has)."""
        return JSONResponse({
            "initialized": True, "sealed": False, "standby": False, "performance_standby": False,
            "replication_performance_mode": "disabled", "replication_dr_mode": "disabled",
            "server_time_utc": int(time.time()), "version": VERSION, "enterprise": False,
            "cluster_name": "vault-cluster-harness", "cluster_id": self.cluster_id, "echo_duration_ms": 0,
            "clock_skew_ms": 0,
        })

    async def login(self, request: Request) -> Response:
        body = await _json(request)
        if body is None:
            return _errors(400, "failed to parse JSON input: the body is not a JSON object")
        request_id = str(uuid.uuid4())
        try:
            token = self.approles.login(body.get("role_id"), body.get("secret_id"))
        except LoginError as error:
            self.audit.record(request_id, "update", "auth/approle/login", None, [], body, None, str(error))
            return _errors(400, str(error))
        auth = {"client_token": token.id, "accessor": token.accessor, "policies": list(token.policies),
                "token_policies": list(token.policies), "metadata": dict(token.meta or {}),
                "lease_duration": token.ttl_s, "renewable": True, "entity_id": "", "token_type": "service",
                "orphan": True, "mfa_requirement": None, "num_uses": 0}
        envelope = _envelope(request_id, None, auth)
        self._save_state()
        self.audit.record(request_id, "update", "auth/approle/login", None, [], body, envelope, "")
        log.info("approle login: role %s", (token.meta or {}).get("role_name"))
        return JSONResponse(envelope)

    def _token(self, request: Request) -> tuple[str | None, Token | None]:
        presented = request.headers.get("x-vault-token")
        authorization = request.headers.get("authorization", "")
        if presented is None and authorization[:7].lower() == "bearer ":
            presented = authorization[7:].strip()
        if not presented and "vault_anonymous" in self.weaknesses:
            return None, Token("", "", ("root",), "anonymous", "", time.time(), 0)
        return presented, self.tokens.lookup(presented)

    async def authenticated(self, request: Request) -> Response:
        operation = _operation(request)
        # Vault checks a list against the folder with its trailing slash, anything else without one.
        path = request.path_params["path"].rstrip("/") + ("/" if operation == "list" else "")
        body = await _json(request) if operation in ("create", "update") else {}
        if body is None:
            return _errors(400, "failed to parse JSON input: the body is not a JSON object")
        request_id = str(uuid.uuid4())
        presented, token = self._token(request)
        policies = list(token.policies) if token else []
        if token is None:
            response = _errors(403, PERMISSION_DENIED)
        else:
            response = self._dispatch(request, token, path, operation, body, request_id)
            if operation not in ("read", "list") and response.status_code < 400:
                self._save_state()
        payload = json.loads(response.body) if response.body else None
        error = "; ".join(payload.get("errors", [])) if isinstance(payload, dict) else ""
        self.audit.record(request_id, operation, path, presented, policies, body, payload, error)
        return response

    def _dispatch(self, request: Request, token: Token, path: str, operation: str, body: dict[str, Any],
                  request_id: str) -> Response:
        acl = policy.Acl(token.policies, self.parsed)
        if operation in ("create", "update"):
            # Vault's existence check: a write to a path that holds nothing needs create, else update.
            operation = "update" if self._exists(path) else "create"
        if not acl.allows(path, operation):
            return _errors(403, PERMISSION_DENIED)
        try:
            return self._route(request, token, path, operation, body, request_id)
        except KvError as error:
            if error.data is not None:
                return JSONResponse(_envelope(request_id, error.data), status_code=error.status)
            return _errors(error.status, *([error.message] if error.message else []))

    def _exists(self, path: str) -> bool:
        mount, _, rest = path.partition("/")
        kind, _, key = rest.partition("/")
        if mount == KV_MOUNT and kind in ("data", "metadata"):
            return self.kv.exists(key)
        return path.removeprefix("sys/policy/") in self.policies if path.startswith("sys/policy/") else True

    def _route(self, request: Request, token: Token, path: str, operation: str, body: dict[str, Any],
               request_id: str) -> Response:
        if path == "auth/token/lookup-self" and operation in ("read", "update"):
            return JSONResponse(_envelope(request_id, token.lookup_data(time.time())))
        if path == "sys/policy" and operation == "read":
            names = sorted(self.policies) + ["root"]
            return JSONResponse({"keys": names, "policies": names, **_envelope(request_id, {"keys": names,
                                                                                          "policies": names})})
        if path.startswith("sys/policy/"):
            return self._policy(path.removeprefix("sys/policy/"), operation, body, request_id)
        if path.startswith("sys/audit-hash/") and operation in ("create", "update"):
            return JSONResponse(_envelope(request_id, {"hash": self.audit.hash(str(body.get("input", "")))}))
        mount, _, rest = path.partition("/")
        kind, _, key = rest.partition("/")
        if mount == KV_MOUNT and (key or (kind == "metadata" and operation == "list")):
            return self._kv(kind, key, operation, body, request, request_id)
        return _errors(404, f'no handler for route "{path}". route entry not found.')

    def _policy(self, name: str, operation: str, body: dict[str, Any], request_id: str) -> Response:
        if operation == "read":
            if name not in self.policies and name != "root":
                return _errors(404)
            rules = self.policies.get(name, "")
            return JSONResponse({"name": name, "rules": rules, **_envelope(request_id, {"name": name,
                                                                                      "rules": rules})})
        if operation in ("create", "update"):
            text = body.get("policy", body.get("rules"))
            if not isinstance(text, str):
                return _errors(400, "'policy' parameter not supplied or empty")
            try:
                self.parsed[name] = policy.parse(text)
            except policy.PolicyError as error:
                return _errors(400, str(error))
            self.policies[name] = text
            return Response(status_code=204)
        if operation == "delete" and name not in ("default", "root"):
            self.policies.pop(name, None)
            self.parsed.pop(name, None)
            return Response(status_code=204)
        return _errors(400, f'cannot delete "{name}" policy') if operation == "delete" else _errors(405)

    def _kv(self, kind: str, key: str, operation: str, body: dict[str, Any], request: Request,
            request_id: str) -> Response:
        kv = self.kv
        if kind == "data" and operation == "read":
            version = request.query_params.get("version", "0")
            if not version.isdigit():
                return _errors(400, "invalid version")
            return JSONResponse(_envelope(request_id, kv.read(key, int(version) or None)))
        if kind == "data" and operation in ("create", "update"):
            return JSONResponse(_envelope(request_id, kv.write(key, body.get("data"), body.get("options") or {})))
        if kind == "data" and operation == "delete":
            kv.delete(key, latest=True)
        elif kind == "metadata" and operation == "read":
            return JSONResponse(_envelope(request_id, kv.metadata(key)))
        elif kind == "metadata" and operation == "list":
            return JSONResponse(_envelope(request_id, {"keys": kv.list(key)}))
        elif kind == "metadata" and operation in ("create", "update"):
            kv.update_metadata(key, body)
        elif kind == "metadata" and operation == "delete":
            kv.delete_metadata(key)
        elif kind in ("delete", "undelete", "destroy") and operation in ("create", "update"):
            getattr(kv, kind)(key, body.get("versions"))
        else:
            return _errors(405)
        return Response(status_code=204)

def _operation(request: Request) -> str:
    """Vault's logical operation: LIST (or GET ?list=true) is list; POST and PUT write."""
    method = request.method
    if method == "LIST" or (method == "GET" and request.query_params.get("list") == "true"):
        return "list"
    return {"GET": "read", "DELETE": "delete"}.get(method, "update")

async def _json(request: Request) -> dict[str, Any] | None:
    """The request's JSON object ({} for no body), None when it is not one."""
    raw = await request.body()
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None

def _envelope(request_id: str, data: dict[str, Any] | None, auth: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"request_id": request_id, "lease_id": "", "renewable": False, "lease_duration": 0, "data": data,
            "wrap_info": None, "warnings": None, "auth": auth, "mount_type": "kv" if auth is None else ""}
