"""The HTTP answers of every endpoint a target has besides Optimize (whose routes optimize_routes fetches),
for the headers scenario: the gateway proxy's own answers, Identity, Operate, Vault, Elasticsearch and the
Orchestration Cluster's web side.

A version in a `Server` header tells an attacker which CVEs to try, whichever service sends it, and the
answers an attacker can provoke without credentials (refusals, unknown paths, requests the server itself
rejects) are the ones they see first. So each endpoint is asked for an answer with data where one comes
without side effects, for its refusal of a call without credentials, and for an error of its own. Each
endpoint has a kind (`KINDS`), which picks the rules that apply to it (harness/header_rules.yaml).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from urllib.parse import urlencode

import requests

from harness.deployment import Stack
from harness.probes.headers import Observed, Response, from_requests

TIMEOUT_S = 10
NOT_FOUND = "harness-probe/no-such-page"
# Past nginx's large_client_header_buffers (4 x 8k by default): nginx answers 400 itself, without the auth
# check or the upstream, so the answer shows the proxy's own error page and headers.
OVERSIZED_HEADER_BYTES = 16 * 1024


@dataclasses.dataclass(frozen=True)
class Probe:
    """One request of the survey: what it is called in evidence and how to send it."""

    route: str
    method: str
    url: str
    headers: dict[str, str] = dataclasses.field(default_factory=dict, repr=False)
    data: str | None = dataclasses.field(default=None, repr=False)  # a login form carries a password


def _gateway(stack: Stack) -> list[Probe]:
    gateway = stack.target.gateway
    if gateway is None:
        return []
    base = f"{'https' if gateway.tls else 'http'}://{gateway.address}"
    # HTTP/1.1 reaches the proxy's HTTP server as a browser or scanner would; gRPC rides HTTP/2 on it.
    return [Probe("anonymous", "GET", f"{base}/"),
            Probe("oversized-header", "GET", f"{base}/", {"X-Harness-Probe": "a" * OVERSIZED_HEADER_BYTES})]


def _identity(stack: Stack) -> list[Probe]:
    identity = stack.target.identity
    if identity is None:
        return []
    issuer = identity.issuer.rstrip("/")
    probes = [Probe("jwks", "GET", identity.jwks_url),
              Probe("discovery", "GET", f"{issuer}/.well-known/openid-configuration"),
              Probe("token-without-credentials", "POST", identity.token_url,
                    {"Content-Type": "application/x-www-form-urlencoded"}, "grant_type=client_credentials"),
              Probe("not-found", "GET", f"{issuer}/{NOT_FOUND}")]
    if identity.admin_url is not None:
        probes.append(Probe("admin-without-token", "GET", f"{identity.admin_url.rstrip('/')}/clients"))
    return probes


def _operate(stack: Stack) -> list[Probe]:
    operate = stack.target.operate
    if operate is None:
        return []
    base = operate.url.rstrip("/")
    search = f"{base}/v1/incidents/search"
    json_body = {"Content-Type": "application/json"}
    probes = [Probe("api-without-token", "POST", search, json_body, "{}"), Probe("not-found", "GET", f"{base}/{NOT_FOUND}")]
    if operate.audience is not None and "default" in stack.target.clients:
        token = stack.token("default", operate.audience)
        probes.append(Probe("api-with-token", "POST", search, {**json_body, "Authorization": f"Bearer {token}"}, "{}"))
    return probes


def _vault(stack: Stack) -> list[Probe]:
    vault = stack.target.vault
    if vault is None:
        return []
    base = vault.url.rstrip("/")
    return [Probe("health", "GET", f"{base}/v1/sys/health"),
            Probe("secret-without-token", "GET", f"{base}/v1/{vault.mount}/data/harness-probe"),
            Probe("not-found", "GET", f"{base}/{NOT_FOUND}")]


def _search(stack: Stack) -> list[Probe]:
    search = stack.target.search
    if search is None:
        return []
    return [Probe("anonymous", "GET", search.url), Probe("not-found", "GET", f"{search.url.rstrip('/')}/{NOT_FOUND}")]


# The Orchestration Cluster's CSRF cookie is readable by script and not Secure by design, whatever the
# operator sets (WebSecurityConfig.cookieCsrfTokenRepository: httpOnly(false).secure(false)); the cookie
# rule judges its session cookie, the one that authenticates.
CLUSTER_SESSION_COOKIES = frozenset({"camunda-session"})


def _orchestration(stack: Stack) -> list[Probe]:
    """The cluster's web side as a browser meets it: the form login (the cookie rule judges the session it
    sets), the API refusing a call without credentials, a public route, an unknown API route; and the oidc
    cluster's refusal. Both are the one Spring application with one header configuration: a `webapp`."""
    cluster = stack.target.orchestration
    if cluster is None:
        return []
    base = cluster.url.rstrip("/")
    probes = [Probe("api-without-credentials", "GET", f"{base}/v2/topology"),
              Probe("license", "GET", f"{base}/v2/license"),
              Probe("not-found", "GET", f"{base}/v2/{NOT_FOUND}")]
    login = cluster.basic_auth(stack.environ) if cluster.auth == "basic" else None
    if login is not None:
        form = urlencode({"username": login[0], "password": login[1].get_secret_value()})
        probes.append(Probe("login", "POST", f"{base}/login", {"Content-Type": "application/x-www-form-urlencoded"},
                            form))
    if cluster.oidc_url is not None:
        probes.append(Probe("oidc-api-without-token", "GET", f"{cluster.oidc_url.rstrip('/')}/v2/topology"))
    return probes


@dataclasses.dataclass(frozen=True)
class EndpointSurvey:
    """One endpoint: the Target section, its kind for the header rules, the requests that survey it, and
    the cookies the cookie rule judges there (None: every cookie)."""

    endpoint: str
    kind: str
    probes: Callable[[Stack], list[Probe]]
    cookies: frozenset[str] | None = None


KINDS: tuple[EndpointSurvey, ...] = (
    EndpointSurvey("gateway", "grpc", _gateway),
    EndpointSurvey("identity", "api", _identity),
    EndpointSurvey("operate", "api", _operate),
    EndpointSurvey("vault", "service", _vault),
    EndpointSurvey("search", "service", _search),
    EndpointSurvey("orchestration", "webapp", _orchestration, CLUSTER_SESSION_COOKIES),
)
# Optimize is one Spring web application behind one header configuration (harness.probes.optimize_routes
# fetches its routes): every answer of it is a `webapp` one.
OPTIMIZE = ("optimize", "webapp")
# Every endpoint the headers scenario judges, with its kind.
SURVEYED_KINDS: tuple[tuple[str, str], ...] = (OPTIMIZE, *((survey.endpoint, survey.kind) for survey in KINDS))


def observe(stack: Stack) -> Observed:
    """Each probe once, redirects not followed. An endpoint the test process cannot connect to (an
    internal Elasticsearch on docker) is listed as not probed, with the reason."""
    responses: list[Response] = []
    not_probed: dict[str, str] = {}
    with requests.Session() as session:
        for survey in KINDS:
            for probe in survey.probes(stack):
                try:
                    raw = session.request(probe.method, probe.url, headers=probe.headers, data=probe.data,
                                          verify=stack.verify, timeout=TIMEOUT_S, allow_redirects=False)
                except requests.exceptions.SSLError:
                    raise  # reached, but TLS failed: the tls checks judge that, these must not skip over it
                except requests.ConnectionError as error:
                    not_probed[f"{survey.endpoint} {probe.route}"] = f"no connection ({type(error).__name__})"
                    continue
                response = from_requests(probe.route, raw, survey.endpoint, survey.kind)
                if survey.cookies is not None:
                    judged = tuple(c for c in response.cookies if c.split("=", 1)[0].strip() in survey.cookies)
                    response = dataclasses.replace(response, cookies=judged)
                responses.append(response)
    return Observed(tuple(responses), not_probed)
