"""Every kind of response Optimize gives, fetched once for the headers scenario.

A security header that is set only on the happy path protects nothing an attacker chooses: they pick the
URL, so 404s, 401s, redirects, the login form and static files must carry the same headers as the app.
The routes here are the ones Optimize has in every version: the UI root (anonymous and with a session),
the login page and form, a public API route with and without a token, an unknown path, a static asset,
and the plain-HTTP port's redirect when the target declares one.
"""

from __future__ import annotations

import requests

from harness.clients.optimize import optimize_of
from harness.deployment import Stack
from harness.probes.endpoint_responses import OPTIMIZE
from harness.probes.headers import Observed, Response, from_requests

TIMEOUT_S = 10
NOT_FOUND_PATH = "/harness-probe/no-such-page"
LOGIN_PATH = "/login"


def _response(route: str, raw: requests.Response, plain_http: bool = False) -> Response:
    return from_requests(route, raw, *OPTIMIZE, plain_http=plain_http)


def observe(stack: Stack) -> Observed:
    """Fetch each route once, without following redirects (a redirect is a response of its own)."""
    optimize = optimize_of(stack)
    base = optimize.url.rstrip("/")
    verify = stack.verify
    anonymous = requests.Session()
    responses: list[Response] = []
    not_probed: dict[str, str] = {}

    def get(route: str, url: str, session: requests.Session = anonymous, **kwargs: object) -> requests.Response:
        raw = session.get(url, timeout=TIMEOUT_S, verify=verify, allow_redirects=False, **kwargs)
        responses.append(_response(route, raw))
        return raw

    get("ui-anonymous", f"{base}/")
    get("login-page", f"{base}{LOGIN_PATH}")
    get("not-found", f"{base}{NOT_FOUND_PATH}")
    get("static-asset", f"{base}{optimize.static_path}")
    api_path = f"{base}/api/public/dashboard"
    params = {"collectionId": optimize.collection_ids[0] if optimize.collection_ids else "harness-probe"}
    get("api-without-token", api_path, params=params)
    get("api-bad-token", api_path, params=params, headers={"Authorization": "Bearer not-a-token"})
    if optimize.client is None:
        not_probed["api-with-token"] = "the target names no optimize.client to fetch a token for"
    else:
        api = stack.optimize(optimize.client)
        raw = api.session.get(api_path, params=params, timeout=TIMEOUT_S, verify=verify, allow_redirects=False)
        responses.append(_response("api-with-token", raw))
    if optimize.client is None or not optimize.login_form:
        not_probed["login"] = "the target declares no form login (optimize.login_form with optimize.client)"
    else:
        credentials = stack.credentials(optimize.client)
        user = requests.Session()
        raw = user.post(f"{base}{LOGIN_PATH}", timeout=TIMEOUT_S, verify=verify, allow_redirects=False,
                        data={"username": credentials.client_id,
                              "password": credentials.client_secret.get_secret_value()})
        responses.append(_response("login", raw))
        get("ui-with-session", f"{base}/", session=user)
    if optimize.http_url is None:
        not_probed["http-redirect"] = "the target declares no plain-HTTP address (optimize.http_url)"
    else:
        try:
            raw = anonymous.get(optimize.http_url, timeout=TIMEOUT_S, allow_redirects=False)
            responses.append(_response("http-redirect", raw, plain_http=True))
        except requests.ConnectionError:
            not_probed["http-redirect"] = "the plain-HTTP port is closed"
    return Observed(tuple(responses), not_probed)
