"""Identity emulator conformance with real clients: requests-oauthlib, PyJWT's JWKS client and pyzeebe."""

from __future__ import annotations

import asyncio

import grpc
import jwt
import pytest
import requests
from oauthlib.oauth2 import BackendApplicationClient
from pyzeebe import ZeebeClient, create_oauth2_client_credentials_channel
from requests_oauthlib import OAuth2Session

from harness.backends import Stack


@pytest.fixture(scope="module")
def stack(local_stack: Stack) -> Stack:
    return local_stack


def token_request(stack: Stack, **form: str) -> requests.Response:
    assert stack.target.identity is not None
    return requests.post(stack.target.identity.token_url, data={"grant_type": "client_credentials", **form},
                         verify=str(stack.target.ca_file), timeout=10)


@pytest.mark.parametrize("basic_auth", [True, False], ids=["http-basic", "form-body"])
def test_requests_oauthlib_gets_a_token_that_pyjwt_verifies_from_jwks(stack: Stack, basic_auth: bool) -> None:
    identity, credentials = stack.target.identity, stack.credentials("default")
    assert identity is not None
    session = OAuth2Session(client=BackendApplicationClient(client_id=credentials.client_id))
    token = session.fetch_token(identity.token_url, client_id=credentials.client_id,
                                client_secret=credentials.client_secret.get_secret_value(),
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
    audience = token_request(stack, client_id=credentials.client_id,
                             client_secret=credentials.client_secret.get_secret_value(), audience="vault")
    assert audience.status_code == 400 and "audience" in audience.json()["error_description"]
    grant = requests.post(stack.target.identity.token_url, data={"grant_type": "password"},  # type: ignore[union-attr]
                          verify=str(stack.target.ca_file), timeout=10)
    assert grant.status_code == 400 and grant.json()["error"] == "unsupported_grant_type"


def test_pyzeebe_topology_through_the_auth_proxy(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    """pyzeebe's own OAuth channel: token from our endpoint, TLS with our CA, through nginx to the emulator."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(stack.target.ca_file))
    credentials, target = stack.credentials("default"), stack.target
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
