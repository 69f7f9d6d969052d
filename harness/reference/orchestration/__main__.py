"""Orchestration Cluster emulator: the REST API v2 and gRPC over TLS, one engine behind one or more listeners.

Config: `listeners`, each host, port, tls, optional `grpc` (host, port, tls: the cluster's gRPC API),
`camunda.security` with the product's keys
(`authentication.method`, `authentication.unprotected-api`, `authentication.oidc.*`, `initialization.users`,
`initialization.defaultRoles.<role>.users|clients`, `initialization.authorizations`, `initialization.tenants`,
`authorizations.enabled`, `multi-tenancy.checks-enabled`, `csrf.enabled`, `http-headers.*`), Spring Boot's
`server` (`servlet.session.cookie.*`) and `actuator: true` where `management.server.port` is that listener's
port; `management` (host, port): the management port, plain HTTP as the product's default; `identity`
(jwks_url, ca_file, jwks_ttl_s) for the oidc method.
"""
import asyncio
from typing import Any

from starlette.applications import Starlette

from harness.reference.identity_client import IdentityHttp, JwksCache
from harness.reference.orchestration.listeners import serve_listener
from harness.reference.orchestration.management import Management
from harness.reference.runtime import HOST, asgi_server, read_config, setup_logging
from harness.reference.zeebe.engine import Engine


async def main(config: dict[str, Any]) -> None:
    identity = config.get("identity")
    keys = None if identity is None else JwksCache(IdentityHttp(identity["ca_file"]), identity["jwks_url"],
                                                   float(identity.get("jwks_ttl_s", 5)))
    engine = Engine()
    management = Management()
    servers = [serving for listener in config["listeners"]
               for serving in await serve_listener(listener, engine, keys, management)]
    if "management" in config:
        actuator = Starlette(routes=management.routes())
        servers.append(asgi_server(actuator, config["management"].get("host", HOST),
                                   int(config["management"]["port"]), None).serve())
    await asyncio.gather(*servers)


settings = read_config()
setup_logging("orchestration")
asyncio.run(main(settings))
