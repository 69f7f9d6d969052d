"""How a token is presented: only a well-formed `Authorization: Bearer <JWT>` header may authenticate."""

from __future__ import annotations

import pytest

from harness.probes import jwt
from harness.probes.endpoints import Endpoint
from harness.report.evidence import Evidence
from scenarios.auth import expect


@pytest.mark.check("AUTH-004")
def test_empty_bearer(endpoint: Endpoint, material: jwt.Material, evidence: Evidence) -> None:
    expect.forgery(endpoint, material, "empty_bearer", evidence)


@pytest.mark.check("AUTH-005")
def test_wrong_scheme(endpoint: Endpoint, material: jwt.Material, evidence: Evidence) -> None:
    expect.forgery(endpoint, material, "wrong_scheme", evidence)


@pytest.mark.check("AUTH-006")
@pytest.mark.parametrize("forgery", ["two_segments", "bad_base64", "bad_json", "oversized"])
def test_malformed(endpoint: Endpoint, material: jwt.Material, forgery: str, evidence: Evidence) -> None:
    """Malformed tokens are refused as unauthenticated, and the endpoint keeps serving valid calls.

    The 64 KiB one may be cut off before any token check (nginx answers GOAWAY, an HTTP server 431 or
    400), so any refusal will do for it, as long as a valid call still gets through afterwards.
    """
    built = jwt.FORGERIES[forgery]
    answer = expect.send(endpoint, built.build(material), evidence, f"{forgery}: {built.description}")
    if forgery == "oversized":
        assert not answer.accepted, f"{endpoint.name}: a {built.description} token got {answer.status}"
    else:
        assert answer.unauthenticated, f"{endpoint.name}: {built.description}: got {answer.status}"
    after = endpoint.send(jwt.bearer(material.token))
    evidence.record(valid_call_after=after.status)
    assert after.accepted, f"{endpoint.name}: after a {forgery} token a valid call got {after.status}"


@pytest.mark.check("AUTH-007")
def test_token_in_query_string(endpoint: Endpoint, material: jwt.Material, evidence: Evidence) -> None:
    answer = expect.send(endpoint, jwt.FORGERIES["query_string"].build(material), evidence,
                         "a genuine token in ?access_token= and no Authorization header")
    assert answer.status in endpoint.anonymous_refusals, \
        f"{endpoint.name}: a token in the URL got {answer.status}; URLs get logged, tokens must stay out"
