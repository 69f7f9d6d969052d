"""The gateway's whole surface: every RPC of `gateway_protocol.Gateway` (harness.probes.gateway_surface,
read from the proto descriptor) refuses a call without a token and calls with representative forgeries.

The other auth checks call Topology, the cheapest RPC; a proxy that guards it and forwards the job
workers' methods would pass them all while handing jobs and their variables to anyone. UNAUTHENTICATED is
the one refusal: a gateway checking tokens itself (IdentityInterceptor) and a proxy answer it before the
engine sees the call, while NOT_FOUND, INVALID_ARGUMENT or OK come from an engine that was reached.
UNIMPLEMENTED (an RPC newer than the gateway) never reached an engine either, and is listed apart.
"""

from __future__ import annotations

import grpc
import pytest

from harness.clients.oauth import published_key
from harness.deployment import Stack
from harness.outcome import positive
from harness.probes import gateway_surface, jwt
from harness.report.evidence import Evidence


# The full forgery catalog runs on Topology (test_forgeries.py); here jwt.REPRESENTATIVE on every method.
@pytest.mark.check("AUTH-040")
def test_every_gateway_rpc_refuses_calls_without_a_valid_token(stack: Stack, evidence: Evidence) -> None:
    topology = next(rpc for rpc in gateway_surface.RPCS if rpc.name == "Topology")
    seen: dict[str, dict[str, dict[str, str]]] = {}
    for endpoint, api in gateway_surface.walked_endpoints(stack.target).items():
        token = stack.token(api.client, api.audience)
        tenant = stack.target.clients[api.client].tenant or ""
        material = jwt.Material(token, published_key(stack, str(jwt.split(token)[0].get("kid"))))
        credentials = {name: credential.authorization
                       for name, credential in jwt.representative_credentials(material).items()}
        with stack.channel(api.address, api.tls) as channel:
            control = gateway_surface.call(channel, topology, f"Bearer {token}", tenant)
            positive(control.code == grpc.StatusCode.OK,
                     f"positive control: Topology on {endpoint} with a valid token answered {control.code.name}")
            seen[endpoint] = {rpc.name: {name: gateway_surface.call(channel, rpc, authorization, tenant).code.name
                                         for name, authorization in credentials.items()}
                              for rpc in gateway_surface.RPCS}
    refusals = {grpc.StatusCode.UNAUTHENTICATED.name, grpc.StatusCode.UNIMPLEMENTED.name}
    got_through = {f"{endpoint} {rpc}": {name: code for name, code in codes.items() if code not in refusals}
                   for endpoint, rpcs in seen.items() for rpc, codes in rpcs.items()}
    got_through = {where: codes for where, codes in got_through.items() if codes}
    sent = [codes for rpcs in seen.values() for codes in rpcs.values()]
    evidence.record(methods=len(gateway_surface.RPCS), credentials=sorted({name for codes in sent for name in codes}),
                    calls=sum(len(codes) for codes in sent), statuses=seen,
                    not_served={endpoint: sorted(rpc for rpc, codes in rpcs.items()
                                                 if grpc.StatusCode.UNIMPLEMENTED.name in codes.values())
                                for endpoint, rpcs in seen.items()})
    assert not got_through, (f"{len(got_through)} gateway RPCs answered a call without a valid token with "
                             f"something other than UNAUTHENTICATED: {got_through}")
