"""Identity's admin API (tenant grants, key rotation), its `permissions` claim, and keys surviving a restart."""

from __future__ import annotations

import jwt
import requests

from harness.backends import Stack
from harness.clients.identity_admin import rotate_signing_key, set_tenant_grant
from harness.clients.oauth import fetch_token


def tenants_of(stack: Stack, client: str) -> list[str]:
    response = requests.get(stack.target.identity.issuer.split("/auth/")[0] + "/api/tenants",  # type: ignore[union-attr]
                            headers={"Authorization": f"Bearer {fetch_token(stack, client)}"},
                            verify=str(stack.target.ca_file), timeout=10)
    response.raise_for_status()
    return [tenant["tenantId"] for tenant in response.json()]


def jwks_kids(stack: Stack) -> set[str]:
    response = requests.get(stack.target.identity.jwks_url, verify=str(stack.target.ca_file), timeout=10)  # type: ignore[union-attr]
    return {key["kid"] for key in response.json()["keys"]}


def test_tokens_carry_permissions_for_their_audience(local_stack: Stack) -> None:
    claims = jwt.decode(fetch_token(local_stack, "bu_a"), options={"verify_signature": False})
    assert claims["permissions"] == {"zeebe-api": ["write:*"]}
    assert claims["azp"] == local_stack.credentials("bu_a").client_id


def test_grant_and_revoke_a_tenant(local_stack: Stack) -> None:
    assert tenants_of(local_stack, "bu_a") == ["tenant-a"]
    set_tenant_grant(local_stack, "bu_a", "tenant-c", granted=True)
    assert tenants_of(local_stack, "bu_a") == ["tenant-a", "tenant-c"]
    set_tenant_grant(local_stack, "bu_a", "tenant-c", granted=False)
    assert tenants_of(local_stack, "bu_a") == ["tenant-a"]


def test_admin_api_needs_the_admin_client(local_stack: Stack) -> None:
    url = f"{local_stack.target.identity.admin_url}/harness/keys/rotate"  # type: ignore[union-attr]
    verify = str(local_stack.target.ca_file)
    anonymous = requests.post(url, verify=verify, timeout=10)
    not_admin = requests.post(url, verify=verify, timeout=10,
                              headers={"Authorization": f"Bearer {fetch_token(local_stack, 'bu_a')}"})
    assert (anonymous.status_code, not_admin.status_code) == (401, 403)


def test_keys_survive_a_restart_and_rotation_retires_the_old_key(local_stack: Stack) -> None:
    assert local_stack.faults is not None
    before = jwks_kids(local_stack)
    local_stack.faults.stop("identity")
    local_stack.faults.start("identity")
    assert jwks_kids(local_stack) == before, "a restart keeps the signing keys, so issued tokens stay valid"
    new_kid = rotate_signing_key(local_stack)
    assert jwks_kids(local_stack) == {new_kid}
    assert jwt.get_unverified_header(fetch_token(local_stack))["kid"] == new_kid
