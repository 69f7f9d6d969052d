"""JWT forgeries, built by hand from a genuine token: libraries refuse to produce most of them.

Each forgery is one small named builder that turns `Material` (a genuine token plus the server's published
signing key) into a `Credential` (what goes into the Authorization header, or the query string). `FORGERIES`
is the registry checks parametrize over; tokens with chosen but genuinely signed claims (expired, not yet
valid, wrong audience or issuer) cannot be forged and come from the target's `mint_token` capability instead.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import json
import time
from collections.abc import Callable
from typing import Any, Literal

from cryptography.hazmat.primitives import hashes, hmac, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from jwt.algorithms import RSAAlgorithm

OVERSIZED_BYTES = 64 * 1024
# A key id that walks out of a key directory to a file whose content (nothing) becomes the HMAC key.
TRAVERSAL_KID = "../../../../dev/null"
# Where an attacker would publish keys; a verifier must never fetch it (nothing listens on port 9).
ATTACKER_KEYS_URL = "https://127.0.0.1:9/attacker/jwks.json"
ATTACKER_KID = "attacker-key"
ATTACKER_CERT_URL = "https://127.0.0.1:9/attacker/cert.pem"
NOT_JSON = b'{"sub": '
TAMPERED_LIFETIME_S = 365 * 24 * 3600


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_json(value: dict[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def decode_part(segment: str) -> dict[str, Any]:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def split(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    """(header, claims, signature) of a compact JWS."""
    header, claims, signature = token.split(".")
    return decode_part(header), decode_part(claims), signature


def audiences(token: str) -> list[str]:
    """The `aud` of a token as a list: Keycloak writes one audience as a string, several as an array."""
    aud = split(token)[1].get("aud")
    return [str(a) for a in aud] if isinstance(aud, list) else [] if aud is None else [str(aud)]


@dataclasses.dataclass(frozen=True)
class Material:
    """What an attacker has: one genuine token and the public key that verifies it (from the JWKS).

    The token stays out of repr, so a failing check's traceback never prints it."""

    token: str = dataclasses.field(repr=False)
    public_key: rsa.RSAPublicKey = dataclasses.field(repr=False)


@dataclasses.dataclass(frozen=True)
class Credential:
    """How a request presents a token: the Authorization header value (None: no header) and
    `?access_token=` (None: no query parameter)."""

    authorization: str | None = dataclasses.field(repr=False)
    query_token: str | None = dataclasses.field(default=None, repr=False)

    @property
    def anonymous(self) -> bool:
        """No Authorization header: the request must be treated as not authenticated at all."""
        return self.authorization is None


def bearer(token: str) -> Credential:
    return Credential(f"Bearer {token}")


@functools.cache
def attacker_key() -> rsa.RSAPrivateKey:
    """One RSA key per process that the target has never seen."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def attacker_jwk() -> dict[str, Any]:
    public = RSAAlgorithm.to_jwk(attacker_key().public_key(), as_dict=True)
    return {"kty": "RSA", "kid": ATTACKER_KID, "use": "sig", "alg": "RS256",
            "n": public["n"], "e": public["e"]}


def signing_input(header: dict[str, Any], claims: dict[str, Any]) -> str:
    return f"{b64url_json(header)}.{b64url_json(claims)}"


def sign_rs256(header: dict[str, Any], claims: dict[str, Any], key: rsa.RSAPrivateKey) -> str:
    head = signing_input({**header, "alg": "RS256"}, claims)
    return f"{head}.{b64url(key.sign(head.encode(), padding.PKCS1v15(), hashes.SHA256()))}"


def sign_hs256(header: dict[str, Any], claims: dict[str, Any], secret: bytes) -> str:
    head = signing_input({**header, "alg": "HS256"}, claims)
    mac = hmac.HMAC(secret, hashes.SHA256())
    mac.update(head.encode())
    return f"{head}.{b64url(mac.finalize())}"


def public_key_bytes(key: rsa.RSAPublicKey, encoding: serialization.Encoding) -> bytes:
    return key.public_bytes(encoding, serialization.PublicFormat.SubjectPublicKeyInfo)


# --- how the token is presented ---------------------------------------------------------------------

def no_header(material: Material) -> Credential:
    return Credential(None)


def empty_bearer(material: Material) -> Credential:
    return Credential("Bearer ")


def wrong_scheme(material: Material) -> Credential:
    """The genuine token under the Basic scheme: only `Bearer` carries an access token (RFC 6750)."""
    return Credential(f"Basic {material.token}")


def query_string(material: Material) -> Credential:
    """The genuine token as `?access_token=` with no header: URLs end up in logs (ASVS 13.1.3)."""
    return Credential(None, query_token=material.token)


# --- malformed ----------------------------------------------------------------------------------------

def two_segments(material: Material) -> Credential:
    header, claims, _ = material.token.split(".")
    return bearer(f"{header}.{claims}")


def bad_base64(material: Material) -> Credential:
    header, claims, signature = material.token.split(".")
    return bearer(f"{header}.*{claims}*.{signature}")


def bad_json(material: Material) -> Credential:
    header, _, signature = material.token.split(".")
    return bearer(f"{header}.{b64url(NOT_JSON)}.{signature}")


def oversized(material: Material) -> Credential:
    """The genuine claims padded to 64 KiB under the old signature: header limits must hold."""
    header, claims, signature = split(material.token)
    padded = {**claims, "padding": "A" * OVERSIZED_BYTES}
    return bearer(f"{signing_input(header, padded)}.{signature}")


# --- alg none -----------------------------------------------------------------------------------------

def alg_none(genuine: str, alg: str = "none", keep_signature: bool = False) -> str:
    """The genuine token's claims under `alg: <alg>`, unsigned or with the old signature left in place."""
    _, claims, signature = split(genuine)
    head = signing_input({"alg": alg, "typ": "JWT"}, claims)
    return f"{head}.{signature if keep_signature else ''}"


def _alg_none_builder(alg: str, keep_signature: bool) -> Callable[[Material], Credential]:
    return lambda material: bearer(alg_none(material.token, alg, keep_signature))


# --- HS256 signed with the server's public key -----------------------------------------------------------

def _hs256_public_key(encoding: serialization.Encoding) -> Callable[[Material], Credential]:
    """HS256 over the genuine header and claims, the server's RSA public key (SPKI) as the secret."""
    def build(material: Material) -> Credential:
        header, claims, _ = split(material.token)
        return bearer(sign_hs256(header, claims, public_key_bytes(material.public_key, encoding)))
    return build


# --- signature and payload ------------------------------------------------------------------------------

def signature_stripped(material: Material) -> Credential:
    header, claims, _ = material.token.split(".")
    return bearer(f"{header}.{claims}.")


def _tampered(change: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[[Material], Credential]:
    """Claims changed, header and signature of the genuine token kept."""
    def build(material: Material) -> Credential:
        header, claims, signature = material.token.split(".")
        return bearer(f"{header}.{b64url_json(change(decode_part(claims)))}.{signature}")
    return build


def _more_audiences(claims: dict[str, Any]) -> dict[str, Any]:
    audiences = claims["aud"] if isinstance(claims.get("aud"), list) else [claims.get("aud")]
    return {**claims, "aud": [*audiences, "camunda-identity-resource-server", "optimize-api"]}


def _other_subject(claims: dict[str, Any]) -> dict[str, Any]:
    return {**claims, "sub": "service-account-admin", "azp": "admin"}


def _more_permissions(claims: dict[str, Any]) -> dict[str, Any]:
    return {**claims, "scope": "openid write:* admin", "permissions": ["write:*", "admin"],
            "tenants": [*claims.get("tenants", []), "other-tenant"]}


def _longer_life(claims: dict[str, Any]) -> dict[str, Any]:
    return {**claims, "exp": int(time.time()) + TAMPERED_LIFETIME_S}


# --- keys the verifier must not use ---------------------------------------------------------------------

def unknown_kid(material: Material) -> Credential:
    header, claims, _ = split(material.token)
    return bearer(sign_rs256({**header, "kid": ATTACKER_KID}, claims, attacker_key()))


def _kid_near_miss(kid: Callable[[str], dict[str, Any]]) -> Callable[[Material], Credential]:
    """Signed by the attacker key under a `kid` header close to the real one (`kid(real)` is the header's
    kid entry, or {} for none): a verifier that matches key ids loosely, or falls back to some other key
    when the id matches none, must still refuse the signature."""
    def build(material: Material) -> Credential:
        header, claims, _ = split(material.token)
        others = {name: value for name, value in header.items() if name != "kid"}
        return bearer(sign_rs256({**others, **kid(str(header.get("kid", "")))}, claims, attacker_key()))
    return build


def kid_traversal(material: Material) -> Credential:
    """HS256 keyed with the empty content of the file the `kid` walks to."""
    header, claims, _ = split(material.token)
    return bearer(sign_hs256({**header, "kid": TRAVERSAL_KID}, claims, b""))


def _attacker_header(extra: Callable[[], dict[str, Any]]) -> Callable[[Material], Credential]:
    """Signed by the attacker key, with header parameters that point the verifier at that key."""
    def build(material: Material) -> Credential:
        header, claims, _ = split(material.token)
        return bearer(sign_rs256({**header, "kid": ATTACKER_KID, **extra()}, claims, attacker_key()))
    return build


def foreign_key_real_kid(material: Material) -> Credential:
    """Signed by another RSA key but naming the real key's `kid`: the signature must still be checked."""
    header, claims, _ = split(material.token)
    return bearer(sign_rs256(header, claims, attacker_key()))


@dataclasses.dataclass(frozen=True)
class Forgery:
    """One way to present a token that must not authenticate; `check` is the catalog check that sends it.

    `refusal` is what a correct endpoint answers: `unauthenticated` (UNAUTHENTICATED, 401) for a credential
    that fails verification, `anonymous` (the endpoint's refusals of an anonymous call, which may be a
    redirect to a login page) for one the endpoint must not even see as a credential, `not_served` for a
    call whose refusal products word differently but which must never succeed: a token in the URL is not
    UNAUTHENTICATED on a Zeebe gateway that checks tokens itself, whose gRPC server resolves the method from
    the whole `:path` (query included) and answers UNIMPLEMENTED before any interceptor runs."""

    name: str
    check: str
    description: str
    build: Callable[[Material], Credential]
    refusal: Literal["unauthenticated", "anonymous", "not_served"] = "unauthenticated"


FORGERIES: dict[str, Forgery] = {forgery.name: forgery for forgery in (
    Forgery("no_header", "AUTH-001", "no Authorization header", no_header, "anonymous"),
    Forgery("empty_bearer", "AUTH-004", "'Bearer ' with nothing after it", empty_bearer),
    Forgery("wrong_scheme", "AUTH-005", "the genuine token under the Basic scheme", wrong_scheme),
    Forgery("query_string", "AUTH-007", "the genuine token in ?access_token= and no header", query_string,
            "not_served"),
    Forgery("two_segments", "AUTH-006", "header.payload without a signature segment", two_segments),
    Forgery("bad_base64", "AUTH-006", "a payload segment outside the base64url alphabet", bad_base64),
    Forgery("bad_json", "AUTH-006", "a payload segment that is not JSON", bad_json),
    Forgery("oversized", "AUTH-006", f"genuine claims padded to {OVERSIZED_BYTES // 1024} KiB", oversized),
    Forgery("alg_none", "AUTH-003", "alg none, unsigned", _alg_none_builder("none", False)),
    Forgery("alg_none_signed", "AUTH-003", "alg none, old signature kept", _alg_none_builder("none", True)),
    Forgery("alg_None", "AUTH-008", "alg None, unsigned", _alg_none_builder("None", False)),
    Forgery("alg_None_signed", "AUTH-008", "alg None, old signature kept", _alg_none_builder("None", True)),
    Forgery("alg_NONE", "AUTH-008", "alg NONE, unsigned", _alg_none_builder("NONE", False)),
    Forgery("alg_NONE_signed", "AUTH-008", "alg NONE, old signature kept", _alg_none_builder("NONE", True)),
    Forgery("hs256_public_key_pem", "AUTH-009", "HS256 keyed with the server's RSA public key (PEM)",
            _hs256_public_key(serialization.Encoding.PEM)),
    Forgery("hs256_public_key_der", "AUTH-009", "HS256 keyed with the server's RSA public key (DER)",
            _hs256_public_key(serialization.Encoding.DER)),
    Forgery("signature_stripped", "AUTH-010", "the genuine header and claims, empty signature", signature_stripped),
    Forgery("tampered_audience", "AUTH-011", "audiences added under the old signature", _tampered(_more_audiences)),
    Forgery("tampered_subject", "AUTH-011", "another subject under the old signature", _tampered(_other_subject)),
    Forgery("tampered_permissions", "AUTH-011", "more scopes, permissions and tenants under the old signature",
            _tampered(_more_permissions)),
    Forgery("tampered_expiry", "AUTH-011", "exp a year ahead under the old signature", _tampered(_longer_life)),
    Forgery("unknown_kid", "AUTH-016", "signed by an attacker key under a kid the JWKS lacks", unknown_kid),
    Forgery("kid_case", "AUTH-016", "signed by an attacker key under the real kid in upper case",
            _kid_near_miss(lambda kid: {"kid": kid.upper() if kid.upper() != kid else kid.lower()})),
    Forgery("kid_prefix", "AUTH-016", "signed by an attacker key under the real kid less its last character",
            _kid_near_miss(lambda kid: {"kid": kid[:-1]})),
    Forgery("kid_suffixed", "AUTH-016", "signed by an attacker key under the real kid with a suffix",
            _kid_near_miss(lambda kid: {"kid": kid + "-attacker"})),
    Forgery("kid_absent", "AUTH-016", "signed by an attacker key, no kid header", _kid_near_miss(lambda kid: {})),
    Forgery("kid_empty", "AUTH-016", "signed by an attacker key under an empty kid",
            _kid_near_miss(lambda kid: {"kid": ""})),
    Forgery("kid_null", "AUTH-016", "signed by an attacker key under kid null", _kid_near_miss(lambda kid: {"kid": None})),
    Forgery("kid_array", "AUTH-016", "signed by an attacker key under a kid array holding the real kid",
            _kid_near_miss(lambda kid: {"kid": [kid]})),
    Forgery("kid_traversal", "AUTH-017", f"HS256 with an empty key and kid {TRAVERSAL_KID}", kid_traversal),
    Forgery("jku_attacker", "AUTH-018", "signed by an attacker key its jku header points to",
            _attacker_header(lambda: {"jku": ATTACKER_KEYS_URL})),
    Forgery("x5u_attacker", "AUTH-019", "signed by an attacker key its x5u header points to",
            _attacker_header(lambda: {"x5u": ATTACKER_CERT_URL})),
    Forgery("jwk_inline", "AUTH-020", "signed by the attacker key embedded as its jwk header",
            _attacker_header(lambda: {"jwk": attacker_jwk()})),
    Forgery("foreign_key_real_kid", "AUTH-021", "signed by another RSA key under the real kid", foreign_key_real_kid),
)}


def forgeries_of(check: str) -> list[Forgery]:
    """The forgeries a check sends, in registry order."""
    return [forgery for forgery in FORGERIES.values() if forgery.check == check]

# One forgery per way a verifier can go wrong (no check at all, alg none, no signature check, a foreign key
# under the real kid): what the whole-surface checks (AUTH-040, AUTH-041) send to every method and route,
# while the full catalog runs on each endpoint's representative call.
REPRESENTATIVE = ("no_header", "alg_none", "signature_stripped", "foreign_key_real_kid")


def representative_credentials(material: Material) -> dict[str, Credential]:
    return {name: FORGERIES[name].build(material) for name in REPRESENTATIVE}
