"""The forgery builders make exactly the token they are named for.

A forgery that is broken by accident (bad JSON where a valid header was meant, a signature over the wrong
bytes) is refused for the wrong reason and lets a weak verifier pass its check; these tests pin each
builder to the attack it stands for, and the registry to the checks that send it."""

from __future__ import annotations

import json
import re
import time

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import hashes, hmac, serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from harness.catalog import CHECKS
from harness.probes import jwt

KID = "genuine-kid"
# exp a day ahead: the module is collected long before a full suite reaches it.
CLAIMS = {"iss": "https://idp.example/realms/r", "aud": "zeebe-api", "sub": "service-account-zeebe",
          "azp": "zeebe", "exp": int(time.time()) + 86_400, "tenants": ["t1"]}


@pytest.fixture(scope="module")
def server_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def material(server_key: rsa.RSAPrivateKey) -> jwt.Material:
    token = pyjwt.encode(CLAIMS, server_key, algorithm="RS256", headers={"kid": KID})
    return jwt.Material(token, server_key.public_key())


def token_of(name: str, material: jwt.Material) -> str:
    authorization = jwt.FORGERIES[name].build(material).authorization
    assert authorization is not None and authorization.startswith("Bearer ")
    return authorization.removeprefix("Bearer ")


def hmac_ok(token: str, secret: bytes) -> bool:
    head, _, signature = token.rpartition(".")
    mac = hmac.HMAC(secret, hashes.SHA256())
    mac.update(head.encode())
    return jwt.b64url(mac.finalize()) == signature


def test_every_forgery_names_an_auth_check() -> None:
    """The registry is what the checks send (scenarios/auth/test_forgeries.py, test_malformed.py)."""
    wrong = {f.name: f.check for f in jwt.FORGERIES.values() if f.check not in CHECKS or CHECKS[f.check].scenario != "auth"}
    assert not wrong, f"forgeries naming no auth check: {wrong}"


@pytest.mark.parametrize("name", sorted(jwt.FORGERIES))
def test_forgery_is_not_the_genuine_token(name: str, material: jwt.Material) -> None:
    credential = jwt.FORGERIES[name].build(material)
    assert credential.authorization != f"Bearer {material.token}"


def test_presentation_forgeries(material: jwt.Material) -> None:
    assert jwt.FORGERIES["no_header"].build(material) == jwt.Credential(None)
    assert jwt.FORGERIES["empty_bearer"].build(material).authorization == "Bearer "
    assert jwt.FORGERIES["wrong_scheme"].build(material).authorization == f"Basic {material.token}"
    query = jwt.FORGERIES["query_string"].build(material)
    assert query.anonymous and query.query_token == material.token


def test_malformed_forgeries(material: jwt.Material) -> None:
    assert token_of("two_segments", material).count(".") == 1
    assert not re.fullmatch(r"[A-Za-z0-9_-]+", token_of("bad_base64", material).split(".")[1])
    with pytest.raises(json.JSONDecodeError):
        jwt.decode_part(token_of("bad_json", material).split(".")[1])
    assert len(token_of("oversized", material)) > jwt.OVERSIZED_BYTES


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_alg_none_variants(material: jwt.Material, alg: str) -> None:
    genuine_signature = material.token.split(".")[2]
    unsigned = token_of(f"alg_{alg}", material)
    signed = token_of(f"alg_{alg}_signed", material)
    assert jwt.split(unsigned)[0]["alg"] == alg and unsigned.endswith(".")
    assert jwt.split(signed)[0]["alg"] == alg and signed.endswith(f".{genuine_signature}")
    assert jwt.split(unsigned)[1] == CLAIMS


@pytest.mark.parametrize("name,encoding", [("hs256_public_key_pem", serialization.Encoding.PEM),
                                           ("hs256_public_key_der", serialization.Encoding.DER)])
def test_hs256_with_the_public_key(material: jwt.Material, name: str,
                                   encoding: serialization.Encoding) -> None:
    token = token_of(name, material)
    header, claims, _ = jwt.split(token)
    assert header == {"alg": "HS256", "kid": KID, "typ": "JWT"} and claims == CLAIMS
    assert hmac_ok(token, jwt.public_key_bytes(material.public_key, encoding))


def test_stripped_and_tampered_keep_the_genuine_header(material: jwt.Material) -> None:
    header, _, signature = material.token.split(".")
    assert token_of("signature_stripped", material) == material.token.rpartition(".")[0] + "."
    changed = {"tampered_audience": "aud", "tampered_subject": "sub", "tampered_permissions": "tenants",
               "tampered_expiry": "exp"}
    for name, claim in changed.items():
        token = token_of(name, material)
        assert token.startswith(f"{header}.") and token.endswith(f".{signature}"), name
        assert jwt.split(token)[1][claim] != CLAIMS[claim], name
        with pytest.raises(pyjwt.InvalidSignatureError):
            pyjwt.decode(token, material.public_key, algorithms=["RS256"], audience=CLAIMS["aud"])


@pytest.mark.parametrize("name,extra", [("unknown_kid", None), ("jku_attacker", "jku"),
                                        ("x5u_attacker", "x5u"), ("jwk_inline", "jwk")])
def test_attacker_signed_forgeries(material: jwt.Material, name: str, extra: str | None) -> None:
    token = token_of(name, material)
    header, claims, _ = jwt.split(token)
    assert header["kid"] == jwt.ATTACKER_KID and claims == CLAIMS
    assert extra is None or extra in header
    attacker = jwt.attacker_key().public_key()
    assert pyjwt.decode(token, attacker, algorithms=["RS256"], audience=CLAIMS["aud"]) == CLAIMS
    if extra == "jwk":
        assert pyjwt.PyJWK(header["jwk"]).key.public_numbers() == attacker.public_numbers()


def test_foreign_key_under_the_real_kid(material: jwt.Material) -> None:
    token = token_of("foreign_key_real_kid", material)
    assert jwt.split(token)[0]["kid"] == KID
    pyjwt.decode(token, jwt.attacker_key().public_key(), algorithms=["RS256"], audience=CLAIMS["aud"])
    with pytest.raises(pyjwt.InvalidSignatureError):
        pyjwt.decode(token, material.public_key, algorithms=["RS256"], audience=CLAIMS["aud"])


def test_kid_traversal_uses_an_empty_hmac_key(material: jwt.Material) -> None:
    token = token_of("kid_traversal", material)
    assert jwt.split(token)[0] == {"alg": "HS256", "kid": jwt.TRAVERSAL_KID, "typ": "JWT"}
    assert hmac_ok(token, b"")
