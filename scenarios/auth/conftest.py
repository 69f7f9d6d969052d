"""The auth checks run on every authenticated endpoint the Target declares (harness.probes.endpoints.KINDS).

A check asks for `endpoint` and is parametrized over the endpoint kinds; a kind the Target lacks skips
with the reason. The `endpoint` fixture is the positive control: a valid token must get in, else every
check on that endpoint errors, because a refused forgery proves nothing on an endpoint that refuses all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from harness.backends import Stack
from harness.clients.oauth import fetch_token, mint_token, published_key
from harness.outcome import PositiveControlFailed
from harness.probes import jwt
from harness.probes.endpoints import ANONYMOUS_ONLY, KINDS, AnonymousOnlyEndpoint, Endpoint

Minter = Callable[[dict[str, Any]], str]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "endpoint" in metafunc.fixturenames:
        metafunc.parametrize("endpoint", list(KINDS), indirect=True, scope="session")


@pytest.fixture(scope="session")
def endpoint(request: pytest.FixtureRequest, stack: Stack) -> Endpoint:
    kind = KINDS[request.param]
    built = kind.build(stack.target)
    if built is None:
        pytest.skip(kind.absent)
    answer = built.send(jwt.bearer(fetch_token(stack, built.client, built.audience)))
    if not answer.accepted:
        raise PositiveControlFailed(f"{built.name} answered {answer.status} to a valid token")
    return built


@pytest.fixture
def material(stack: Stack, endpoint: Endpoint) -> jwt.Material:
    """A fresh genuine token for the endpoint plus the public key Identity publishes for it."""
    token = fetch_token(stack, endpoint.client, endpoint.audience)
    header, _, _ = jwt.split(token)
    return jwt.Material(token, published_key(stack, str(header.get("kid"))))


@pytest.fixture
def mint(stack: Stack, endpoint: Endpoint) -> Minter:
    """Genuinely signed tokens with chosen claims, for the endpoint's client (the mint_token capability)."""
    audience = {"aud": endpoint.audience} if endpoint.audience else {}
    return lambda claims: mint_token(stack, audience | claims, endpoint.client)


@pytest.fixture(scope="session")
def anonymous_only(request: pytest.FixtureRequest, stack: Stack) -> AnonymousOnlyEndpoint:
    """A service with its own credentials (harness.probes.endpoints.ANONYMOUS_ONLY), reachable from here.

    Such a service is often internal (Elasticsearch behind Optimize), so where the test process cannot
    connect, the check skips saying so. With a credential declared, it must get in (positive control), so
    a refusal is not just a wrong URL.
    """
    kind = ANONYMOUS_ONLY[request.param]
    built = kind.build(stack.target, stack.environ)
    if built is None:
        pytest.skip(kind.absent)
    control = built.send(with_credentials=built.credential is not None)
    if control.status is None:
        pytest.skip(f"{built.name} at {built.url} is not reachable from the test process ({control.detail}); "
                    "it is internal to the deployment, so run the harness from inside its network to check it")
    if built.credential is not None and not 200 <= control.status < 300:
        raise PositiveControlFailed(f"{built.name} answered HTTP {control.status} "
                           "to the declared credentials")
    return built
