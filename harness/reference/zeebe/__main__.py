"""Zeebe gateway emulator: serves the real `gateway_protocol.Gateway` gRPC service (pyzeebe's stubs).

Config: `listeners` (host, port, auth_mode none|identity, multi_tenancy, optional tls), `identity` (how mode
identity reaches Identity), optional `operate` (port, tls, audience) and the profile's `weaknesses`.
"""
import asyncio
from typing import Any

from harness.reference.profile import Profile
from harness.reference.runtime import HOST, asgi_server, read_config, setup_logging
from harness.reference.zeebe.auth import Authenticator
from harness.reference.zeebe.engine import Engine
from harness.reference.zeebe.gateway import start_listener


async def main(config: dict[str, Any]) -> None:
    profile = Profile(frozenset(config.get("weaknesses", ())))
    exporter_args = ((config.get("exporters") or {}).get("elasticsearch") or {}).get("args")
    engine = Engine(exporting=exporter_args is not None)
    servers = [await start_listener(engine, Authenticator(listener.get("auth_mode", "none"),
                                                          bool(listener.get("multi_tenancy", False)),
                                                          config.get("identity"), profile),
                                    f"{listener.get('host', HOST)}:{listener['port']}", int(listener["port"]),
                                    listener.get("tls"),
                                    reflection_on=profile.has("grpc_reflection_open"))
               for listener in config["listeners"]]
    waits = [server.wait_for_termination() for server in servers]
    operate = config.get("operate")
    if operate:
        from harness.reference.zeebe.operate import operate_app
        app = operate_app(engine, Authenticator("identity", True, config["identity"], profile), operate["audience"])
        waits.append(asgi_server(app, operate.get("host", HOST), int(operate["port"]), operate.get("tls")).serve())
    if exporter_args is not None:
        from harness.reference.zeebe.exporter import ElasticsearchExporter
        waits.append(ElasticsearchExporter(engine, exporter_args).run())
    await asyncio.gather(*waits)


settings = read_config()
setup_logging("zeebe")
asyncio.run(main(settings))
