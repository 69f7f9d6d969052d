"""The Orchestration Cluster emulator pins the product's authentication and error behaviour.

Sources (camunda/camunda): authentication/.../config/WebSecurityConfig.java (which paths need an
authenticated caller, HTTP Basic only on a protected API, nothing read when it is unprotected, the OIDC
chain a resource server with Spring's Bearer entry point), .../config/TokenValidatorFactory.java (the
audience is checked only when `oidc.audiences` is set, else Spring's default timestamp validator with 60 s
of skew), .../config/AudienceValidator.java, .../config/OidcAccessTokenDecoderFactory.java (`typ` JWT, at+jwt
or none; no issuer check with one provider),
authentication/.../handler/AuthFailureHandler.java (401 problem details, title the reason phrase),
zeebe/gateway-rest/.../controller/setup/SetupController.java (the two FORBIDDEN refusals, both before the
body is read), zeebe/gateway-rest/.../controller/StatusController.java (204 when healthy);
camunda/camunda-distributions#186 shows the 401 body for a call without credentials.
"""

from __future__ import annotations

import time
import warnings
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

with warnings.catch_warnings():  # starlette announces a move to httpx2; httpx is what is installed
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from harness.clients.bpmn import one_task_process
from harness.reference.orchestration.api import ADMIN_EXISTS, WRONG_METHOD, OrchestrationApi
from harness.reference.orchestration.security import Security
from harness.reference.zeebe.engine import Engine

USER = ("operator", "s3cret-password")
SIGNING_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
KID = "test-key"
AUDIENCE = "zeebe-api"


class StubKeys:
    """Identity's JWKS as the emulator reads it: one RSA key under KID."""

    async def key(self, kid: str) -> jwt.PyJWK | None:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(SIGNING_KEY.public_key(), as_dict=True)
        return jwt.PyJWK({**public, "kid": KID, "alg": "RS256"}) if kid == KID else None


def token(typ: str = "JWT", **claims: Any) -> str:
    now = int(time.time())
    payload = {"iss": "https://idp.example.com", "sub": "service-account-zeebe", "azp": "zeebe", "aud": AUDIENCE,
               "iat": now, "exp": now + 300} | claims
    return jwt.encode(payload, SIGNING_KEY, algorithm="RS256", headers={"kid": KID, "typ": typ})


def cluster(method: str = "basic", unprotected: bool = False, admins: tuple[str, ...] = ("operator",)) -> TestClient:
    security = Security.from_config({
        "authentication": {"method": method, "unprotected-api": unprotected},
        "initialization": {"users": [{"username": USER[0], "password": USER[1]}],
                           "defaultRoles": {"admin": {"users": list(admins)}}}})
    return TestClient(OrchestrationApi(Engine(), security, ("127.0.0.1", 8080)).app())


def oidc_cluster(audiences: tuple[str, ...] | None = (AUDIENCE,)) -> TestClient:
    oidc: dict[str, Any] = {"client-id-claim": "azp"} | ({"audiences": list(audiences)} if audiences else {})
    security = Security.from_config({"authentication": {"method": "oidc", "oidc": oidc}}, StubKeys())
    return TestClient(OrchestrationApi(Engine(), security, ("127.0.0.1", 8443)).app())


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def problem(response: Any) -> dict[str, Any]:
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert set(body) == {"type", "title", "status", "detail", "instance"} and body["type"] == "about:blank"
    return body


def test_a_call_without_credentials_gets_the_security_chains_401() -> None:
    response = cluster().get("/v2/topology")
    assert response.status_code == 401
    assert problem(response) == {"type": "about:blank", "title": "Unauthorized", "status": 401,
                                 "detail": "An Authentication object was not found in the SecurityContext",
                                 "instance": "/v2/topology"}
    assert "www-authenticate" not in response.headers, "no browser Basic prompt for a call without credentials"


@pytest.mark.parametrize("credentials", [(USER[0], "wrong"), ("nobody", USER[1]), ("demo", "demo")])
def test_a_wrong_basic_credential_is_401_with_the_basic_challenge(credentials: tuple[str, str]) -> None:
    response = cluster().get("/v2/topology", auth=credentials)
    assert response.status_code == 401 and problem(response)["detail"] == "Bad credentials"
    assert response.headers["www-authenticate"] == 'Basic realm="Realm"'


def test_the_declared_user_gets_in_and_sees_its_admin_role() -> None:
    client = cluster()
    assert client.get("/v2/topology", auth=USER).json()["brokers"][0]["partitions"][0]["role"] == "leader"
    me = client.get("/v2/authentication/me", auth=USER).json()
    assert me["username"] == USER[0] and me["roles"] == ["admin"]


def test_public_paths_answer_without_credentials_but_a_bad_credential_is_still_refused() -> None:
    client = cluster()
    assert client.get("/v2/license").status_code == 200
    assert client.get("/v2/status").status_code == 204
    assert client.get("/v2/license", auth=(USER[0], "wrong")).status_code == 401


def test_an_unknown_api_path_is_401_before_it_is_404() -> None:
    client = cluster()
    assert client.get("/v2/no-such-thing").status_code == 401
    assert client.get("/v2/no-such-thing", auth=USER).status_code == 404


def test_an_unprotected_api_serves_anyone_and_knows_no_one() -> None:
    client = cluster(unprotected=True)
    assert client.get("/v2/topology").status_code == 200
    assert client.get("/v2/topology", auth=(USER[0], "wrong")).status_code == 200, "no Basic filter reads it"
    assert client.get("/v2/authentication/me", auth=USER).status_code == 401  # camunda/camunda#63472


def test_setup_is_forbidden_while_a_user_holds_the_admin_role_whatever_the_body() -> None:
    response = cluster().post("/v2/setup/user", json={})
    assert response.status_code == 403
    assert problem(response) | {"detail": ""} == {"type": "about:blank", "title": "FORBIDDEN", "status": 403,
                                                  "detail": "", "instance": "/v2/setup/user"}
    assert response.json()["detail"] == ADMIN_EXISTS


def test_setup_is_forbidden_for_the_oidc_method() -> None:
    response = oidc_cluster().post("/v2/setup/user", json={"username": "x", "password": "y"})
    assert response.status_code == 403 and response.json()["detail"] == WRONG_METHOD


def test_oidc_refuses_with_the_bearer_entry_point_and_reads_no_basic_header() -> None:
    client = oidc_cluster()
    for headers in ({}, {"Authorization": "Basic b3BlcmF0b3I6cHc="}):
        response = client.get("/v2/topology", headers=headers)
        assert response.status_code == 401 and response.content == b""
        assert response.headers["www-authenticate"] == "Bearer"
    forged = client.get("/v2/topology", headers=bearer(token()[:-4] + "AAAA"))
    assert forged.status_code == 401 and forged.headers["www-authenticate"].startswith('Bearer error="invalid_token"')


def test_oidc_takes_a_token_for_its_audience_and_names_the_client() -> None:
    client = oidc_cluster()
    assert client.get("/v2/topology", headers=bearer(token())).status_code == 200
    me = client.get("/v2/authentication/me", headers=bearer(token())).json()
    assert me["username"] == "zeebe" and me["canLogout"] is False, "a token naming a client (azp) is the client's"


def test_oidc_audiences_refuse_another_audience_with_the_validators_message() -> None:
    response = oidc_cluster().get("/v2/topology", headers=bearer(token(aud="optimize-api")))
    assert response.status_code == 401
    assert "Token audiences are [optimize-api], expected at least one of [zeebe-api]" in \
        response.headers["www-authenticate"]


def test_without_oidc_audiences_any_audience_gets_in_but_timestamps_still_count() -> None:
    client = oidc_cluster(audiences=None)
    assert client.get("/v2/topology", headers=bearer(token(aud="optimize-api"))).status_code == 200
    now = int(time.time())
    assert client.get("/v2/topology", headers=bearer(token(exp=now - 30))).status_code == 200, "within 60 s skew"
    assert client.get("/v2/topology", headers=bearer(token(exp=now - 120))).status_code == 401


def test_oidc_token_types_and_no_issuer_check_with_one_provider() -> None:
    client = oidc_cluster()
    assert client.get("/v2/topology", headers=bearer(token(typ="at+jwt"))).status_code == 200
    assert client.get("/v2/topology", headers=bearer(token(typ="logout+jwt"))).status_code == 401
    assert client.get("/v2/topology", headers=bearer(token(iss="https://elsewhere.example.com"))).status_code == 200


def test_setup_without_an_admin_validates_then_creates_one_admin_only() -> None:
    client = cluster(admins=())
    assert client.post("/v2/setup/user", json={}).status_code == 400
    created = client.post("/v2/setup/user", json={"username": "first", "password": "pw", "name": "First"})
    assert created.status_code == 201 and created.json() == {"username": "first", "name": "First", "email": ""}
    assert client.get("/v2/authentication/me", auth=("first", "pw")).json()["roles"] == ["admin"]
    assert client.post("/v2/setup/user", json={"username": "second", "password": "pw"}).status_code == 403


def test_engine_rejections_and_tenants_are_problem_details() -> None:
    client = cluster()
    bad = client.post("/v2/deployments", auth=USER, files={"resources": ("x.bpmn", b"<not-bpmn")})
    assert bad.status_code == 400 and problem(bad)["title"] == "INVALID_ARGUMENT"
    foreign = client.post("/v2/deployments", auth=USER, data={"tenantId": "tenant-a"},
                          files={"resources": ("p.bpmn", one_task_process("p", "t"))})
    assert foreign.status_code == 400 and "multi-tenancy is disabled" in problem(foreign)["detail"]
    missing = client.post("/v2/process-instances", auth=USER, json={"processDefinitionId": "absent"})
    assert missing.status_code == 404 and problem(missing)["title"] == "NOT_FOUND"
    not_a_key = client.post("/v2/process-instances", auth=USER, json={"processDefinitionKey": "twelve"})
    assert not_a_key.status_code == 400 and problem(not_a_key)["title"] == "INVALID_ARGUMENT"
