"""OAuth2 client credentials against Identity (Keycloak-style), through requests-oauthlib."""

from __future__ import annotations

from typing import Any

import requests
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt.algorithms import RSAAlgorithm
from oauthlib.oauth2 import BackendApplicationClient
from requests_oauthlib import OAuth2Session

from harness.backends import Stack
from harness.errors import UsageError

TIMEOUT_S = 10


def _verify(stack: Stack) -> str | bool:
    return str(stack.target.ca_file) if stack.target.ca_file else True


def fetch_token(stack: Stack, client: str = "default", audience: str | None = None) -> str:
    """A fresh access token for `client`, for `audience` or else the one the target gives the client."""
    identity = stack.target.identity
    if identity is None:
        raise UsageError("identity: the target has no identity section, so no token can be fetched")
    credentials = stack.credentials(client)
    session = OAuth2Session(client=BackendApplicationClient(client_id=credentials.client_id))
    token = session.fetch_token(token_url=identity.token_url, client_id=credentials.client_id,
                                client_secret=credentials.client_secret.get_secret_value(),
                                audience=audience or stack.target.clients[client].audience,
                                include_client_id=True, verify=_verify(stack), timeout=TIMEOUT_S)
    return str(token["access_token"])


def mint_token(stack: Stack, claims: dict[str, Any], client: str = "default") -> str:
    """A token genuinely signed by Identity with `claims` overridden (the `mint_token` capability)."""
    identity = stack.target.identity
    if identity is None or identity.admin_url is None or identity.admin_client is None:
        raise UsageError("identity.admin_url: the target has no Identity admin API to mint tokens with")
    admin_token = fetch_token(stack, identity.admin_client)
    response = requests.post(f"{identity.admin_url}/harness/tokens", timeout=TIMEOUT_S, verify=_verify(stack),
                             headers={"Authorization": f"Bearer {admin_token}"},
                             json={"client_id": stack.credentials(client).client_id, "claims": claims})
    response.raise_for_status()
    return str(response.json()["access_token"])


def published_key(stack: Stack, kid: str) -> RSAPublicKey:
    """The RSA public key Identity publishes under `kid` in its JWKS: what any attacker can fetch too."""
    identity = stack.target.identity
    if identity is None:
        raise UsageError("identity: the target has no identity section, so it publishes no keys")
    response = requests.get(identity.jwks_url, timeout=TIMEOUT_S, verify=_verify(stack))
    response.raise_for_status()
    for jwk in response.json().get("keys", []):
        if jwk.get("kid") == kid and jwk.get("kty") == "RSA":
            key = RSAAlgorithm.from_jwk(jwk)
            if isinstance(key, RSAPublicKey):
                return key
    raise UsageError(f"identity.jwks_url: no RSA public key with the kid of a freshly issued token ({kid!r})")
