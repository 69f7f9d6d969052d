"""Identity's signing keys: RS256 with a `kid`, published as a JWKS like Keycloak's `certs` endpoint.

Keys survive a restart of the service (stop/start is a fault the tenancy scenario injects): the ring is
saved as PEM in the service's state file, which only the harness user can read.
"""

from __future__ import annotations

import secrets
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


class SigningKey:
    def __init__(self, kid: str | None = None, private_key: rsa.RSAPrivateKey | None = None) -> None:
        self.kid = kid or secrets.token_urlsafe(16)
        self.private_key = private_key or rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwk(self) -> dict[str, Any]:
        public = RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {"kid": self.kid, "kty": "RSA", "alg": "RS256", "use": "sig", "n": public["n"], "e": public["e"]}

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.private_key, algorithm="RS256", headers={"kid": self.kid, "typ": "JWT"})

    def to_state(self) -> dict[str, str]:
        pem = self.private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                             serialization.NoEncryption())
        return {"kid": self.kid, "pem": pem.decode()}

    @classmethod
    def from_state(cls, state: dict[str, str]) -> SigningKey:
        key = serialization.load_pem_private_key(state["pem"].encode(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise TypeError("state file: signing key is not RSA")
        return cls(state["kid"], key)


class KeyRing:
    """The active key signs; the JWKS lists the active key plus any key a rotation did not retire."""

    def __init__(self, active: SigningKey | None = None, published: list[SigningKey] | None = None) -> None:
        self.active = active or SigningKey()
        self.published = published or [self.active]

    def jwks(self) -> dict[str, Any]:
        return {"keys": [key.jwk() for key in self.published]}

    def sign(self, claims: dict[str, Any]) -> str:
        return self.active.sign(claims)

    def public_key(self, kid: str) -> Any | None:
        return next((k.private_key.public_key() for k in self.published if k.kid == kid), None)

    def rotate(self, retire_old: bool = True) -> str:
        """A new active key; the old one leaves the JWKS unless `retire_old` is False."""
        self.active = SigningKey()
        self.published = [self.active] + ([] if retire_old else self.published)
        return self.active.kid

    def to_state(self) -> dict[str, Any]:
        return {"active": self.active.kid, "keys": [key.to_state() for key in self.published]}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> KeyRing:
        keys = [SigningKey.from_state(entry) for entry in state["keys"]]
        active = next(key for key in keys if key.kid == state["active"])
        return cls(active, keys)
