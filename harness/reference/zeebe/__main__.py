"""Zeebe gateway emulator: serves the real `gateway_protocol.Gateway` gRPC service (pyzeebe's stubs).

Config: `listeners` (port, auth_mode none|identity, multi_tenancy, optional tls), `identity` (how mode
identity reaches Identity), optional `operate` (port, tls, audience) and the profile's `weaknesses`.
"""
import asyncio
from typing import Any

from harness.reference.profile import Profile
from harness.reference.runtime import HOST, read_config, setup_logging
from harness.reference.zeebe.auth import Authenticator
from harness.reference.zeebe.engine import Engine
from harness.reference.zeebe.gateway import start_listener


async def main(config: dict[str, Any]) -> None:
    profile = Profile(frozenset(config.get("weaknesses", ())))
    engine = Engine()
    servers = [await start_listener(engine, Authenticator(listener.get("auth_mode", "none"),
                                                          bool(listener.get("multi_tenancy", False)),
                                                          config.get("identity"), profile),
                                    int(listener["port"]), listener.get("tls"))
               for listener in config["listeners"]]
    waits = [server.wait_for_termination() for server in servers]
    operate = config.get("operate")
    if operate:
        import uvicorn

        from harness.reference.zeebe.operate import operate_app
        app = operate_app(engine, Authenticator("identity", True, config["identity"], profile), operate["audience"])
        tls = operate.get("tls") or {}
        server = uvicorn.Server(uvicorn.Config(app, host=HOST, port=int(operate["port"]), log_level="warning",
                                               access_log=False, ssl_certfile=tls.get("cert_file"),
                                               ssl_keyfile=tls.get("key_file"), server_header=False,
                                               lifespan="off"))
        waits.append(server.serve())
    await asyncio.gather(*waits)


settings = read_config()
setup_logging("zeebe")
asyncio.run(main(settings))
