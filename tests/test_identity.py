"""Identity emulator conformance with real clients: requests-oauthlib, PyJWT's JWKS client and pyzeebe."""

from __future__ import annotations

import asyncio
import urllib.parse

import grpc
import jwt
import pytest
import requests
from oauthlib.oauth2 import BackendApplicationClient
from pyzeebe import ZeebeClient, create_oauth2_client_credentials_channel
from requests.auth import HTTPBasicAuth
from requests_oauthlib import OAuth2Session

from harness.deployment import Stack


@pytest.fixture(scope="module")
def stack(local_stack: Stack) -> Stack:
    return local_stack


def token_request(stack: Stack, **form: str) -> requests.Response:
    assert stack.target.identity is not None
    return requests.post(stack.target.identity.token_url, data={"grant_type": "client_credentials", **form},
                         verify=str(stack.target.ca_file), timeout=10)


@pytest.mark.parametrize("basic_auth", [True, False], ids=["http-basic", "form-body"])
def test_requests_oauthlib_gets_a_token_that_pyjwt_verifies_from_jwks(stack: Stack, basic_auth: bool) -> None:
    """The default client's secret holds URL-special and non-ASCII characters. In an HTTP Basic header RFC 6749
    2.3.1 wants client id and secret form-encoded before base64, and Keycloak decodes them so
    (keycloak/keycloak, org/keycloak/util/BasicAuthHelper.java: `RFC6749.parseHeader`);
    requests-oauthlib sends them as they are, so the caller encodes them, as a correct client must."""
    identity, credentials = stack.target.identity, stack.credentials("default")
    assert identity is not None
    client_id, secret = credentials.client_id, credentials.client_secret.get_secret_value()
    session = OAuth2Session(client=BackendApplicationClient(client_id=client_id))
    basic = HTTPBasicAuth(urllib.parse.quote_plus(client_id), urllib.parse.quote_plus(secret)) if basic_auth else None
    token = session.fetch_token(identity.token_url, client_id=client_id, client_secret=secret, auth=basic,
                                include_client_id=not basic_auth, audience="zeebe-api",
                                verify=str(stack.target.ca_file))
    assert token["token_type"] == "Bearer" and token["expires_in"] > 0
    ssl_context = __import__("ssl").create_default_context(cafile=str(stack.target.ca_file))
    signing_key = jwt.PyJWKClient(identity.jwks_url, ssl_context=ssl_context).get_signing_key_from_jwt(
        token["access_token"])
    claims = jwt.decode(token["access_token"], signing_key, algorithms=["RS256"], audience="zeebe-api",
                        issuer=identity.issuer)
    assert {"exp", "nbf", "iat", "iss", "aud", "sub"} <= set(claims)
    assert jwt.get_unverified_header(token["access_token"])["kid"] == signing_key.key_id


def test_keycloak_errors(stack: Stack) -> None:
    credentials = stack.credentials("default")
    wrong = token_request(stack, client_id=credentials.client_id, client_secret="wrong-secret")
    assert wrong.status_code == 401 and wrong.json()["error"] == "unauthorized_client"
    unknown = token_request(stack, client_id="nobody", client_secret="x")
    assert unknown.status_code == 401 and unknown.json()["error"] == "invalid_client"
    grant = requests.post(stack.target.identity.token_url, data={"grant_type": "password"},  # type: ignore[union-attr]
                          verify=str(stack.target.ca_file), timeout=10)
    assert grant.status_code == 400 and grant.json()["error"] == "unsupported_grant_type"


def test_audience_comes_from_the_client_mappers_not_the_request(stack: Stack) -> None:
    """Keycloak's client-credentials grant reads no `audience` parameter (keycloak/keycloak
    services/src/main/java/org/keycloak/protocol/oidc/grants/ClientCredentialsGrantType.java: only token
    exchange does); `aud` comes from the client's audience mappers, written as a string for one audience and
    as an array for several (core/src/main/java/org/keycloak/json/StringOrArraySerializer.java)."""
    def aud(client: str, **form: str) -> object:
        credentials = stack.credentials(client)
        response = token_request(stack, client_id=credentials.client_id,
                                 client_secret=credentials.client_secret.get_secret_value(), **form)
        assert response.status_code == 200, response.text
        return jwt.decode(response.json()["access_token"], options={"verify_signature": False})["aud"]

    assert aud("default") == ["zeebe-api", "operate-api", "optimize-api"]
    assert aud("default", audience="vault") == aud("default"), "the audience parameter is ignored"
    assert aud("admin") == "camunda-identity-resource-server"
    assert aud("admin", audience="zeebe-api") == "camunda-identity-resource-server"


def test_pyzeebe_topology_through_the_auth_proxy(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    """pyzeebe's own OAuth channel: token from our endpoint, TLS with our CA, through nginx to the emulator.
    pyzeebe puts the secret in a Basic header unencoded, so a business unit's URL-safe secret is used."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(stack.target.ca_file))
    credentials, target = stack.credentials("bu_a"), stack.target
    assert target.gateway is not None and target.identity is not None and target.ca_file is not None

    async def topology() -> str:
        channel = create_oauth2_client_credentials_channel(
            grpc_address=target.gateway.address, client_id=credentials.client_id,
            client_secret=credentials.client_secret.get_secret_value(),
            authorization_server=target.identity.token_url, audience="zeebe-api", scope=None,
            channel_credentials=grpc.ssl_channel_credentials(target.ca_file.read_bytes()))
        response = await ZeebeClient(channel).topology()
        await channel.close()
        return response.gateway_version

    assert asyncio.run(topology()) == "8.5.0"


def test_admin_api_answers_like_keycloak(stack: Stack) -> None:
    """`GET .../clients`: 401 without or with an invalid token, 403 for a valid non-admin token, and the
    ClientRepresentation list (no secrets) for the admin client, whose token requests-oauthlib fetches."""
    identity, verify = stack.target.identity, str(stack.target.ca_file)
    assert identity is not None and identity.admin_url is not None

    def token(client: str, audience: str) -> str:
        credentials = stack.credentials(client)
        session = OAuth2Session(client=BackendApplicationClient(client_id=credentials.client_id))
        return session.fetch_token(identity.token_url, client_id=credentials.client_id, audience=audience,
                                   client_secret=credentials.client_secret.get_secret_value(),
                                   include_client_id=True, verify=verify)["access_token"]

    def clients(authorization: str | None) -> requests.Response:
        headers = {} if authorization is None else {"Authorization": authorization}
        return requests.get(f"{identity.admin_url}/clients", headers=headers, verify=verify, timeout=10)

    admin = token("admin", stack.target.clients["admin"].audience)
    assert clients(None).status_code == 401 and clients(None).json() == {"error": "HTTP 401 Unauthorized"}
    assert clients(f"Bearer {admin[:-4]}AAAA").status_code == 401
    assert clients(f"Bearer {token('default', 'zeebe-api')}").status_code == 403
    listed = clients(f"Bearer {admin}")
    assert listed.status_code == 200
    expected = {stack.credentials(name).client_id for name in stack.target.clients}
    assert {client["clientId"] for client in listed.json()} == expected
    fields = {"id", "clientId", "enabled", "publicClient", "serviceAccountsEnabled"}
    assert all(set(client) == fields for client in listed.json())


def test_every_verifier_finds_its_audience_in_an_aud_array(stack: Stack) -> None:
    """A client with several audience mappers gets `aud` as an array (Keycloak's StringOrArraySerializer);
    RFC 7519 4.1.3 has each recipient look for itself in it. The proxy (njs), the gateway in auth mode
    identity, Operate and Optimize take the default client's array token and refuse the admin client's,
    whose one audience is none of theirs."""
    target = stack.target
    assert target.operate is not None and target.optimize is not None
    array, other = stack.token("default"), stack.token("admin")
    assert isinstance(jwt.decode(array, options={"verify_signature": False})["aud"], list)

    def gateway(token: str, tenancy: bool) -> bool:
        with stack.gateway(f"Bearer {token}", tenancy=tenancy) as calls:
            return calls.topology().code == grpc.StatusCode.OK

    def http(method: str, url: str, token: str) -> bool:
        response = requests.request(method, url, headers={"Authorization": f"Bearer {token}"}, timeout=10,
                                    verify=str(target.ca_file), **({"json": {"size": 1}} if method == "POST" else {}))
        assert response.status_code in (200, 401), response.status_code
        return response.status_code == 200

    verifiers = {
        "proxy": lambda token: gateway(token, False),
        "gateway (auth mode identity)": lambda token: gateway(token, True),
        "operate": lambda token: http("POST", f"{target.operate.url}/v1/incidents/search", token),  # type: ignore[union-attr]
        "optimize": lambda token: http("GET", f"{target.optimize.url}/api/public/dashboard?collectionId=x", token),  # type: ignore[union-attr]
    }
    seen = {name: (accepts(array), accepts(other)) for name, accepts in verifiers.items()}
    assert seen == {name: (True, False) for name in verifiers}
