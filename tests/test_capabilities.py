"""Capabilities are asked for through one interface and refused, naming the capability, where the target
does not declare them (a check reaching that point is an error, never a pass)."""

from __future__ import annotations

import pytest

from harness import config
from harness.capabilities import CapabilityUnsupported
from harness.deployment import Stack
from harness.errors import UsageError

BARE = config.validate({"name": "bare", "identity": {
    "token_url": "https://id.example/token", "jwks_url": "https://id.example/certs", "issuer": "https://id.example",
    "admin_url": "https://id.example/admin", "admin_client": "admin"}})


@pytest.mark.parametrize(("accessor", "capability"), [
    ("token_minter", "mint_token"), ("tenant_grants", "grant_tenant"), ("tenant_assignments", "assign_tenant"),
    ("signing_keys", "rotate_signing_key"), ("secret_store", "rotate_secret"), ("services", "stop_service")])
def test_undeclared_capability_is_refused_by_name(accessor: str, capability: str) -> None:
    with pytest.raises(CapabilityUnsupported, match=f"capabilities: the target lacks {capability}"):
        getattr(Stack(BARE, {}).capabilities, accessor)()


def test_declared_stop_service_without_fault_controls_is_refused() -> None:
    target = BARE.model_copy(update={"capabilities": frozenset({"stop_service"})})
    with pytest.raises(CapabilityUnsupported, match="no fault controls"):
        Stack(target, {}).capabilities.services()


def test_declared_capability_gets_its_adapter() -> None:
    target = BARE.model_copy(update={"capabilities": frozenset({"mint_token"})})
    minter = Stack(target, {}).capabilities.token_minter()
    assert callable(minter.mint)


@pytest.mark.parametrize(("accessor", "capability", "field"), [
    ("tenant_grants", "grant_tenant", "identity.management_url"),
    ("tenant_assignments", "assign_tenant", "orchestration.users"),
    ("signing_keys", "rotate_signing_key", "identity.admin_url")])
def test_an_adapter_without_its_product_api_is_refused_naming_the_field(accessor: str, capability: str,
                                                                        field: str) -> None:
    """The adapters call the products' own admin APIs; a Target that names none cannot be driven."""
    identity = BARE.identity.model_copy(update={"admin_url": None})  # type: ignore[union-attr]
    target = BARE.model_copy(update={"capabilities": frozenset({capability}), "identity": identity})
    with pytest.raises(UsageError, match=field):
        getattr(Stack(target, {}).capabilities, accessor)()
