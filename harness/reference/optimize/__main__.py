"""Optimize emulator: `python -m harness.reference.optimize CONFIG.json` (see app.py for the config).

Each listener's socket is bound before serving and announced ("listening on host:port"): the docker
backend's readiness signal for the listener only the ingress reaches."""
import asyncio
import logging
from typing import Any

from harness.reference.optimize.app import Optimize
from harness.reference.optimize.importer import ZeebeImporter
from harness.reference.runtime import HOST, asgi_server, listening_socket, read_config, setup_logging

log = logging.getLogger("optimize")


async def main(config: dict[str, Any]) -> None:
    optimize = Optimize(config)
    serving = []
    for listener in config["listeners"]:
        host, port = listener.get("host", HOST), int(listener["port"])
        server = asgi_server(optimize.app(bool(listener["multitenancy"]["enabled"])), host, port, listener["tls"])
        bound = listening_socket(host, port)
        log.info("listening on %s:%d", host, port)
        serving.append(server.serve(sockets=[bound]))
    background = [optimize.seed_until_done()]
    if config.get("zeebe"):
        background.append(ZeebeImporter(optimize.store, config["zeebe"]).run())
    await asyncio.gather(*background, *serving)


settings = read_config()
setup_logging("optimize")
asyncio.run(main(settings))
