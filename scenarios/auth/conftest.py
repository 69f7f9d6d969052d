"""The auth checks run on every authenticated endpoint the Target declares (harness.probes.endpoints.KINDS).

A check asks for `endpoint` and is parametrized over the endpoint kinds; a kind the Target lacks skips
with the reason. The `endpoint` fixture is the positive control: a valid token must get in, else every
check on that endpoint errors, because a refused forgery proves nothing on an endpoint that refuses all.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from harness.deployment import Stack
from harness.outcome import PositiveControlFailed
from harness.probes import jwt
from harness.probes.endpoints import ANONYMOUS_ONLY, KINDS, AnonymousOnlyEndpoint, Endpoint, HttpEndpoint
from scenarios.auth import expect

Minter = Callable[[dict[str, Any]], str]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "endpoint" in metafunc.fixturenames:
        metafunc.parametrize("endpoint", list(KINDS), indirect=True, scope="session")
    if "http_api" in metafunc.fixturenames:
        metafunc.parametrize("http_api", [name for name, kind in KINDS.items() if kind.routes],
                             indirect=True, scope="session")


def _controlled(kind_name: str, stack: Stack) -> Endpoint:
    """The endpoint of that kind, once a valid token got in on it (the positive control)."""
    kind = KINDS[kind_name]
    built = kind.build(stack.target)
    if built is None:
        pytest.skip(kind.absent)
    answer = built.send(jwt.bearer(stack.token(built.client, built.audience)))
    if not answer.accepted:
        raise PositiveControlFailed(f"{built.name} answered {answer.status} to a valid token")
    return built


@pytest.fixture(scope="session")
def endpoint(request: pytest.FixtureRequest, stack: Stack) -> Endpoint:
    return _controlled(request.param, stack)


@pytest.fixture(scope="session")
def http_api(request: pytest.FixtureRequest, stack: Stack) -> HttpEndpoint:
    """An HTTP API with a route table (harness/api_routes/), its representative route's control held."""
    built = _controlled(request.param, stack)
    assert isinstance(built, HttpEndpoint)
    return built


# A genuine token is reused while it has this much life left: a forgery built on an expired one would be
# refused for its expiry and prove nothing about the flaw its check names (a token in the query string).
FRESH_S = 60


@pytest.fixture(scope="session")
def materials() -> dict[tuple[str, str | None], jwt.Material]:
    return {}


@pytest.fixture
def material(stack: Stack, endpoint: Endpoint, materials: dict[tuple[str, str | None], jwt.Material]
             ) -> jwt.Material:
    """A genuine token for the endpoint's client and the key Identity publishes for it, shared by the checks
    on endpoints of the same client and audience while fresh: fetching both for each of some 200 forgeries
    cost about 3 s of the auth scenario. Key rotation (AUTH-022) is disruptive and runs last."""
    key = (endpoint.client, endpoint.audience)
    held = materials.get(key)
    if held is None or float(jwt.split(held.token)[1].get("exp", 0)) - time.time() < FRESH_S:
        held = materials[key] = expect.material_for(stack, endpoint)
    return held


@pytest.fixture
def mint(stack: Stack, endpoint: Endpoint) -> Minter:
    """Genuinely signed tokens with chosen claims, for the endpoint's client (the mint_token capability).

    Positive control: a minted token with the client's genuine claims must get in, so a refusal of a minted
    token is for the claim a check changed, never for the minting key (one the endpoint does not trust yet).
    """
    audience = {"aud": endpoint.audience} if endpoint.audience else {}
    minter = stack.capabilities.token_minter()
    control = expect.minting_key_learned(minter, lambda: endpoint.send(jwt.bearer(minter.mint(audience, endpoint.client))),
                                         lambda answer: answer.accepted)
    if not control.held:
        raise PositiveControlFailed(f"{endpoint.name} answered {control.value.status} to a minted token with genuine "
                                    "claims: the minting key is not trusted there (within identity.key_rotation_s)")
    return lambda claims: minter.mint(audience | claims, endpoint.client)


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
