"""Signature forgeries: only Identity's published keys, used as RS256, may verify a token."""

from __future__ import annotations

import pytest

from harness.probes import jwt
from harness.probes.endpoints import Endpoint
from harness.report.evidence import Evidence
from scenarios.auth import expect


@pytest.mark.check("AUTH-008")
@pytest.mark.parametrize("forgery", ["alg_None", "alg_None_signed", "alg_NONE", "alg_NONE_signed"])
def test_alg_none_case_variants(endpoint: Endpoint, material: jwt.Material, forgery: str,
                                evidence: Evidence) -> None:
    expect.forgery(endpoint, material, forgery, evidence)


@pytest.mark.check("AUTH-009")
@pytest.mark.parametrize("forgery", ["hs256_public_key_pem", "hs256_public_key_der"])
def test_hs256_key_confusion(endpoint: Endpoint, material: jwt.Material, forgery: str,
                             evidence: Evidence) -> None:
    expect.forgery(endpoint, material, forgery, evidence)


@pytest.mark.check("AUTH-010")
def test_signature_stripped(endpoint: Endpoint, material: jwt.Material, evidence: Evidence) -> None:
    expect.forgery(endpoint, material, "signature_stripped", evidence)


@pytest.mark.check("AUTH-011")
@pytest.mark.parametrize("forgery", ["tampered_audience", "tampered_subject", "tampered_permissions",
                                     "tampered_expiry"])
def test_tampered_claims(endpoint: Endpoint, material: jwt.Material, forgery: str,
                         evidence: Evidence) -> None:
    expect.forgery(endpoint, material, forgery, evidence)


@pytest.mark.check("AUTH-016")
def test_unknown_kid(endpoint: Endpoint, material: jwt.Material, evidence: Evidence) -> None:
    expect.forgery(endpoint, material, "unknown_kid", evidence)


@pytest.mark.check("AUTH-017")
def test_kid_traversal(endpoint: Endpoint, material: jwt.Material, evidence: Evidence) -> None:
    expect.forgery(endpoint, material, "kid_traversal", evidence)


@pytest.mark.check("AUTH-018")
def test_jku_header(endpoint: Endpoint, material: jwt.Material, evidence: Evidence) -> None:
    expect.forgery(endpoint, material, "jku_attacker", evidence)


@pytest.mark.check("AUTH-019")
def test_x5u_header(endpoint: Endpoint, material: jwt.Material, evidence: Evidence) -> None:
    expect.forgery(endpoint, material, "x5u_attacker", evidence)


@pytest.mark.check("AUTH-020")
def test_inline_jwk_header(endpoint: Endpoint, material: jwt.Material, evidence: Evidence) -> None:
    expect.forgery(endpoint, material, "jwk_inline", evidence)


@pytest.mark.check("AUTH-021")
def test_foreign_key_under_real_kid(endpoint: Endpoint, material: jwt.Material, evidence: Evidence) -> None:
    expect.forgery(endpoint, material, "foreign_key_real_kid", evidence)
