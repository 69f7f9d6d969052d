"""The authenticated endpoints a Target has, behind one interface: present a credential, see if it got in.

The auth checks parametrize over `KINDS`, so a service plugs in by declaring itself in the Target (its
section in `harness.config.Target`) and adding one `EndpointKind` here; no check changes. gRPC endpoints
refuse with UNAUTHENTICATED (PERMISSION_DENIED when the caller is known but not allowed), HTTP endpoints
with 401 (403 likewise).
"""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol

import grpc
import requests

from harness.clients import gateway as gateway_client
from harness.config import Gateway, Target
from harness.probes.jwt import Credential

HTTP_TIMEOUT_S = 10


@dataclasses.dataclass(frozen=True)
class Answer:
    """What one call got: `status` is the gRPC code name or `HTTP <code>`."""

    status: str
    accepted: bool
    unauthenticated: bool
    forbidden: bool
    detail: str = ""

    @property
    def refused(self) -> bool:
        """Refused for the credential: not authenticated, or authenticated and not allowed."""
        return self.unauthenticated or self.forbidden


class Endpoint(Protocol):
    name: str
    client: str  # the Target client whose Identity token this endpoint accepts
    audience: str | None  # the token audience it takes; None: the client's own (Target clients.<name>.audience)
    # The statuses that refuse a call without credentials, as the product documents them.
    anonymous_refusals: frozenset[str]

    def send(self, credential: Credential) -> Answer: ...


@dataclasses.dataclass(frozen=True)
class GatewayEndpoint:
    """The Zeebe gateway through the auth proxy: Topology is the cheapest authenticated call."""

    gateway: Gateway
    ca_file: Path | None
    name: str = "gateway"
    client: str = "default"
    audience: str | None = None
    anonymous_refusals: frozenset[str] = frozenset({grpc.StatusCode.UNAUTHENTICATED.name})

    def send(self, credential: Credential) -> Answer:
        result = gateway_client.topology(self.gateway, self.ca_file, credential.authorization,
                                         query_token=credential.query_token)
        return Answer(result.code.name, result.ok, result.code == grpc.StatusCode.UNAUTHENTICATED,
                      result.code == grpc.StatusCode.PERMISSION_DENIED, result.details)


@dataclasses.dataclass(frozen=True)
class HttpEndpoint:
    """An HTTP API that takes Identity's bearer tokens; `url` answers 2xx to a client allowed to call it."""

    name: str
    client: str
    url: str
    verify: str | bool
    anonymous_refusals: frozenset[str] = frozenset({"HTTP 401"})
    audience: str | None = None

    def send(self, credential: Credential) -> Answer:
        headers = {} if credential.authorization is None else {"Authorization": credential.authorization}
        params = {} if credential.query_token is None else {"access_token": credential.query_token}
        try:
            response = requests.get(self.url, headers=headers, params=params, verify=self.verify,
                                    timeout=HTTP_TIMEOUT_S, allow_redirects=False)
        except requests.ConnectionError as error:
            # A server may drop a request it will not parse (an oversized header) instead of answering.
            return Answer("connection closed", False, False, False, type(error).__name__)
        return Answer(f"HTTP {response.status_code}", response.ok, response.status_code == 401,
                      response.status_code == 403, response.reason or "")


def _verify(target: Target) -> str | bool:
    return str(target.ca_file) if target.ca_file else True


def _gateway(target: Target) -> Endpoint | None:
    return GatewayEndpoint(target.gateway, target.ca_file) if target.gateway is not None else None


def _identity_admin(target: Target) -> Endpoint | None:
    identity = target.identity
    if identity is None or identity.admin_url is None or identity.admin_client is None:
        return None
    # Keycloak's admin REST API: listing a realm's clients needs a token with the realm-admin role.
    return HttpEndpoint("identity-admin", identity.admin_client, f"{identity.admin_url}/clients",
                        _verify(target), anonymous_refusals=frozenset({"HTTP 401", "HTTP 403"}))


def _optimize(target: Target) -> Endpoint | None:
    optimize = target.optimize
    if optimize is None or optimize.audience is None:
        return None
    client = next((name for name, c in target.clients.items() if c.tenants), None)
    if client is None:
        return None
    # Listing a collection's dashboards is the cheapest call of Optimize's public API; an unknown
    # collection lists none, so any collection id proves the token got in.
    collection = optimize.collection_ids[0] if optimize.collection_ids else "harness-probe"
    return HttpEndpoint("optimize", client, f"{optimize.url.rstrip('/')}/api/public/dashboard?collectionId={collection}",
                        _verify(target), audience=optimize.audience)


@dataclasses.dataclass(frozen=True)
class EndpointKind:
    """One kind of authenticated endpoint; `build` returns None when the Target does not declare it."""

    name: str
    build: Callable[[Target], Endpoint | None]
    absent: str


KINDS: dict[str, EndpointKind] = {kind.name: kind for kind in (
    EndpointKind("gateway", _gateway, "the target declares no gateway"),
    EndpointKind("identity-admin", _identity_admin,
                 "the target declares no Identity admin API (identity.admin_url and identity.admin_client)"),
    EndpointKind("optimize", _optimize, "the target declares no Optimize public API (optimize.url and "
                                        "optimize.audience) or no client with tenants to call it"),
)}


# Services that take their own credentials rather than Identity's tokens (Elasticsearch's users, Vault's
# tokens): the token checks do not apply, only the anonymous-access ones. Each kind names the check that
# probes it and the statuses that refuse a call without credentials, as the product documents them.
@dataclasses.dataclass(frozen=True)
class AnonymousAnswer:
    status: int | None  # None: no connection from where the test runs
    challenges: tuple[str, ...]
    detail: str


@dataclasses.dataclass(frozen=True)
class AnonymousOnlyEndpoint:
    """An HTTP service with its own credentials; `credential` (when the Target names one) is the
    Authorization header of the positive control, which must get a 2xx."""

    name: str
    url: str
    verify: str | bool
    refusals: frozenset[int]
    credential: str | None = dataclasses.field(default=None, repr=False)

    def send(self, with_credentials: bool) -> AnonymousAnswer:
        headers = {"Authorization": self.credential} if with_credentials and self.credential else {}
        try:
            response = requests.get(self.url, headers=headers, verify=self.verify, timeout=HTTP_TIMEOUT_S,
                                    allow_redirects=False)
        except requests.exceptions.SSLError:
            raise  # reached, but TLS failed: the TLS checks judge that; these checks must not skip over it
        except requests.ConnectionError as error:
            return AnonymousAnswer(None, (), type(error).__name__)
        return AnonymousAnswer(response.status_code, tuple(response.raw.headers.getlist("WWW-Authenticate")),
                               response.reason or "")


def _search(target: Target, environ: Mapping[str, str]) -> AnonymousOnlyEndpoint | None:
    if target.search is None:
        return None
    credentials = target.search.basic_auth(environ)
    credential = None if credentials is None else "Basic " + base64.b64encode(
        f"{credentials[0]}:{credentials[1].get_secret_value()}".encode()).decode()
    # Elasticsearch 8: 401 with WWW-Authenticate challenges (RFC 9110 15.5.2).
    return AnonymousOnlyEndpoint("search", target.search.url, _verify(target), frozenset({401}), credential)


def _vault(target: Target, environ: Mapping[str, str]) -> AnonymousOnlyEndpoint | None:
    vault = target.vault
    if vault is None:
        return None
    # Listing the KV mount needs a token granting list; Vault refuses a call without one with 403.
    token = environ.get(vault.admin_token_env) if vault.admin_token_env else None
    url = f"{vault.url.rstrip('/')}/v1/{vault.mount}/metadata/?list=true"
    return AnonymousOnlyEndpoint("vault", url, _verify(target), frozenset({403}),
                                 f"Bearer {token}" if token else None)


@dataclasses.dataclass(frozen=True)
class AnonymousOnlyKind:
    """One service that takes no Identity token; `check` is the catalog check that probes it, `build`
    returns None when the Target does not declare the service; `challenge` says the product documents a
    WWW-Authenticate challenge with its refusal."""

    name: str
    check: str
    build: Callable[[Target, Mapping[str, str]], AnonymousOnlyEndpoint | None]
    absent: str
    challenge: bool = False


ANONYMOUS_ONLY: dict[str, AnonymousOnlyKind] = {kind.name: kind for kind in (
    AnonymousOnlyKind("search", "AUTH-023", _search, "the target declares no Elasticsearch (search.url)",
                      challenge=True),
    AnonymousOnlyKind("vault", "AUTH-030", _vault, "the target declares no vault"),
)}
