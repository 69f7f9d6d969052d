"""On the secure profile no forged call gets past the proxy: the gateway emulator's call log (one line per
call that reached it, with a fingerprint of its Authorization header) shows only the valid token.

The same run on `signature_unchecked` must show forged calls in that log, so this test can fail."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.backends.local import LocalBackend
from harness.clients.oauth import fetch_token, published_key
from harness.deployment import Stack
from harness.probes import gateway_surface, jwt
from harness.probes.endpoints import GatewayEndpoint
from harness.reference.profile import Profile
from harness.reference.zeebe.gateway import token_fingerprint

TOPOLOGY_CALL = re.compile(r"call /gateway_protocol\.Gateway/Topology authorization=(\S+)")
LOG_WAIT_S = 5.0


@pytest.fixture(params=["secure", "signature_unchecked"])
def stack_and_log(request: pytest.FixtureRequest, state_dir: Path) -> Iterator[tuple[Stack, Path]]:
    backend = LocalBackend()
    try:
        stack = backend.up(Profile.parse(request.param, "local"), lambda message: None)
        assert backend.supervisor is not None
        yield stack, backend.supervisor.log_file("zeebe")
    finally:
        backend.down()


def fingerprint(credential: jwt.Credential) -> str:
    header = () if credential.authorization is None else (("authorization", credential.authorization),)
    return token_fingerprint(header)


def calls_logged(log: Path, expected: str) -> list[str]:
    """Fingerprints of the Topology calls that reached the gateway, once `expected` shows up (bounded)."""
    deadline = time.monotonic() + LOG_WAIT_S
    while True:
        seen = TOPOLOGY_CALL.findall(log.read_text())
        if expected in seen or time.monotonic() > deadline:
            return seen
        time.sleep(0.05)


def test_forged_tokens_never_reach_the_gateway(stack_and_log: tuple[Stack, Path]) -> None:
    stack, log = stack_and_log
    assert stack.target.gateway is not None
    gateway = GatewayEndpoint(stack.target.gateway, stack.target.ca_file)
    token = fetch_token(stack)
    material = jwt.Material(token, published_key(stack, jwt.split(token)[0]["kid"]))
    forged = {name: forgery.build(material) for name, forgery in jwt.FORGERIES.items()}
    for credential in forged.values():
        gateway.send(credential)
    valid = jwt.bearer(token)
    assert gateway.send(valid).accepted, "positive control: the valid token must reach the gateway"

    seen = set(calls_logged(log, fingerprint(valid)))
    assert fingerprint(valid) in seen, "the call log must show the valid call, else it proves nothing"
    reached = sorted(name for name, credential in forged.items() if fingerprint(credential) in seen)
    if stack.target.name.endswith(":secure"):
        assert seen == {fingerprint(valid)}, f"forged calls reached the gateway: {reached}"
    else:
        assert {"signature_stripped", "foreign_key_real_kid", "unknown_kid"} <= set(reached), \
            f"with signatures unchecked the log must show forged calls, saw only {reached}"


ANY_CALL = re.compile(r"call (/gateway_protocol\.Gateway/\w+) authorization=(\S+)")


def test_no_rpc_lets_a_forged_call_reach_the_gateway(stack_and_log: tuple[Stack, Path]) -> None:
    """AUTH-040's premise, seen from the engine's side: on the secure profile none of the surface probe's
    forged calls, on any RPC, shows in the gateway's call log; with signatures unchecked they all do, so
    the probe's requests are ones a gateway serves (streaming ones included)."""
    stack, log = stack_and_log
    assert stack.target.gateway is not None
    token = fetch_token(stack)
    forged = jwt.signature_stripped(jwt.Material(token, published_key(stack, jwt.split(token)[0]["kid"])))
    with stack.channel(stack.target.gateway.address, stack.target.gateway.tls) as channel:
        for rpc in gateway_surface.RPCS:
            gateway_surface.call(channel, rpc, forged.authorization, "")
        valid = jwt.bearer(token)
        topology = next(rpc for rpc in gateway_surface.RPCS if rpc.name == "Topology")
        assert gateway_surface.call(channel, topology, valid.authorization, "").code.name == "OK", \
            "positive control: a valid token gets past the proxy"
    calls_logged(log, fingerprint(valid))
    reached = {path.rpartition("/")[2] for path, seen in ANY_CALL.findall(log.read_text())
               if seen == fingerprint(forged)}
    if stack.target.name.endswith(":secure"):
        assert reached == set(), f"forged calls reached the gateway: {sorted(reached)}"
    else:
        missing = sorted({rpc.name for rpc in gateway_surface.RPCS} - reached)
        assert not missing, f"with signatures unchecked every RPC must reach the gateway; missing {missing}"
