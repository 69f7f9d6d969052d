"""Claims of genuinely signed tokens: expired, not yet valid, for another audience, from another issuer, each
also just barely (harness.probes.claims.CLAIM_VARIANTS, one registry entry per value, naming its check).

These tokens cannot be forged; they come from the target's mint_token capability, or (AUTH-015) are the
genuine token of another client, so each check fails for the claim it tests and not for a bad signature.
Each family's positive controls go first: a value a correct verifier accepts (an audience array holding
ours, a token valid a few seconds more) must get in, else a refusal of the near misses proves nothing.
"""

from __future__ import annotations

import time

import pytest

from harness.deployment import Stack
from harness.outcome import positive
from harness.probes import claims, jwt
from harness.probes.endpoints import Answer, Endpoint
from harness.report.evidence import Evidence
from scenarios.auth import expect
from scenarios.auth.conftest import Minter

# One case per check, named by the claim its variants vary (AUTH-013[gateway-aud]).
CLAIM_CHECKS = sorted({(variant.check, variant.claim) for variant in claims.CLAIM_VARIANTS.values()})


def expected_of(stack: Stack, endpoint: Endpoint) -> claims.Expected:
    identity = stack.target.identity
    if identity is None:
        pytest.skip("the target declares no identity: no issuer to compare tokens with")
    audience = endpoint.audience or stack.target.clients[endpoint.client].audience
    skew = identity.clock_skew_s if endpoint.clock_skew_s is None else endpoint.clock_skew_s
    return claims.Expected(audience, identity.issuer, skew)


def judged(variant: claims.ClaimVariant, answer: Answer) -> bool:
    """Whether the endpoint did what a correct verifier does with the variant."""
    if variant.verdict == "accepted":
        return answer.accepted
    return answer.refused if variant.verdict == "refused" else answer.unauthenticated


@pytest.mark.parametrize("check", [pytest.param(check, id=claim, marks=pytest.mark.check(check))
                                   for check, claim in CLAIM_CHECKS])
def test_genuinely_signed_claims(stack: Stack, endpoint: Endpoint, mint: Minter, check: str,
                                 evidence: Evidence) -> None:
    if check in endpoint.unpromised:
        pytest.skip(f"{endpoint.name}: {endpoint.unpromised[check]}")
    expected = expected_of(stack, endpoint)
    now = int(time.time())
    seen: dict[str, dict[str, str]] = {}
    evidence.record(endpoint=endpoint.name, clock_skew_s=expected.clock_skew_s, variants=seen)
    for variant in claims.variants_of(check):
        answer = endpoint.send(jwt.bearer(mint(variant.claims(expected, now))))
        seen[variant.name] = {"sent": variant.describe(expected, now), "status": answer.status,
                              "expected": variant.verdict, "outcome": "as expected" if judged(variant, answer)
                              else "ACCEPTED" if answer.accepted else "refused otherwise"}
        if variant.verdict == "accepted":
            positive(answer.accepted, f"{endpoint.name}: {variant.name} ({variant.description}), which a correct "
                                      f"verifier accepts, got {answer.status}")
    wrong = {name: f"{row['status']} ({row['sent']})" for name, row in seen.items() if row["outcome"] != "as expected"}
    assert not wrong, f"{endpoint.name}: genuinely signed tokens a correct verifier refuses were not: {wrong}"


@pytest.mark.check("AUTH-015")
def test_token_of_another_service(stack: Stack, endpoint: Endpoint, evidence: Evidence) -> None:
    """The `aud` of a Keycloak token comes from the client's audience mappers (an array for several), not
    from the audience a client asks for, so the other client is chosen by what its token really carries."""
    own = endpoint.audience or stack.target.clients[endpoint.client].audience
    others = {name: jwt.audiences(stack.token(name)) for name in stack.target.clients if name != endpoint.client}
    lacking = [name for name, audiences in others.items() if own not in audiences]
    if not lacking:
        pytest.skip(f"every other client's token carries the audience {own!r} ({others}): none is another service's")
    evidence.record(client=lacking[0], token_audiences=others[lacking[0]], endpoint_audience=own)
    expect.refused(endpoint, jwt.bearer(stack.token(lacking[0])), evidence,
                   f"the genuine token of client {lacking[0]!r}, issued for {others[lacking[0]]} and not {own!r}")
