"""Genuinely signed tokens whose audience, issuer or validity window is wrong, most of them only just.

A verifier that compares claims loosely (a prefix, a substring, case folded, a trailing slash ignored, a
leeway of minutes) refuses a token for another service and still takes one for `zeebe-api-attacker`. Each
`ClaimVariant` is one such value, built from what the endpoint expects (`Expected`) and the time of the
run; the tokens are minted with it (the mint_token capability), so only the claim is wrong, never the
signature. Each variant names the check it belongs to and what a correct verifier does with it: refuse it
(`refused`: unauthenticated or forbidden; `unauthenticated`) or accept it (`accepted`, the positive control
that keeps the check from over-claiming: an audience array holding the right audience among others is
valid, RFC 7519 4.1.3).

Audiences and issuers are compared as case-sensitive strings (RFC 7519 4.1.1, 4.1.3; OpenID Connect Core
3.1.3.7: the issuer "MUST exactly match"). The validity window allows the leeway the target states
(`identity.clock_skew_s`) and `MARGIN_S` more for the clocks of the harness and the target.
"""

from __future__ import annotations

import dataclasses
import urllib.parse
from collections.abc import Callable, Iterable
from typing import Any, Literal, Protocol, TypeVar

FOREIGN_AUDIENCE = "not-this-service"
FOREIGN_ISSUER = "https://127.0.0.1:9/auth/realms/attacker"
# Appended to the right value: another client or realm whose name begins with ours.
ATTACKER_SUFFIX = "-attacker"
# Keycloak's administration realm: a realm every Keycloak has, on the same host as the target's.
OTHER_REALM = "master"
LONG_AGO_S = 3600
# Past the stated leeway by this much: NTP keeps clocks far closer, and the call takes far less.
MARGIN_S = 5
# The largest leeway a verifier can be called sane with: five minutes (Kerberos' default skew; Okta's is
# two, Spring Security's 60 s). A target stating more still has its tokens tried just past this one.
SANE_LEEWAY_S = 300
# Still valid for this long: a correct verifier takes it whatever its leeway.
SHORT_LIFE_S = 30

Verdict = Literal["refused", "unauthenticated", "accepted"]


@dataclasses.dataclass(frozen=True)
class Expected:
    """What the endpoint must insist on: its audience, the issuer, and the leeway the target states."""

    audience: str
    issuer: str
    clock_skew_s: float


@dataclasses.dataclass(frozen=True)
class ClaimVariant:
    """One value of one claim family; `claims(expected, now)` are the claims the token is minted with."""

    name: str
    check: str
    description: str
    claims: Callable[[Expected, int], dict[str, Any]]
    verdict: Verdict

    @property
    def claim(self) -> str:
        """The claim the variant varies: its name begins with it (`aud_prefix`)."""
        return self.name.split("_", 1)[0]

    def describe(self, expected: Expected, now: int) -> str:
        """The variant as evidence shows it: its name and the claims it set (never the token)."""
        return f"{self.name}: {self.description} {self.claims(expected, now)}"


def _audience(value: Callable[[str], Any]) -> Callable[[Expected, int], dict[str, Any]]:
    return lambda expected, now: {"aud": value(expected.audience)}


def _issuer(value: Callable[[str], str]) -> Callable[[Expected, int], dict[str, Any]]:
    return lambda expected, now: {"iss": value(expected.issuer)}


def case_changed(value: str) -> str:
    """The value upper-cased, or lower-cased where it has no lower-case letter."""
    upper = value.upper()
    return upper if upper != value else value.lower()


def _other_realm(issuer: str) -> str:
    """The same scheme and host, the last path segment (Keycloak's realm) replaced by another realm."""
    parts = urllib.parse.urlsplit(issuer)
    head, _, realm = parts.path.rstrip("/").rpartition("/")
    other = OTHER_REALM if realm != OTHER_REALM else OTHER_REALM + ATTACKER_SUFFIX
    return urllib.parse.urlunsplit(parts._replace(path=f"{head}/{other}"))


def _other_scheme(issuer: str) -> str:
    parts = urllib.parse.urlsplit(issuer)
    return urllib.parse.urlunsplit(parts._replace(scheme="http" if parts.scheme == "https" else "https"))


def _trailing_slash(issuer: str) -> str:
    return issuer.rstrip("/") if issuer.endswith("/") else issuer + "/"


def _expired(ago: Callable[[Expected], float]) -> Callable[[Expected, int], dict[str, Any]]:
    """exp `ago` seconds before now; iat and nbf a while before that, so only exp is wrong."""
    def claims(expected: Expected, now: int) -> dict[str, Any]:
        exp = now - int(ago(expected))
        return {"exp": exp, "iat": exp - LONG_AGO_S, "nbf": exp - LONG_AGO_S}
    return claims


def _not_before(ahead: Callable[[Expected], float]) -> Callable[[Expected, int], dict[str, Any]]:
    return lambda expected, now: {"nbf": now + int(ahead(expected))}


CLAIM_VARIANTS: dict[str, ClaimVariant] = {variant.name: variant for variant in (
    # AUTH-002: exp.
    ClaimVariant("exp_long_past", "AUTH-002", f"expired {LONG_AGO_S} s ago", _expired(lambda e: LONG_AGO_S),
                 "unauthenticated"),
    ClaimVariant("exp_past_stated_leeway", "AUTH-002", f"expired the stated leeway + {MARGIN_S} s ago",
                 _expired(lambda e: e.clock_skew_s + MARGIN_S), "unauthenticated"),
    ClaimVariant("exp_past_sane_leeway", "AUTH-002", f"expired {SANE_LEEWAY_S + MARGIN_S} s ago",
                 _expired(lambda e: SANE_LEEWAY_S + MARGIN_S), "unauthenticated"),
    ClaimVariant("exp_soon", "AUTH-002", f"valid {SHORT_LIFE_S} s more",
                 lambda e, now: {"exp": now + SHORT_LIFE_S}, "accepted"),
    # AUTH-012: nbf.
    ClaimVariant("nbf_far_ahead", "AUTH-012", f"valid only in {LONG_AGO_S} s", _not_before(lambda e: LONG_AGO_S),
                 "unauthenticated"),
    ClaimVariant("nbf_past_stated_leeway", "AUTH-012", f"valid only in the stated leeway + {MARGIN_S} s",
                 _not_before(lambda e: e.clock_skew_s + MARGIN_S), "unauthenticated"),
    ClaimVariant("nbf_just_past", "AUTH-012", f"valid since {MARGIN_S} s", _not_before(lambda e: -MARGIN_S),
                 "accepted"),
    # AUTH-013: aud.
    ClaimVariant("aud_foreign", "AUTH-013", "another service's audience", _audience(lambda a: FOREIGN_AUDIENCE),
                 "refused"),
    ClaimVariant("aud_prefix", "AUTH-013", "our audience less its last character", _audience(lambda a: a[:-1]),
                 "refused"),
    ClaimVariant("aud_suffixed", "AUTH-013", "our audience with a suffix",
                 _audience(lambda a: a + ATTACKER_SUFFIX), "refused"),
    ClaimVariant("aud_tail", "AUTH-013", "our audience less its first character", _audience(lambda a: a[1:]),
                 "refused"),
    ClaimVariant("aud_substring", "AUTH-013", "the inside of our audience", _audience(lambda a: a[1:-1]),
                 "refused"),
    ClaimVariant("aud_containing", "AUTH-013", "a longer audience containing ours",
                 _audience(lambda a: f"x{a}{ATTACKER_SUFFIX}"), "refused"),
    ClaimVariant("aud_case", "AUTH-013", "our audience in another case", _audience(case_changed), "refused"),
    ClaimVariant("aud_array_foreign", "AUTH-013", "an array holding only another service's audience",
                 _audience(lambda a: [FOREIGN_AUDIENCE]), "refused"),
    ClaimVariant("aud_array_empty", "AUTH-013", "an empty audience array", _audience(lambda a: []), "refused"),
    ClaimVariant("aud_array_with_ours", "AUTH-013", "an array holding ours among others",
                 _audience(lambda a: [FOREIGN_AUDIENCE, a]), "accepted"),
    # AUTH-014: iss.
    ClaimVariant("iss_foreign", "AUTH-014", "an issuer on another host", _issuer(lambda i: FOREIGN_ISSUER),
                 "unauthenticated"),
    ClaimVariant("iss_trailing_slash", "AUTH-014", "the issuer with a trailing slash toggled",
                 _issuer(_trailing_slash), "unauthenticated"),
    ClaimVariant("iss_other_realm", "AUTH-014", "another realm on the issuer's host", _issuer(_other_realm),
                 "unauthenticated"),
    ClaimVariant("iss_scheme", "AUTH-014", "the issuer under the other scheme (http/https)",
                 _issuer(_other_scheme), "unauthenticated"),
    ClaimVariant("iss_prefix", "AUTH-014", "the issuer less its last character", _issuer(lambda i: i[:-1]),
                 "unauthenticated"),
    ClaimVariant("iss_suffixed", "AUTH-014", "the issuer with a suffix (a realm whose name begins with ours)",
                 _issuer(lambda i: i + ATTACKER_SUFFIX), "unauthenticated"),
    ClaimVariant("iss_exact", "AUTH-014", "the issuer itself", _issuer(lambda i: i), "accepted"),
)}


class HasVerdict(Protocol):
    @property
    def verdict(self) -> str: ...


V = TypeVar("V", bound=HasVerdict)


def controls_first(variants: Iterable[V]) -> list[V]:
    """Positive controls (verdict `accepted`) first: a refusal proves nothing until they hold."""
    return sorted(variants, key=lambda variant: variant.verdict != "accepted")


def variants_of(check: str) -> list[ClaimVariant]:
    """The variants a check sends, positive controls first."""
    return controls_first(variant for variant in CLAIM_VARIANTS.values() if variant.check == check)
