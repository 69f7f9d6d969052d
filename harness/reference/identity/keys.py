"""Identity's signing keys: RS256 with a `kid`, published as a JWKS like Keycloak's `certs` endpoint."""

from __future__ import annotations

import secrets
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


class SigningKey:
    def __init__(self) -> None:
        self.kid = secrets.token_urlsafe(16)
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwk(self) -> dict[str, Any]:
        public = RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {"kid": self.kid, "kty": "RSA", "alg": "RS256", "use": "sig", "n": public["n"], "e": public["e"]}

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.private_key, algorithm="RS256", headers={"kid": self.kid, "typ": "JWT"})


class KeyRing:
    """The active key signs; the JWKS lists only active keys, so a rotated-out key stops verifying."""

    def __init__(self) -> None:
        self.active = SigningKey()

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.active.jwk()]}

    def sign(self, claims: dict[str, Any]) -> str:
        return self.active.sign(claims)
