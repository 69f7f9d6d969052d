"""What one client-facing listener of the cluster serves, from its config (see __main__ for the keys): its
REST API and web login, and the gRPC API of the same cluster where it has one."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Awaitable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from harness.reference import tls_front
from harness.reference.orchestration.api import OrchestrationApi
from harness.reference.orchestration.authorizations import Access
from harness.reference.orchestration.grpc import ClusterAuthentication, ClusterPermissions
from harness.reference.orchestration.management import Management
from harness.reference.orchestration.security import Memberships, Principal, Security, SigningKeys
from harness.reference.orchestration.tenants import Tenancy
from harness.reference.orchestration.web import Web, security_headers
from harness.reference.rest_headers import HTTP_METHODS, StaticHeaders
from harness.reference.runtime import HOST, asgi_server
from harness.reference.zeebe.engine import Engine
from harness.reference.zeebe.gateway import start_listener


def https_redirect(location: str) -> Starlette:
    """A plain-HTTP port that only sends browsers and clients to https (what an ingress in front does)."""
    async def redirect(request: Request) -> Response:
        return RedirectResponse(location.rstrip("/") + request.url.path, status_code=308)
    return Starlette(routes=[Route("/{path:path}", redirect, methods=HTTP_METHODS)])


@dataclasses.dataclass(frozen=True)
class ClusterSecurity:
    """One cluster's `camunda.security`, shared by its REST API, web login and gRPC API."""

    security: Security
    access: Access
    tenancy: Tenancy
    web: Web

    @classmethod
    def of(cls, listener: dict[str, Any], keys: SigningKeys | None) -> ClusterSecurity:
        camunda_security = listener["camunda"]["security"]
        security = Security.from_config(camunda_security, keys)
        access = Access.from_config(camunda_security, security.directory)
        tenancy = Tenancy.from_config(camunda_security, access.identities)

        def memberships(caller: Principal) -> Memberships:
            return Memberships(frozenset(access.identities(caller)), frozenset(tenancy.member_of(caller)))

        return cls(security, access, tenancy,
                   Web.from_config(security, camunda_security, listener.get("server", {}), memberships))


def listener_app(listener: dict[str, Any], engine: Engine, keys: SigningKeys | None, management: Management,
                 cluster: ClusterSecurity | None = None) -> Any:
    """One client-facing listener: the web login, the API, the actuator if merged onto it, and the headers;
    or, with `redirect_to`, only a redirect to the https listener. `cluster`: its security, if already built
    (the gRPC listener shares it)."""
    if listener.get("redirect_to"):
        return https_redirect(listener["redirect_to"])
    cluster = cluster or ClusterSecurity.of(listener, keys)
    host, port = listener.get("host", HOST), int(listener["port"])
    api = OrchestrationApi(engine, cluster.security, (host, port), cluster.access, cluster.tenancy, cluster.web).app()
    routes: list[BaseRoute] = [Route("/login", cluster.web.login, methods=["POST"]),
                               Route("/logout", cluster.web.logout, methods=["POST"])]
    routes += management.routes() if listener.get("actuator") else []
    app = Starlette(routes=[*routes, Mount("/", app=api)])
    headers = security_headers(listener["camunda"]["security"].get("http-headers", {}), https=bool(listener.get("tls")))
    return StaticHeaders(app, headers)


async def serve_listener(listener: dict[str, Any], engine: Engine, keys: SigningKeys | None,
                         management: Management) -> list[Awaitable[Any]]:
    """Start one listener (and its gRPC API, where it has `grpc`: host, port, tls); what to await."""
    cluster = None if listener.get("redirect_to") else ClusterSecurity.of(listener, keys)
    app = listener_app(listener, engine, keys, management, cluster)
    serving: list[Awaitable[Any]] = [asgi_server(app, listener.get("host", HOST), int(listener["port"]),
                                                 listener.get("tls")).serve()]
    if cluster is not None and listener.get("grpc"):
        serving += await _serve_grpc(listener["grpc"], engine, cluster)
    return serving


async def _serve_grpc(listener: dict[str, Any], engine: Engine, cluster: ClusterSecurity) -> list[Awaitable[Any]]:
    """The cluster's gRPC API: plaintext on a private abstract Unix socket behind a TLS front (tls_front.py says
    why), or plaintext on its port without `tls`."""
    host, port, tls = listener.get("host", HOST), int(listener["port"]), listener.get("tls")
    # An abstract socket (Linux): nothing on the file system to leave behind, nothing on the network.
    socket_name = f"harness-grpc-{os.getpid()}-{port}"
    address = f"unix-abstract:{socket_name}" if tls else f"{host}:{port}"
    server = await start_listener(engine, ClusterAuthentication(cluster.security, cluster.tenancy), address, port,
                                  None, permissions=ClusterPermissions(cluster.access))
    serving: list[Awaitable[Any]] = [server.wait_for_termination()]
    if tls:
        front = await tls_front.start(host, port, tls, "\0" + socket_name)
        serving.append(front.serve_forever())
    return serving
