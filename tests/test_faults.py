"""Fault controls the fail-closed checks rely on: stop/start, pause and isolate a service."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest
import requests

from harness.backends import Backend, backend_for
from harness.clients.oauth import fetch_token
from harness.deployment import Stack
from harness.errors import FaultUnsupported
from harness.reference.profile import Profile

BACKENDS = [pytest.param("local"), pytest.param("docker", marks=pytest.mark.docker)]
GATEWAY_DOWN = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED}


@pytest.fixture(params=BACKENDS)
def running(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HARNESS_STATE_DIR", str(tmp_path_factory.mktemp("state")))
        backend: Backend = backend_for(request.param)
        try:
            yield backend.up(Profile(), lambda message: None)
        finally:
            backend.down()


def topology(stack: Stack, token: str) -> grpc.StatusCode:
    assert stack.target.gateway is not None
    with stack.gateway(f"Bearer {token}", timeout_s=3) as calls:
        return calls.topology().code


def test_stop_and_start_identity(running: Stack) -> None:
    assert running.faults is not None
    running.faults.stop("identity")
    with pytest.raises(requests.ConnectionError):
        fetch_token(running)
    running.faults.start("identity")
    assert fetch_token(running)


def test_pause_the_gateway(running: Stack) -> None:
    assert running.faults is not None
    token = fetch_token(running)
    running.faults.pause("zeebe")
    try:
        assert topology(running, token) in GATEWAY_DOWN
    finally:
        running.faults.pause("zeebe", paused=False)
    assert topology(running, token) == grpc.StatusCode.OK


def test_isolate_the_gateway(running: Stack) -> None:
    assert running.faults is not None
    token = fetch_token(running)
    try:
        running.faults.isolate("zeebe")
    except FaultUnsupported as unsupported:
        assert "local" in str(unsupported)
        return
    try:
        assert topology(running, token) in GATEWAY_DOWN
    finally:
        running.faults.isolate("zeebe", isolated=False)
    assert topology(running, token) == grpc.StatusCode.OK
