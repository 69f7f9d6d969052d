"""OAuth2 client credentials against Identity (Keycloak-style), through requests-oauthlib."""

from __future__ import annotations

import requests
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt.algorithms import RSAAlgorithm
from oauthlib.oauth2 import BackendApplicationClient
from requests_oauthlib import OAuth2Session

from harness.deployment import Stack
from harness.errors import UsageError

TIMEOUT_S = 10


def fetch_token(stack: Stack, client: str = "default", audience: str | None = None) -> str:
    """A fresh access token for `client`, for `audience` or else the audience the target gives the client
    (one client may call several services, e.g. the gateway and Optimize, each with its own audience)."""
    identity = stack.target.identity
    if identity is None:
        raise UsageError("identity: the target has no identity section, so no token can be fetched")
    credentials = stack.credentials(client)
    session = OAuth2Session(client=BackendApplicationClient(client_id=credentials.client_id))
    token = session.fetch_token(token_url=identity.token_url, client_id=credentials.client_id,
                                client_secret=credentials.client_secret.get_secret_value(),
                                audience=audience or stack.target.clients[client].audience,
                                include_client_id=True, verify=stack.verify, timeout=TIMEOUT_S)
    return str(token["access_token"])


def published_key(stack: Stack, kid: str) -> RSAPublicKey:
    """The RSA public key Identity publishes under `kid` in its JWKS: what any attacker can fetch too."""
    identity = stack.target.identity
    if identity is None:
        raise UsageError("identity: the target has no identity section, so it publishes no keys")
    response = requests.get(identity.jwks_url, timeout=TIMEOUT_S, verify=stack.verify)
    response.raise_for_status()
    for jwk in response.json().get("keys", []):
        if jwk.get("kid") == kid and jwk.get("kty") == "RSA":
            key = RSAAlgorithm.from_jwk(jwk)
            if isinstance(key, RSAPublicKey):
                return key
    raise UsageError(f"identity.jwks_url: no RSA public key with the kid of a freshly issued token ({kid!r})")
