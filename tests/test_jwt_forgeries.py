"""The forgery builders make exactly the token they are named for.

A forgery that is broken by accident (bad JSON where a valid header was meant, a signature over the wrong
bytes) is refused for the wrong reason and lets a weak verifier pass its check; these tests pin each
builder to the attack it stands for, and the registry to the checks that send it."""

from __future__ import annotations

import base64
import json
import re
import time

import jwt as pyjwt
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, hmac, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from harness.catalog import CHECKS
from harness.probes import claims, jwt

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


@pytest.mark.parametrize("name,kid", [("kid_case", KID.upper()), ("kid_prefix", KID[:-1]),
                                      ("kid_suffixed", f"{KID}-attacker"), ("kid_absent", None), ("kid_empty", ""),
                                      ("kid_null", None), ("kid_array", [KID])])
def test_kid_near_misses_are_attacker_signed(material: jwt.Material, name: str, kid: object) -> None:
    token = token_of(name, material)
    header, claims, _ = jwt.split(token)
    assert header.get("kid") == kid and ("kid" in header) == (name != "kid_absent")
    assert header["alg"] == "RS256" and claims == CLAIMS
    signed = token.rpartition(".")[0].encode()
    signature = base64.urlsafe_b64decode(token.split(".")[2] + "==")
    jwt.attacker_key().public_key().verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
    with pytest.raises(InvalidSignature):
        material.public_key.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())


EXPECTED = claims.Expected("zeebe-api", "https://idp.example:8443/auth/realms/camunda-platform", 60)
NOW = 1_800_000_000


def test_claim_variants_name_the_claim_checks() -> None:
    """Each family is one check; positive controls are sent first."""
    families = {(variant.check, variant.claim) for variant in claims.CLAIM_VARIANTS.values()}
    assert families == {("AUTH-002", "exp"), ("AUTH-012", "nbf"), ("AUTH-013", "aud"), ("AUTH-014", "iss")}
    families = {check for check, _ in families}
    for check in families:
        verdicts = [variant.verdict for variant in claims.variants_of(check)]
        assert verdicts[0] == "accepted" and verdicts.count("accepted") == 1, check


def values(claim: str) -> dict[str, object]:
    return {name: variant.claims(EXPECTED, NOW)[claim] for name, variant in claims.CLAIM_VARIANTS.items()
            if claim in variant.claims(EXPECTED, NOW) and variant.check in ("AUTH-013", "AUTH-014")}


def test_audience_near_misses_are_close_but_not_ours() -> None:
    assert values("aud") == {
        "aud_foreign": "not-this-service", "aud_prefix": "zeebe-ap", "aud_suffixed": "zeebe-api-attacker",
        "aud_tail": "eebe-api", "aud_substring": "eebe-ap", "aud_containing": "xzeebe-api-attacker",
        "aud_case": "ZEEBE-API", "aud_array_foreign": ["not-this-service"], "aud_array_empty": [],
        "aud_array_with_ours": ["not-this-service", "zeebe-api"]}


def test_issuer_near_misses_keep_the_host_where_they_should() -> None:
    issuer = EXPECTED.issuer
    assert values("iss") == {
        "iss_foreign": claims.FOREIGN_ISSUER, "iss_trailing_slash": issuer + "/",
        "iss_other_realm": "https://idp.example:8443/auth/realms/master",
        "iss_scheme": "http://idp.example:8443/auth/realms/camunda-platform",
        "iss_prefix": issuer[:-1], "iss_suffixed": issuer + "-attacker", "iss_exact": issuer}


def test_validity_window_near_misses_are_just_past_the_stated_leeway() -> None:
    def claim(name: str, key: str) -> int:
        return int(claims.CLAIM_VARIANTS[name].claims(EXPECTED, NOW)[key])

    assert claim("exp_past_stated_leeway", "exp") == NOW - 60 - claims.MARGIN_S
    assert claim("exp_past_sane_leeway", "exp") == NOW - claims.SANE_LEEWAY_S - claims.MARGIN_S
    assert claim("exp_past_stated_leeway", "nbf") < claim("exp_past_stated_leeway", "exp")
    assert claim("nbf_past_stated_leeway", "nbf") == NOW + 60 + claims.MARGIN_S
    assert claim("exp_soon", "exp") > NOW and claim("nbf_just_past", "nbf") < NOW
