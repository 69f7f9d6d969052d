"""Every route of every authenticated HTTP API (harness.probes.http_routes, read from the API's description)
refuses a call without a token and calls with the representative forgeries.

The forgery catalog (AUTH-001..021) runs in full on each API's representative route; an API that guards
that route and forgets another would pass it all while serving the other to anyone. The run time stays
bounded by sending only jwt.REPRESENTATIVE (no token, alg none, stripped signature, a foreign key under the
real kid) to every route and method: one forgery per way a verifier goes wrong. 401 and 403 are refusals;
a route this version does not serve (405, or the API's own answer to an unknown route when that is a 404)
is listed apart; anything else (data, 400, a 404 of the route's own) came from a handler that was reached.
Requests are never sent with a valid token beyond the representative route: many routes change data.
"""

from __future__ import annotations

import pytest
import requests

from harness.deployment import Stack
from harness.outcome import positive
from harness.probes import http_routes, jwt
from harness.probes.endpoints import HttpEndpoint
from harness.report.evidence import Evidence
from scenarios.auth.expect import material_for


@pytest.mark.check("AUTH-041")
def test_every_api_route_refuses_calls_without_a_valid_token(stack: Stack, http_api: HttpEndpoint,
                                                             evidence: Evidence) -> None:
    api = http_api.api
    credentials = jwt.representative_credentials(material_for(stack, http_api))
    with requests.Session() as session:
        unknown = http_routes.not_served_answer(session, http_api.base, api, http_api.verify)
        positive(unknown.status is not None, f"{http_api.name} answered a route it lacks ({unknown.reason})")
        seen = {route.name: {name: http_routes.call(session, http_api.base, route, credential, http_api.verify)
                             for name, credential in credentials.items()}
                for route in api.guarded}
    got_through = {route: {name: answer.status for name, answer in answers.items()
                           if not answer.refused and http_routes.served(answer, unknown)}
                   for route, answers in seen.items()}
    got_through = {route: statuses for route, statuses in got_through.items() if statuses}
    evidence.record(api=api.title, source=api.source, routes=len(api.guarded), credentials=list(credentials),
                    calls=len(api.guarded) * len(credentials),
                    public_by_description=[route.name for route in api.routes if route.public],
                    full_catalog_on=f"{api.representative.name} (AUTH-001..021)",
                    unknown_route=unknown.status,
                    statuses={route: {name: answer.status for name, answer in answers.items()}
                              for route, answers in seen.items()},
                    not_served=sorted(route for route, answers in seen.items()
                                      if not any(http_routes.served(a, unknown) for a in answers.values())))
    assert not got_through, (f"{http_api.name}: {len(got_through)} route(s) answered a call without a valid "
                             f"token with something other than 401/403: {got_through}")
