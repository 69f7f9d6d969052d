"""Identity's signing keys as Keycloak keeps them: key provider components of the realm.

Each key is a component (`providerType` org.keycloak.keys.KeyProvider) with `priority`, `enabled` and
`active` in its config: `rsa-generated` makes its own RSA key, `rsa` imports the PEM `privateKey` it is
given. As in Keycloak, the highest-priority enabled and active RS256 key signs; every enabled key, active or
passive, is published in the JWKS and verifies; only disabling or deleting a provider retires its key.
The `kid` is Keycloak's: the base64url SHA-256 of the public key's X.509 (SPKI) encoding.

Keys survive a restart of the service (stop/start is a fault the tenancy scenario injects): the ring is
saved as PEM in the service's state file, which only the harness user can read.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import uuid
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

KEY_PROVIDER = "org.keycloak.keys.KeyProvider"
GENERATED, IMPORTED = "rsa-generated", "rsa"
DEFAULT_PRIORITY = 100


class InvalidComponent(ValueError):
    """A component representation Keycloak would refuse (400), with its reason."""


def _pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def _load_pem(text: str) -> rsa.RSAPrivateKey:
    try:
        key = serialization.load_pem_private_key(text.encode(), password=None)
    except (ValueError, TypeError):
        raise InvalidComponent("Failed to decode private key") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise InvalidComponent("Failed to decode private key: not RSA")
    return key


def _flag(config: dict[str, list[str]], name: str) -> bool:
    values = config.get(name) or ["true"]
    if values[0] not in ("true", "false"):
        raise InvalidComponent(f"'{name}' should be 'true' or 'false'")
    return values[0] == "true"


def _priority(config: dict[str, list[str]]) -> int:
    value = (config.get("priority") or ["0"])[0]
    try:
        return int(value)
    except ValueError:
        raise InvalidComponent("'Priority' should be a number") from None


@dataclasses.dataclass
class KeyComponent:
    """One key provider component and its RSA key."""

    id: str
    name: str
    provider_id: str
    priority: int
    enabled: bool
    active: bool
    private_key: rsa.RSAPrivateKey = dataclasses.field(repr=False)

    @property
    def kid(self) -> str:
        spki = self.private_key.public_key().public_bytes(serialization.Encoding.DER,
                                                          serialization.PublicFormat.SubjectPublicKeyInfo)
        return base64.urlsafe_b64encode(hashlib.sha256(spki).digest()).rstrip(b"=").decode()

    @property
    def status(self) -> str:
        return "DISABLED" if not self.enabled else "ACTIVE" if self.active else "PASSIVE"

    def jwk(self) -> dict[str, Any]:
        public = RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {"kid": self.kid, "kty": "RSA", "alg": "RS256", "use": "sig", "n": public["n"], "e": public["e"]}

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.private_key, algorithm="RS256", headers={"kid": self.kid, "typ": "JWT"})

    def configure(self, config: dict[str, list[str]]) -> None:
        self.priority, self.enabled, self.active = _priority(config), _flag(config, "enabled"), _flag(config, "active")

    def representation(self, realm: str) -> dict[str, Any]:
        """Keycloak's ComponentRepresentation; a private key is a secret and never leaves."""
        return {"id": self.id, "name": self.name, "providerId": self.provider_id, "providerType": KEY_PROVIDER,
                "parentId": realm, "config": {"priority": [str(self.priority)], "enabled": [str(self.enabled).lower()],
                                              "active": [str(self.active).lower()], "algorithm": ["RS256"]}}

    def metadata(self) -> dict[str, Any]:
        """One entry of Keycloak's KeysMetadataRepresentation (`GET /admin/realms/{realm}/keys`)."""
        public = self.private_key.public_key().public_bytes(serialization.Encoding.DER,
                                                            serialization.PublicFormat.SubjectPublicKeyInfo)
        return {"providerId": self.id, "providerPriority": self.priority, "kid": self.kid, "status": self.status,
                "type": "RSA", "algorithm": "RS256", "use": "SIG", "publicKey": base64.b64encode(public).decode()}

    def to_state(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "provider_id": self.provider_id, "priority": self.priority,
                "enabled": self.enabled, "active": self.active, "pem": _pem(self.private_key)}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> KeyComponent:
        return cls(state["id"], state["name"], state["provider_id"], state["priority"], state["enabled"],
                   state["active"], _load_pem(state["pem"]))


class KeyRing:
    """The realm's key providers. `retain_retired` is weakness rotated_key_still_trusted: a disabled or
    deleted provider's key stays published (and so verifies), as if Identity only ever demoted keys."""

    def __init__(self, components: list[KeyComponent] | None = None, retired: list[KeyComponent] | None = None,
                 retain_retired: bool = False) -> None:
        self.components = {c.id: c for c in components or [self._new(GENERATED, "rsa-generated",
                                                                      {"priority": [str(DEFAULT_PRIORITY)]})]}
        self.retired = retired or []
        self.retain_retired = retain_retired

    @staticmethod
    def _new(provider_id: str, name: str, config: dict[str, list[str]]) -> KeyComponent:
        if provider_id == GENERATED:
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        elif provider_id == IMPORTED:
            key = _load_pem((config.get("privateKey") or [""])[0])
        else:
            raise InvalidComponent(f"unsupported key provider {provider_id!r} (this Identity has rsa-generated, rsa)")
        component = KeyComponent(str(uuid.uuid4()), name or provider_id, provider_id, 0, True, True, key)
        component.configure(config)
        return component

    def _retire(self, component: KeyComponent) -> None:
        if self.retain_retired:
            self.retired.append(component)

    def add(self, provider_id: str, name: str, config: dict[str, list[str]]) -> KeyComponent:
        component = self._new(provider_id, name, config)
        self.components[component.id] = component
        return component

    def update(self, component_id: str, config: dict[str, list[str]]) -> None:
        component = self.components[component_id]
        was_enabled = component.enabled
        component.configure(config)
        if was_enabled and not component.enabled:
            self._retire(component)

    def remove(self, component_id: str) -> None:
        component = self.components.pop(component_id)
        if component.enabled:
            self._retire(component)

    def _published(self) -> list[KeyComponent]:
        return [c for c in self.components.values() if c.enabled] + self.retired

    def jwks(self) -> dict[str, Any]:
        return {"keys": [key.jwk() for key in self._published()]}

    def signer(self) -> KeyComponent:
        """The highest-priority enabled, active key (Keycloak: no such key, no token)."""
        candidates = [c for c in self.components.values() if c.enabled and c.active]
        if not candidates:
            raise LookupError("the realm has no active RS256 key")
        return max(candidates, key=lambda c: c.priority)

    def sign(self, claims: dict[str, Any]) -> str:
        return self.signer().sign(claims)

    def public_key(self, kid: str) -> Any | None:
        return next((k.private_key.public_key() for k in self._published() if k.kid == kid), None)

    def metadata(self) -> dict[str, Any]:
        keys = [c.metadata() for c in self.components.values()]
        try:
            active = {"RS256": self.signer().kid}
        except LookupError:
            active = {}
        return {"active": active, "keys": keys}

    def to_state(self) -> dict[str, Any]:
        return {"components": [c.to_state() for c in self.components.values()],
                "retired": [c.to_state() for c in self.retired]}

    @classmethod
    def from_state(cls, state: dict[str, Any], retain_retired: bool = False) -> KeyRing:
        return cls([KeyComponent.from_state(entry) for entry in state["components"]],
                   [KeyComponent.from_state(entry) for entry in state["retired"]], retain_retired)
