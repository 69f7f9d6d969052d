"""After Identity rotates its signing key, tokens signed by the retired key stop working everywhere."""

from __future__ import annotations

import time

import grpc
import pytest
from pyzeebe.proto import gateway_pb2

from harness.backends import Stack
from harness.clients.identity_admin import rotate_signing_key
from harness.clients.oauth import fetch_token
from harness.clients.zeebe import ZeebeCalls
from harness.config import Gateway
from harness.outcome import PositiveControlFailed


def _topology(address: str, tls: bool, stack: Stack, token: str) -> grpc.StatusCode:
    with ZeebeCalls(address, tls, stack.target.ca_file, token) as calls:
        return calls.call("Topology", gateway_pb2.TopologyRequest()).code


@pytest.mark.disruptive
@pytest.mark.check("AUTH-022")
def test_rotated_out_key_is_refused(stack: Stack, authorized_gateway: Gateway, evidence) -> None:
    identity = stack.target.identity
    endpoints = {"proxy": (authorized_gateway.address, authorized_gateway.tls)}
    if authorized_gateway.tenancy_address:
        endpoints["gateway (auth mode identity)"] = (authorized_gateway.tenancy_address, True)
    old_token = fetch_token(stack)
    rotate_signing_key(stack)
    time.sleep(identity.key_rotation_s)
    new_token = fetch_token(stack)
    seen = {}
    for name, (address, tls) in endpoints.items():
        fresh = _topology(address, tls, stack, new_token)
        if fresh != grpc.StatusCode.OK:
            raise PositiveControlFailed(f"{name} refused a token of the new key ({fresh.name})")
        seen[name] = _topology(address, tls, stack, old_token).name
    evidence.record(waited_s=identity.key_rotation_s, old_key_token=seen)
    accepted = [name for name, code in seen.items() if code != "UNAUTHENTICATED"]
    assert not accepted, f"{identity.key_rotation_s} s after rotation, the retired key's token got {seen}"
