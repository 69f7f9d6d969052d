"""Keycloak's admin REST API as the Target's admin client: the adapters behind `rotate_signing_key` and
`mint_token` (harness.capabilities).

The admin credential is the Target's `identity.admin_client` (a confidential client with a service account
holding the realm-management roles `manage-realm` and `view-realm`), resolved from the environment like
every other credential; its bearer token is what Keycloak's admin API takes. The reference Identity serves
the same paths, so these adapters run unchanged against it and against a Keycloak test realm.

Key providers are realm components (keycloak/keycloak services/.../keys/GeneratedRsaKeyProviderFactory.java
`rsa-generated`, ImportedRsaKeyProviderFactory.java `rsa`, config `priority`, `enabled`, `active`,
`privateKey`); `GET /keys` tells which component holds which `kid` and which key signs.
"""

from __future__ import annotations

import re
import time
from typing import Any

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from harness.clients.oauth import TIMEOUT_S, fetch_token
from harness.deployment import Stack
from harness.errors import UsageError

KEY_PROVIDER = "org.keycloak.keys.KeyProvider"
# Above any signing key a realm is set up with (Keycloak's default is 100), so the new key signs.
ROTATION_PRIORITY_STEP = 100
# The minting provider's name carries its creation time; one a killed run left behind for longer than any
# run lasts is removed by the next run's minter.
MINT_PROVIDER = re.compile(r"harness-mint-(\d+)")
STALE_MINT_PROVIDER_S = 24 * 3600


class AdminSession:
    """Authenticated calls to one product admin API with the Target's admin client."""

    def __init__(self, stack: Stack, base_url: str | None, field: str) -> None:
        identity = stack.target.identity
        if identity is None or base_url is None or identity.admin_client is None:
            raise UsageError(f"identity.{field}: the target names no {field} (and identity.admin_client)")
        self.stack, self.base_url, self.admin_client = stack, base_url.rstrip("/"), identity.admin_client

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {fetch_token(self.stack, self.admin_client)}"}
        response = requests.request(method, f"{self.base_url}/{path}", headers=headers, verify=self.stack.verify,
                                    timeout=TIMEOUT_S, **kwargs)
        response.raise_for_status()
        return response


class KeycloakAdmin:
    """The realm's key provider components through Keycloak's admin REST API (`identity.admin_url`)."""

    def __init__(self, stack: Stack) -> None:
        self.session = AdminSession(stack, stack.target.identity.admin_url if stack.target.identity else None,
                                    "admin_url")

    def add_key_provider(self, provider_id: str, name: str, config: dict[str, str]) -> str:
        """A new key provider component; returns its id (the last segment of the 201's Location)."""
        body = {"name": name, "providerId": provider_id, "providerType": KEY_PROVIDER,
                "config": {key: [value] for key, value in config.items()}}
        return self.session.call("POST", "components", json=body).headers["Location"].rstrip("/").rsplit("/", 1)[1]

    def key_providers(self) -> list[dict[str, Any]]:
        return list(self.session.call("GET", "components", params={"type": KEY_PROVIDER}).json())

    def delete_component(self, component_id: str) -> None:
        self.session.call("DELETE", f"components/{component_id}")

    def keys(self) -> dict[str, Any]:
        """Keycloak's KeysMetadataRepresentation: `active` (algorithm -> kid) and `keys`."""
        return dict(self.session.call("GET", "keys").json())

    def kid_of(self, component_id: str) -> str:
        return next(str(key["kid"]) for key in self.keys()["keys"] if key["providerId"] == component_id)


class KeycloakSigningKeys:
    """Rotation as an operator does it in Keycloak: a new `rsa-generated` provider above the current
    signing key's priority, then the old provider deleted. Adding alone is no rotation: Keycloak keeps a
    lower-priority or passive key in the JWKS, and it keeps verifying."""

    def __init__(self, stack: Stack) -> None:
        self.admin = KeycloakAdmin(stack)

    def rotate(self) -> str:
        before = self.admin.keys()
        old_kid = before["active"]["RS256"]
        old = next(key for key in before["keys"] if key["kid"] == old_kid)
        priority = int(old["providerPriority"]) + ROTATION_PRIORITY_STEP
        new_id = self.admin.add_key_provider("rsa-generated", f"harness-rotated-{int(time.time())}",
                                             {"priority": str(priority), "enabled": "true", "active": "true",
                                              "algorithm": "RS256"})
        self.admin.delete_component(str(old["providerId"]))
        return self.admin.kid_of(new_id)


class KeycloakTokenMinter:
    """Tokens with chosen claims, signed by a key the realm publishes, without a private route.

    The first mint imports a key the harness generated as a *passive* `rsa` provider: Keycloak publishes it
    in the JWKS and it verifies like any realm key, but the realm never signs with it, so the deployment's
    own tokens are untouched. A minted token is a genuine token of the client (from the token endpoint) with
    `claims` overridden, re-signed with that key under the `kid` Keycloak gives it. Services learn of the
    new key within the target's stated `identity.key_rotation_s` (`learned_by`), which a check watches for
    with a minted token of genuine claims as its positive control. `close` deletes the provider (the stack
    does at the end of the session); the private key never leaves memory.
    """

    def __init__(self, stack: Stack) -> None:
        self.stack, self.admin = stack, KeycloakAdmin(stack)
        self._key: tuple[str, str, rsa.RSAPrivateKey] | None = None
        self._learned_by = 0.0

    def _signing_key(self) -> tuple[str, rsa.RSAPrivateKey]:
        if self._key is None:
            self._remove_stale_providers()
            private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption()).decode()
            component_id = self.admin.add_key_provider("rsa", f"harness-mint-{int(time.time())}", {
                "priority": "0", "enabled": "true", "active": "false", "algorithm": "RS256", "privateKey": pem})
            self._key = (component_id, self.admin.kid_of(component_id), private_key)
            identity = self.stack.target.identity
            self._learned_by = time.monotonic() + (identity.key_rotation_s if identity and identity.key_rotation_s
                                                   else 0)
        return self._key[1], self._key[2]

    def learned_by(self) -> float:
        """The time.monotonic() by which every service must trust the minting key (imported on first use)."""
        self._signing_key()
        return self._learned_by

    def _remove_stale_providers(self) -> None:
        """Minting providers a killed run left behind (README: "Capabilities on a real deployment")."""
        for provider in self.admin.key_providers():
            created = MINT_PROVIDER.fullmatch(str(provider.get("name")))
            if created and int(created.group(1)) < time.time() - STALE_MINT_PROVIDER_S:
                self.admin.delete_component(str(provider["id"]))

    def mint(self, claims: dict[str, Any], client: str) -> str:
        """A token genuinely signed by the issuer for the Target client, with `claims` overridden."""
        kid, private_key = self._signing_key()
        genuine = jwt.decode(fetch_token(self.stack, client), options={"verify_signature": False})
        return jwt.encode(genuine | claims, private_key, algorithm="RS256", headers={"kid": kid, "typ": "JWT"})

    def close(self) -> None:
        if self._key is not None:
            self.admin.delete_component(self._key[0])
            self._key = None
