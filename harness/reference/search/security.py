"""Elasticsearch's security layer as clients meet it: HTTP basic auth, API keys, and the 401 it answers.

The `elastic` superuser's password comes from the service's config (0600, written by the stack with a
fresh secret) and is never logged. API keys are kept as (id -> key digest); `encoded` is
base64(id:api_key), exactly what `Authorization: ApiKey` carries. A request without credentials is refused
with Elasticsearch 8's security_exception and its three WWW-Authenticate challenges, unless the profile has
`search_anonymous` (as if `xpack.security.authc.anonymous` granted roles): then it is served as anonymous.
Wrong credentials are refused either way.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Any

from harness.reference import basic_auth
from harness.reference.search.store import SearchError

SUPERUSER = "elastic"
ANONYMOUS = "_anonymous"
# Elasticsearch 8 with TLS on HTTP: basic realm, token service and API key service each add a challenge.
CHALLENGES = ('Basic realm="security" charset="UTF-8"', 'Bearer realm="security"', "ApiKey")


class AuthenticationError(SearchError):
    def __init__(self, reason: str) -> None:
        super().__init__(401, "security_exception", reason, header={"WWW-Authenticate": list(CHALLENGES)})


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


class Security:
    def __init__(self, password: str, allow_anonymous: bool) -> None:
        self._password_digest = _digest(password)
        self._allow_anonymous = allow_anonymous
        self._api_keys: dict[str, tuple[str, bytes]] = {}

    def authenticate(self, authorization: str | None, uri: str) -> str:
        """The authenticated principal's name, or AuthenticationError with Elasticsearch's reason."""
        if not authorization:
            if self._allow_anonymous:
                return ANONYMOUS
            raise AuthenticationError(f"missing authentication credentials for REST request [{uri}]")
        scheme, _, value = authorization.partition(" ")
        decoded = basic_auth.decoded(value)
        if scheme.lower() == "basic" and decoded is not None:
            user, _, password = decoded.partition(":")
            if user == SUPERUSER and hmac.compare_digest(_digest(password), self._password_digest):
                return SUPERUSER
            raise AuthenticationError(f"unable to authenticate user [{user}] for REST request [{uri}]")
        if scheme.lower() == "apikey" and decoded is not None:
            key_id, _, key = decoded.partition(":")
            owner_and_digest = self._api_keys.get(key_id)
            if owner_and_digest is not None and hmac.compare_digest(_digest(key), owner_and_digest[1]):
                return owner_and_digest[0]
        raise AuthenticationError("unable to authenticate with provided credentials and anonymous access "
                                  "is not allowed for this request")

    def create_api_key(self, owner: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST /_security/api_key: the key is shown once; only its digest stays."""
        name = body.get("name")
        if not isinstance(name, str) or not name:
            raise SearchError(400, "action_request_validation_exception",
                              "Validation Failed: 1: api key name is required;")
        key_id, key = secrets.token_urlsafe(15), secrets.token_urlsafe(16)
        self._api_keys[key_id] = (owner, _digest(key))
        return {"id": key_id, "name": name, "api_key": key,
                "encoded": base64.b64encode(f"{key_id}:{key}".encode()).decode()}
