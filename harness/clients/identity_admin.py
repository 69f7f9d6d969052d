"""Identity's admin API as the checks need it: grant or revoke a tenant, rotate the signing key.

These are the `grant_tenant` and `rotate_signing_key` capabilities of a Target; the admin credential is
the Target's `identity.admin_client`, resolved from the environment like every other credential.
"""

from __future__ import annotations

import urllib.parse

import requests

from harness.backends import Stack
from harness.clients.oauth import TIMEOUT_S, fetch_token
from harness.errors import UsageError


def _admin(stack: Stack, capability: str) -> tuple[str, dict[str, str], str | bool]:
    identity = stack.target.identity
    if capability not in stack.target.capabilities:
        raise UsageError(f"capabilities: the target lacks {capability}")
    if identity is None or identity.admin_url is None or identity.admin_client is None:
        raise UsageError("identity.admin_url: the target has no Identity admin API")
    headers = {"Authorization": f"Bearer {fetch_token(stack, identity.admin_client)}"}
    verify: str | bool = str(stack.target.ca_file) if stack.target.ca_file else True
    return identity.admin_url, headers, verify


def _tenant_url(admin_url: str, client_id: str, tenant: str) -> str:
    quoted = (urllib.parse.quote(part, safe="") for part in (client_id, tenant))
    return "{}/harness/clients/{}/tenants/{}".format(admin_url, *quoted)


def set_tenant_grant(stack: Stack, client: str, tenant: str, granted: bool) -> None:
    """Grant (or revoke) `tenant` for the Target client named `client`."""
    admin_url, headers, verify = _admin(stack, "grant_tenant")
    url = _tenant_url(admin_url, stack.credentials(client).client_id, tenant)
    response = (requests.put if granted else requests.delete)(url, headers=headers, verify=verify, timeout=TIMEOUT_S)
    response.raise_for_status()


def rotate_signing_key(stack: Stack) -> str:
    """Make Identity sign with a new key and retire the old one; returns the new `kid`."""
    admin_url, headers, verify = _admin(stack, "rotate_signing_key")
    response = requests.post(f"{admin_url}/harness/keys/rotate", headers=headers, verify=verify, timeout=TIMEOUT_S)
    response.raise_for_status()
    return str(response.json()["kid"])
