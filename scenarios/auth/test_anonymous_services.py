"""AUTH-030: services that take no Identity token (harness.probes.endpoints.ANONYMOUS_ONLY) refuse a call
without credentials. The positive control, where the Target names a token, proves the probed URL serves
an authorized caller, so a refusal is not just a wrong URL."""

from __future__ import annotations

import pytest

from harness.backends import Stack
from harness.probes import jwt
from harness.probes.endpoints import ANONYMOUS_ONLY, HttpEndpoint
from harness.report.evidence import Evidence
from scenarios.auth import expect


@pytest.fixture(scope="session", params=list(ANONYMOUS_ONLY))
def anonymous_only(request: pytest.FixtureRequest, stack: Stack) -> HttpEndpoint:
    kind = ANONYMOUS_ONLY[request.param]
    built = kind.build(stack.target)
    if built is None:
        pytest.skip(kind.absent)
    endpoint, token_env = built
    token = stack.environ.get(token_env) if token_env else None
    if token:
        answer = endpoint.send(jwt.bearer(token))
        if not answer.accepted:
            raise RuntimeError(f"positive control failed: {endpoint.name} answered {answer.status} "
                               f"to the token in {token_env}")
    return endpoint


@pytest.mark.check("AUTH-030")
def test_no_credentials(anonymous_only: HttpEndpoint, evidence: Evidence) -> None:
    answer = expect.send(anonymous_only, jwt.Credential(None), evidence, "no credentials")
    assert answer.status in anonymous_only.anonymous_refusals, \
        f"{anonymous_only.name}: no credentials got {answer.status}, " \
        f"not in {sorted(anonymous_only.anonymous_refusals)}"
