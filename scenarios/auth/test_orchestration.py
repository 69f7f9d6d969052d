"""The Camunda 8.8+ Orchestration Cluster's own authentication on its REST API v2.

Camunda 8 Run, the development distribution, ships the API unprotected with `demo`/`demo` as admin; an
operator who carries those settings into a deployment leaves it open, as Camunda 7's REST API was with
authentication off by default. Each check first proves the declared user gets in (the positive control),
then that what must be refused is: no credentials and a wrong password (AUTH-050, and on gRPC AUTH-055), the
documented default
account (AUTH-051), and the unauthenticated initial-admin setup once the cluster has users (AUTH-052).
With the oidc method, a token for another audience is refused (AUTH-053): the product checks a token's
audience only when `oidc.audiences` is configured. A logged-in browser's session cannot be ridden by another
site: a state-changing call without the CSRF token is refused (AUTH-054).
"""

from __future__ import annotations

import secrets

import grpc
import pytest

from harness.clients.gateway import GatewayCalls, Reply, basic_authorization
from harness.clients.orchestration import CSRF_HEADER, OrchestrationRest, RestAnswer
from harness.config import Orchestration
from harness.deployment import Stack
from harness.outcome import positive
from harness.report.evidence import Evidence
from scenarios.auth import expect

# Cheap, side-effect free calls that need an authenticated caller (WebSecurityConfig: every /v2/** path
# but /v2/license, /v2/setup/user and /v2/status). CSRF protection applies only to a caller with a session
# (CsrfProtectionRequestMatcher.java), so a cookie-less POST meets the authentication check first.
PROTECTED_CALLS = (("GET", "/topology", None), ("GET", "/authentication/me", None),
                   ("POST", "/process-instances/search", {}))
DEFAULT_CREDENTIALS = (("demo", "demo"),)
FOREIGN_AUDIENCE = "not-this-cluster"


@pytest.fixture(scope="module")
def cluster(stack: Stack) -> Orchestration:
    assert stack.target.orchestration is not None, "the checks declare their need for an orchestration section"
    return stack.target.orchestration


@pytest.fixture(scope="module")
def rest(stack: Stack, cluster: Orchestration) -> OrchestrationRest:
    return OrchestrationRest(cluster.url, stack.verify)


@pytest.fixture(scope="module")
def login(stack: Stack, cluster: Orchestration) -> tuple[str, str]:
    declared = cluster.basic_auth(stack.environ)
    assert declared is not None, "the check declares its need for orchestration.users"
    username, password = declared
    return username, password.get_secret_value()


def admitted(answer: RestAnswer, who: str) -> None:
    """The positive control: a valid caller gets in, so a refusal that follows is about the credential."""
    positive(answer.ok, f"{who} got HTTP {answer.status} from GET /v2/topology")


def allowed(rest: OrchestrationRest, login: tuple[str, str]) -> None:
    admitted(rest.call("GET", "/topology", basic=login), f"the declared user {login[0]!r}")


def record(evidence: Evidence, call: str, sent: str, answer: RestAnswer) -> None:
    evidence.record(call=call, sent=sent, status=answer.status, title=answer.title, detail=answer.detail[:200])


@pytest.mark.check("AUTH-050")
def test_rest_api_refuses_missing_and_wrong_credentials(rest: OrchestrationRest, login: tuple[str, str],
                                                        evidence: Evidence) -> None:
    allowed(rest, login)
    wrong = (login[0], secrets.token_urlsafe(18))
    let_in = []
    for method, path, body in PROTECTED_CALLS:
        for sent, credential in (("no credentials", None), ("the declared user with a wrong password", wrong)):
            answer = rest.call(method, path, basic=credential, body=body)
            record(evidence, f"{method} /v2{path}", sent, answer)
            if answer.status != 401:
                let_in.append(f"{method} /v2{path} with {sent}: HTTP {answer.status}")
    assert not let_in, "the REST API did not refuse with 401: " + "; ".join(let_in)


@pytest.mark.check("AUTH-055")
def test_grpc_api_refuses_missing_and_wrong_credentials(stack: Stack, cluster: Orchestration, login: tuple[str, str],
                                                        evidence: Evidence) -> None:
    """The gRPC API takes the REST API's method and users (8.8 AuthenticationInterceptor and
    AuthenticationHandler.BasicAuth); with `unprotected-api` no interceptor runs and anyone calls it."""
    assert cluster.grpc_address is not None, "the check declares its need for orchestration.grpc_address"

    def topology(authorization: str | None) -> Reply:
        with GatewayCalls(stack.channel(cluster.grpc_address or "", True), authorization) as calls:
            return calls.topology()

    control = topology(basic_authorization(*login))
    positive(control.ok, f"the declared user {login[0]!r} got {control.code.name} from Topology")
    let_in = []
    for sent, authorization in (("no credentials", None), ("the declared user with a wrong password",
                                                           basic_authorization(login[0], secrets.token_urlsafe(18)))):
        reply = topology(authorization)
        evidence.record(call="Topology", sent=sent, status=reply.code.name, detail=reply.details[:200])
        if reply.code != grpc.StatusCode.UNAUTHENTICATED:
            let_in.append(f"Topology with {sent}: {reply.code.name}")
    assert not let_in, "the gRPC API did not refuse with UNAUTHENTICATED: " + "; ".join(let_in)


@pytest.mark.check("AUTH-051")
def test_default_credentials_are_refused(rest: OrchestrationRest, login: tuple[str, str], evidence: Evidence) -> None:
    allowed(rest, login)
    accepted = []
    for credential in DEFAULT_CREDENTIALS:
        answer = rest.call("GET", "/topology", basic=credential)
        record(evidence, "GET /v2/topology", f"the default account {credential[0]!r}", answer)
        if answer.status != 401:
            accepted.append(f"{credential[0]!r}: HTTP {answer.status}")
    assert not accepted, "default credentials were not refused with 401: " + "; ".join(accepted)


@pytest.mark.check("AUTH-052")
def test_setup_endpoint_refused_on_a_cluster_with_users(rest: OrchestrationRest, login: tuple[str, str],
                                                        evidence: Evidence) -> None:
    """The product refuses before it reads the body (SetupController.java: FORBIDDEN while any user holds the
    admin role), so the probe sends an empty body: an open endpoint answers 400 for it and creates nobody."""
    allowed(rest, login)
    answer = rest.call("POST", "/setup/user", body={})
    record(evidence, "POST /v2/setup/user", "no credentials, an empty user", answer)
    assert answer.status == 403, (f"POST /v2/setup/user got HTTP {answer.status} ({answer.title}), not 403: no user "
                                  "holds the admin role, so anyone can create the first admin")


@pytest.mark.check("AUTH-053")
def test_oidc_cluster_refuses_a_token_for_another_audience(stack: Stack, cluster: Orchestration,
                                                           evidence: Evidence) -> None:
    url = cluster.oidc_endpoint
    if url is None:
        pytest.skip("the target declares no cluster with the oidc method (orchestration.auth: oidc, or "
                    "orchestration.oidc_url)")
    assert cluster.client is not None and cluster.audience is not None, "the check declares both as needs"
    oidc = OrchestrationRest(url, stack.verify)
    admitted(oidc.call("GET", "/topology", bearer=stack.token(cluster.client, cluster.audience)),
             f"client {cluster.client!r}'s token for {cluster.audience!r}")
    minter = stack.capabilities.token_minter()
    genuine = expect.minting_key_learned(
        minter, lambda: oidc.call("GET", "/topology", bearer=minter.mint({"aud": cluster.audience}, cluster.client)),
        lambda answer: answer.ok)
    admitted(genuine.value, f"a token minted for client {cluster.client!r} with genuine claims")
    foreign = minter.mint({"aud": FOREIGN_AUDIENCE}, cluster.client)
    answer = oidc.call("GET", "/topology", bearer=foreign)
    record(evidence, "GET /v2/topology", f"a genuinely signed token for audience {FOREIGN_AUDIENCE!r}", answer)
    assert answer.status == 401, (f"a token for audience {FOREIGN_AUDIENCE!r} got HTTP {answer.status}, not 401: "
                                  f"the cluster does not check that tokens are for {cluster.audience!r}")


# A state-changing call without side effects: a search is a POST, which the CSRF rule protects like any other.
CSRF_PROBE = ("POST", "/process-instances/search", {})


@pytest.mark.check("AUTH-054")
def test_session_call_without_csrf_token_is_refused(rest: OrchestrationRest, login: tuple[str, str],
                                                     evidence: Evidence) -> None:
    """A browser logged in to the web apps sends its `camunda-session` cookie with any request another site
    makes it send; Camunda's double submit (CsrfProtectionRequestMatcher.java, WebSecurityConfig.java) refuses
    a state-changing call carrying a session unless its `X-CSRF-TOKEN` header matches the CSRF cookie. The
    controls: the form login sets a session, which reads the API, and a POST with the token gets through."""
    method, path, body = CSRF_PROBE
    browser, logged_in, token = rest.login(*login)
    positive(logged_in.ok and token is not None, f"the form login of {login[0]!r} got HTTP {logged_in.status} "
                                                 f"{'with' if token else 'without'} an X-CSRF-TOKEN header")
    positive(rest.call("GET", "/topology", session=browser).ok, "the session cookie alone reads GET /v2/topology")
    with_token = rest.call(method, path, body=body, session=browser, headers={CSRF_HEADER: token or ""})
    positive(with_token.ok, f"{method} /v2{path} with the session and its CSRF token got HTTP {with_token.status}")
    forged = rest.call(method, path, body=body, session=browser)
    record(evidence, f"{method} /v2{path}", "the session cookie without the X-CSRF-TOKEN header", forged)
    assert forged.status == 403, (f"{method} /v2{path} with a session cookie and no CSRF token got HTTP "
                                  f"{forged.status}, not 403: another site can make a logged-in browser change "
                                  "the cluster (camunda.security.csrf.enabled is off)")
