"""Identity's admin APIs as Keycloak and Camunda Management Identity serve them, the capability adapters that
drive them (harness.clients.keycloak_admin, harness.clients.camunda_identity), and keys surviving a restart."""

from __future__ import annotations

import time

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from harness.clients.keycloak_admin import KeycloakAdmin
from harness.clients.oauth import fetch_token
from harness.deployment import Stack
from harness.reference.identity.app import IdentityApp


def tenants_of(stack: Stack, client: str) -> list[str]:
    response = requests.get(stack.target.identity.issuer.split("/auth/")[0] + "/api/tenants",  # type: ignore[union-attr]
                            headers={"Authorization": f"Bearer {fetch_token(stack, client)}"},
                            verify=str(stack.target.ca_file), timeout=10)
    response.raise_for_status()
    return [tenant["tenantId"] for tenant in response.json()]


def jwks_kids(stack: Stack) -> set[str]:
    response = requests.get(stack.target.identity.jwks_url, verify=str(stack.target.ca_file), timeout=10)  # type: ignore[union-attr]
    return {key["kid"] for key in response.json()["keys"]}


def verifies(stack: Stack, token: str) -> bool:
    """Whether the token's signature checks out against the key its kid names in the published JWKS."""
    ssl = __import__("ssl").create_default_context(cafile=str(stack.target.ca_file))
    try:
        key = jwt.PyJWKClient(stack.target.identity.jwks_url, ssl_context=ssl).get_signing_key_from_jwt(token)  # type: ignore[union-attr]
    except jwt.PyJWKClientError:
        return False
    return bool(jwt.decode(token, key, algorithms=["RS256"], options={"verify_aud": False}))


@pytest.fixture
def admin(local_stack: Stack) -> KeycloakAdmin:
    return KeycloakAdmin(local_stack)


def test_tokens_carry_permissions_for_their_audiences(local_stack: Stack) -> None:
    """A business unit's client holds the gateway's and Operate's audiences, never Optimize's public API's
    (that API applies no tenant rules, TEN-011)."""
    claims = jwt.decode(fetch_token(local_stack, "bu_a"), options={"verify_signature": False})
    assert claims["permissions"] == {audience: ["write:*"] for audience in ("zeebe-api", "operate-api")}
    assert claims["azp"] == local_stack.credentials("bu_a").client_id


def test_no_harness_private_route_remains() -> None:
    """The capability adapters use the products' own paths only (issue 16, item 8)."""
    app = IdentityApp({"issuer": "https://identity.test/auth/realms/camunda-platform", "clients": {}})
    paths = [str(getattr(route, "path", "")) for route in app.app.routes]
    assert paths and not [path for path in paths if "/harness" in path]


def test_tenant_grants_through_identity_applications(local_stack: Stack) -> None:
    """Grants are applications assigned to tenants on Management Identity's tenant API; the adapter is a
    no-op where the grant already is as asked."""
    grants = local_stack.capabilities.tenant_grants()
    assert tenants_of(local_stack, "bu_a") == ["tenant-a"]
    grants.set_grant("bu_a", "tenant-b", granted=True)
    grants.set_grant("bu_a", "tenant-b", granted=True)
    assert tenants_of(local_stack, "bu_a") == ["tenant-a", "tenant-b"]
    grants.set_grant("bu_a", "tenant-b", granted=False)
    grants.set_grant("bu_a", "tenant-b", granted=False)
    assert tenants_of(local_stack, "bu_a") == ["tenant-a"]


@pytest.mark.parametrize("path", ["components", "keys", "clients"])
def test_admin_api_needs_the_admin_client(local_stack: Stack, path: str) -> None:
    url = f"{local_stack.target.identity.admin_url}/{path}"  # type: ignore[union-attr]
    verify = str(local_stack.target.ca_file)
    anonymous = requests.get(url, verify=verify, timeout=10)
    not_admin = requests.get(url, verify=verify, timeout=10,
                             headers={"Authorization": f"Bearer {fetch_token(local_stack, 'bu_a')}"})
    assert (anonymous.status_code, not_admin.status_code) == (401, 403)


def test_a_passive_key_stays_published_and_verifies_until_disabled(local_stack: Stack, admin: KeycloakAdmin) -> None:
    """Keycloak publishes every enabled key, active or passive (keycloak/keycloak services/src/main/java/org/
    keycloak/protocol/oidc/OIDCLoginProtocolService.java `certs()`: `k.getStatus().isEnabled()`), and signs
    with the highest-priority active one; an imported `rsa` provider (ImportedRsaKeyProviderFactory, config
    `privateKey`) gets the kid KeyUtils.createKeyId gives: base64url SHA-256 of the public key's encoding."""
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
    component = admin.add_key_provider("rsa", "passive-test", {"priority": "500", "active": "false", "privateKey": pem})
    kid = admin.kid_of(component)
    token = jwt.encode({"sub": "x"}, private_key, algorithm="RS256", headers={"kid": kid})
    try:
        assert kid in jwks_kids(local_stack) and verifies(local_stack, token)
        assert jwt.get_unverified_header(fetch_token(local_stack))["kid"] != kid, "a passive key never signs"
        representation = admin.session.call("GET", f"components/{component}").json()
        assert "privateKey" not in representation["config"]
        representation["config"]["enabled"] = ["false"]
        admin.session.call("PUT", f"components/{component}", json=representation)
        assert kid not in jwks_kids(local_stack) and not verifies(local_stack, token)
    finally:
        admin.delete_component(component)
    missing = requests.get(f"{local_stack.target.identity.admin_url}/components/{component}",  # type: ignore[union-attr]
                           headers={"Authorization": f"Bearer {fetch_token(local_stack, 'admin')}"},
                           verify=str(local_stack.target.ca_file), timeout=10)
    assert missing.status_code == 404


def test_minted_tokens_use_an_imported_passive_key_deleted_at_close(local_stack: Stack, admin: KeycloakAdmin) -> None:
    """The minter imports a passive key, removes the one a killed run left a day ago, and deletes its own at
    the end of the session; a minted token is a genuine token of the client with the chosen claims."""
    leftover = admin.add_key_provider("rsa-generated", "harness-mint-1", {"active": "false"})
    recent = admin.add_key_provider("rsa-generated", f"harness-mint-{int(time.time())}", {"active": "false"})
    minter = local_stack.capabilities.token_minter()
    token = minter.mint({"exp": 1}, "bu_a")
    header, claims = jwt.get_unverified_header(token), jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] == 1 and claims["azp"] == local_stack.credentials("bu_a").client_id
    status = {key["kid"]: key["status"] for key in admin.keys()["keys"]}
    assert status[header["kid"]] == "PASSIVE"
    names = {provider["id"] for provider in admin.key_providers()}
    assert leftover not in names and recent in names, "only a day-old minting provider is stale"
    admin.delete_component(recent)
    local_stack.capabilities.close()
    assert header["kid"] not in jwks_kids(local_stack)


def test_keys_survive_a_restart_and_rotation_retires_the_old_key(local_stack: Stack) -> None:
    assert local_stack.faults is not None
    before = jwks_kids(local_stack)
    old_token = fetch_token(local_stack)
    local_stack.faults.stop("identity")
    local_stack.faults.start("identity")
    assert jwks_kids(local_stack) == before, "a restart keeps the signing keys, so issued tokens stay valid"
    new_kid = local_stack.capabilities.signing_keys().rotate()
    assert new_kid in jwks_kids(local_stack) and not before & jwks_kids(local_stack)
    assert jwt.get_unverified_header(fetch_token(local_stack))["kid"] == new_kid
    assert not verifies(local_stack, old_token)


def test_admin_paths_are_authenticated_before_they_are_resolved(local_stack: Stack) -> None:
    """Keycloak's AdminRoot authenticates the caller before it resolves any admin resource
    (keycloak/keycloak services/src/main/java/org/keycloak/services/resources/admin/AdminRoot.java,
    `getRealmsAdmin` calls `authenticateRealmAdminRequest` first): a resource the emulator lacks is 401
    anonymous, 403 without the admin role and 404 for an admin. Every answer carries Keycloak's REST
    security headers (services/src/main/java/org/keycloak/headers/DefaultSecurityHeadersProvider.java,
    `addRestHeaders`)."""
    url = f"{local_stack.target.identity.admin_url}/users"  # type: ignore[union-attr]
    answers = [requests.get(url, verify=str(local_stack.target.ca_file), timeout=10,
                            headers={"Authorization": f"Bearer {fetch_token(local_stack, client)}"} if client else {})
               for client in (None, "bu_a", local_stack.target.identity.admin_client)]  # type: ignore[union-attr]
    assert [answer.status_code for answer in answers] == [401, 403, 404]
    for answer in answers:
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
