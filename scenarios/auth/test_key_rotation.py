"""After Identity rotates its signing key, tokens signed by the retired key stop working everywhere."""

from __future__ import annotations

import functools
import time

import grpc
import pytest

from harness.config import Gateway
from harness.deployment import Stack
from harness.outcome import PositiveControlFailed
from harness.waiting import poll


def _topology(stack: Stack, tenancy: bool, token: str) -> grpc.StatusCode:
    with stack.gateway(f"Bearer {token}", tenancy=tenancy) as calls:
        return calls.topology().code


def _topologies(stack: Stack, tenancy: bool, *tokens: str) -> tuple[grpc.StatusCode, ...]:
    return tuple(_topology(stack, tenancy, token) for token in tokens)


@pytest.mark.disruptive
@pytest.mark.check("AUTH-022")
def test_rotated_out_key_is_refused(stack: Stack, authorized_gateway: Gateway, evidence) -> None:
    identity = stack.target.identity
    bound = identity.key_rotation_s
    endpoints = {"proxy": False}
    if authorized_gateway.tenancy_address:
        endpoints["gateway (auth mode identity)"] = True
    old_token = stack.token()
    stack.capabilities.signing_keys().rotate()
    rotated_at = time.monotonic()
    new_token = stack.token()
    seen, latency = {}, {}
    for name, tenancy in endpoints.items():
        # (new key's token, retired key's token), watched until the new one gets in and the old one is
        # refused, or the bound since the rotation ends.
        waited = poll(functools.partial(_topologies, stack, tenancy, new_token, old_token),
                      lambda codes: codes == (grpc.StatusCode.OK, grpc.StatusCode.UNAUTHENTICATED), bound,
                      since=rotated_at)
        fresh, old = waited.value
        if fresh != grpc.StatusCode.OK:
            raise PositiveControlFailed(f"{name} refused a token of the new key ({fresh.name})")
        seen[name], latency[name] = old.name, round(waited.elapsed_s, 3)
    evidence.record(bound_s=bound, old_key_token=seen, latency_s=latency)
    accepted = [name for name, code in seen.items() if code != "UNAUTHENTICATED"]
    assert not accepted, f"{bound} s after rotation, the retired key's token got {seen}"
