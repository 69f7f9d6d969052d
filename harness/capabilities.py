"""What the harness can do *to* a target, behind one interface, whatever product answers.

A check asks `stack.capabilities` to mint a token, grant a tenant, rotate a signing key or a secret, or
stop a service; it never knows which API does it. Each capability is a small Protocol, and an adapter per
product implements it through that product's own API, so the same adapter drives the reference stack and a
real deployment (the reference services serve the products' paths; there is no harness-private route):

- `rotate_signing_key`: Keycloak's admin REST API (clients/keycloak_admin.py): a new `rsa-generated` key
  provider above the signing key's priority, then the old provider deleted. Keycloak keeps a passive or
  lower-priority key published and verifying, so only the deletion retires it.
- `mint_token`: Keycloak's admin REST API too. Keycloak has no endpoint that signs chosen claims, so the
  adapter imports a key it generated as a passive `rsa` provider (published, verifying, never signing the
  realm's own tokens), re-signs genuine tokens of the client with chosen claims under that key's `kid`,
  and deletes the provider when the session ends. Chosen over the other product-only routes (a client
  with a short `access.token.lifespan` for an expired token, a second realm for a foreign issuer): one
  mechanism gives every claim a check needs (expired, not yet valid, another audience or issuer) at once,
  without waiting for tokens to expire nor creating realms, and the token's signature is the realm's in
  the sense that matters: a key the realm publishes. Checks whose premise the realm itself would never
  issue (`nbf` in the future: Keycloak sets none) still judge the verifier, which must refuse it.
- `grant_tenant`: Camunda Management Identity's tenant API (clients/camunda_identity.py): applications
  assigned to tenants (8.3-8.7, and Optimize's tenants on 8.8+).
- `assign_tenant`: the Orchestration Cluster's own tenant API (clients/cluster_tenants.py), Camunda 8.8+:
  users and clients assigned to the cluster's tenants.
- `provision_cast`: the Orchestration Cluster's users, authorizations and tenants APIs
  (clients/cluster_cast.py), Camunda 8.8+: the authz and tenancy checks' users created with exactly their
  grants when the deployment comes up (Stack.with_cast) and deleted when it closes.
- `rotate_secret`: Vault's KV v2 through hvac; `stop_service`: the backend's fault controls.

A capability the target does not declare raises CapabilityUnsupported. Checks declare their needs
(harness.needs), so the plugin skips them before they get here; reaching it is a harness defect or a
misconfigured target, and it shows as an error, never a pass.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, Protocol

from harness.errors import UsageError

if TYPE_CHECKING:
    from harness.clients.keycloak_admin import KeycloakTokenMinter
    from harness.deployment import FaultControls, Stack


class CapabilityUnsupported(UsageError):
    """The target does not offer the capability a check asked for."""


class TokenMinter(Protocol):
    def mint(self, claims: dict[str, Any], client: str) -> str:
        """A token genuinely signed by the issuer for the Target client, with `claims` overridden."""

    def learned_by(self) -> float:
        """The time.monotonic() by which the target's services must trust the minting key."""


class TenantGrants(Protocol):
    def set_grant(self, client: str, tenant: str, granted: bool) -> None:
        """Grant or revoke `tenant` for the Target client named `client`."""


class TenantAssignments(Protocol):
    def set_assignment(self, kind: Literal["users", "clients"], member: str, tenant: str, assigned: bool) -> None:
        """Assign or unassign the cluster's user or client `member` to `tenant`."""


class SigningKeys(Protocol):
    def rotate(self) -> str:
        """Sign with a new key and retire the old one; returns the new key's `kid`."""


class SecretStore(Protocol):
    def read(self, path: str) -> dict[str, Any]: ...

    def write(self, path: str, data: dict[str, Any]) -> None:
        """A new version of the secret at `path` (KV v2 under the target's mount)."""


class VaultKv:
    """Vault's KV v2 as its operator (vault.admin_token_env), through hvac."""

    def __init__(self, stack: Stack) -> None:
        vault = stack.target.vault
        if vault is None:
            raise CapabilityUnsupported("vault: the target declares no Vault to rotate secrets in")
        self.mount = vault.mount
        self.client = stack.vault_operator()

    def read(self, path: str) -> dict[str, Any]:
        answer = self.client.secrets.kv.v2.read_secret_version(path, mount_point=self.mount,
                                                               raise_on_deleted_version=True)
        return dict(answer["data"]["data"])

    def write(self, path: str, data: dict[str, Any]) -> None:
        self.client.secrets.kv.v2.create_or_update_secret(path, data, mount_point=self.mount)


class Capabilities:
    """The capabilities of one deployment: each checked against the Target's declaration, then handed to
    the adapter for the product the Target names."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self._minter: KeycloakTokenMinter | None = None

    def close(self) -> None:
        """Undo what the capabilities left in the target (the minter's imported key)."""
        if self._minter is not None:
            self._minter.close()
            self._minter = None

    def _require(self, name: str) -> None:
        if name not in self.stack.target.capabilities:
            raise CapabilityUnsupported(f"capabilities: the target lacks {name}")

    def token_minter(self) -> TokenMinter:
        """One minter per deployment: its imported key is created once and deleted by `close`."""
        from harness.clients.keycloak_admin import KeycloakTokenMinter

        self._require("mint_token")
        if self._minter is None:
            self._minter = KeycloakTokenMinter(self.stack)
        return self._minter

    def tenant_grants(self) -> TenantGrants:
        from harness.clients.camunda_identity import IdentityTenantGrants

        self._require("grant_tenant")
        return IdentityTenantGrants(self.stack)

    def tenant_assignments(self) -> TenantAssignments:
        from harness.clients.cluster_tenants import ClusterTenantAssignments

        self._require("assign_tenant")
        return ClusterTenantAssignments(self.stack)

    def signing_keys(self) -> SigningKeys:
        from harness.clients.keycloak_admin import KeycloakSigningKeys

        self._require("rotate_signing_key")
        return KeycloakSigningKeys(self.stack)

    def secret_store(self) -> SecretStore:
        self._require("rotate_secret")
        return VaultKv(self.stack)

    def services(self) -> FaultControls:
        """Stop, start, pause or isolate a service of the deployment."""
        self._require("stop_service")
        if self.stack.faults is None:
            raise CapabilityUnsupported("capabilities: stop_service is declared, but this backend has no "
                                        "fault controls for the target")
        return self.stack.faults
