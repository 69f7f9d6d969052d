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

from harness.clients.gateway import GatewayCalls
from harness.config import Gateway, Target
from harness.deployment import grpc_channel, tls_verify
from harness.probes import http_routes
from harness.probes.jwt import Credential

HTTP_TIMEOUT_S = 10
# The route tables (harness/api_routes/) of the HTTP APIs below.
KEYCLOAK_ADMIN_ROUTES, OPTIMIZE_ROUTES, OPERATE_ROUTES = "keycloak-admin", "optimize-public", "operate-v1"
ORCHESTRATION_ROUTES = "orchestration-v2"
# The Orchestration Cluster's decoder with one provider (OidcAccessTokenDecoderFactory.java,
# TokenValidatorFactory.java) runs Spring's timestamp validator and, with `oidc.audiences` set, the audience
# one: it compares no `iss`, and the product documents no issuer check, so AUTH-014 has nothing to hold it to.
ISSUER_UNCHECKED = ("the Orchestration Cluster does not compare a token's issuer with one OIDC provider "
                    "(TokenValidatorFactory: timestamps and, when configured, audiences only; keys come from "
                    "the provider's JWKS), and promises no issuer check")


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
    # The clock leeway its verifier allows, where it is not the Target's identity.clock_skew_s.
    clock_skew_s: float | None
    # Checks the product does not promise on this endpoint, each with the reason (they skip, saying it).
    unpromised: Mapping[str, str]

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
    clock_skew_s: float | None = None
    unpromised: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def send(self, credential: Credential) -> Answer:
        channel = grpc_channel(self.gateway.address, self.gateway.tls, self.ca_file)
        with GatewayCalls(channel, credential.authorization) as calls:
            result = calls.topology(query_token=credential.query_token)
        return Answer(result.code.name, result.ok, result.code == grpc.StatusCode.UNAUTHENTICATED,
                      result.code == grpc.StatusCode.PERMISSION_DENIED, result.details)


@dataclasses.dataclass(frozen=True)
class HttpEndpoint:
    """An HTTP API that takes Identity's bearer tokens, described by its routes (harness.probes.http_routes);
    its representative route answers 2xx to a client allowed to call it."""

    name: str
    client: str
    base: str
    api: http_routes.ApiDescription
    verify: str | bool
    anonymous_refusals: frozenset[str] = frozenset({"HTTP 401"})
    audience: str | None = None
    clock_skew_s: float | None = None
    unpromised: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def send(self, credential: Credential) -> Answer:
        with requests.Session() as session:
            answer = http_routes.call(session, self.base, self.api.representative, credential, self.verify)
        if answer.status is None:
            # A server may drop a request it will not parse (an oversized header) instead of answering.
            return Answer("connection closed", False, False, False, answer.reason)
        return Answer(f"HTTP {answer.status}", 200 <= answer.status < 300, answer.status == 401,
                      answer.status == 403, answer.reason)


def _gateway(target: Target) -> Endpoint | None:
    return GatewayEndpoint(target.gateway, target.ca_file) if target.gateway is not None else None


def _identity_admin(target: Target) -> Endpoint | None:
    identity = target.identity
    if identity is None or identity.admin_url is None or identity.admin_client is None:
        return None
    # Keycloak's admin REST API: listing a realm's clients needs a token with the realm-admin role.
    return HttpEndpoint("identity-admin", identity.admin_client, identity.admin_url,
                        http_routes.load(KEYCLOAK_ADMIN_ROUTES), tls_verify(target.ca_file),
                        anonymous_refusals=frozenset({"HTTP 401", "HTTP 403"}))


def _optimize(target: Target) -> Endpoint | None:
    optimize = target.optimize
    # Its caller is Optimize's API client: only it holds the public API's audience (TEN-011).
    if optimize is None or optimize.audience is None or optimize.client is None:
        return None
    client = optimize.client
    # Listing a collection's dashboards is the cheapest call of Optimize's public API (its representative
    # route); an unknown collection lists none, so any collection id proves the token got in.
    collection = optimize.collection_ids[0] if optimize.collection_ids else "harness-probe"
    return HttpEndpoint("optimize", client, optimize.url, http_routes.load(OPTIMIZE_ROUTES, {"collection": collection}),
                        tls_verify(target.ca_file), audience=optimize.audience)


def _operate(target: Target) -> Endpoint | None:
    operate = target.operate
    if operate is None or operate.audience is None or "default" not in target.clients:
        return None
    # Searching incidents is Operate's representative route; a search that matches nothing is still 200.
    return HttpEndpoint("operate", "default", operate.url, http_routes.load(OPERATE_ROUTES),
                        tls_verify(target.ca_file), audience=operate.audience)


def _orchestration(target: Target) -> Endpoint | None:
    cluster = target.orchestration
    url = None if cluster is None else cluster.oidc_endpoint
    if cluster is None or url is None or cluster.client is None:
        return None
    # The REST API v2 of a cluster with the oidc method; reading the topology is its representative route.
    return HttpEndpoint("orchestration", cluster.client, url, http_routes.load(ORCHESTRATION_ROUTES),
                        tls_verify(target.ca_file), audience=cluster.audience, clock_skew_s=cluster.clock_skew_s,
                        unpromised={"AUTH-014": ISSUER_UNCHECKED})


def _orchestration_grpc(target: Target) -> Endpoint | None:
    cluster = target.orchestration
    address = None if cluster is None else cluster.oidc_grpc_endpoint
    if cluster is None or address is None or cluster.client is None:
        return None
    # The gRPC API of the same cluster: one JwtDecoder for both (AuthenticationHandler.Oidc), so the same
    # audience, clock skew and unchecked issuer.
    return GatewayEndpoint(Gateway(address=address, tls=True), target.ca_file, name="orchestration-grpc",
                           client=cluster.client, audience=cluster.audience, clock_skew_s=cluster.clock_skew_s,
                           unpromised={"AUTH-014": ISSUER_UNCHECKED})


@dataclasses.dataclass(frozen=True)
class EndpointKind:
    """One kind of authenticated endpoint; `build` returns None when the Target does not declare it.
    `routes` names an HTTP API's route table (harness/api_routes/), whose every route AUTH-041 probes."""

    name: str
    build: Callable[[Target], Endpoint | None]
    absent: str
    routes: str | None = None


KINDS: dict[str, EndpointKind] = {kind.name: kind for kind in (
    EndpointKind("gateway", _gateway, "the target declares no gateway"),
    EndpointKind("identity-admin", _identity_admin,
                 "the target declares no Identity admin API (identity.admin_url and identity.admin_client)",
                 KEYCLOAK_ADMIN_ROUTES),
    EndpointKind("optimize", _optimize, "the target declares no Optimize public API (optimize.url and "
                                        "optimize.audience) or no optimize.client to call it", OPTIMIZE_ROUTES),
    EndpointKind("operate", _operate, "the target declares no Operate API (operate.url and operate.audience) "
                                      "or no default client to call it", OPERATE_ROUTES),
    EndpointKind("orchestration", _orchestration, "the target declares no Orchestration Cluster with the oidc method "
                 "(orchestration.auth: oidc or orchestration.oidc_url) or no orchestration.client to call it",
                 ORCHESTRATION_ROUTES),
    EndpointKind("orchestration-grpc", _orchestration_grpc, "the target declares no Orchestration Cluster gRPC API "
                 "with the oidc method (orchestration.auth: oidc with grpc_address, or orchestration.oidc_grpc_address) "
                 "or no orchestration.client to call it"),
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
    return AnonymousOnlyEndpoint("search", target.search.url, tls_verify(target.ca_file), frozenset({401}), credential)


def _vault(target: Target, environ: Mapping[str, str]) -> AnonymousOnlyEndpoint | None:
    vault = target.vault
    if vault is None:
        return None
    # Reading a declared KV path (else listing the mount) needs a token granting it; Vault refuses a call
    # without one with 403. A declared path keeps the positive control within a least-privilege operator
    # token's reach, where listing the mount root would get 403 for lack of `list` there.
    token = environ.get(vault.admin_token_env) if vault.admin_token_env else None
    paths = [role.path for role in vault.approles.values()]
    resource = f"data/{paths[0]}" if paths else "metadata/?list=true"
    url = f"{vault.url.rstrip('/')}/v1/{vault.mount}/{resource}"
    return AnonymousOnlyEndpoint("vault", url, tls_verify(target.ca_file), frozenset({403}),
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
