"""Optimize emulator: `python -m harness.reference.optimize CONFIG.json` (see app.py for the config)."""
import asyncio
from typing import Any

from harness.reference.optimize.app import Optimize
from harness.reference.optimize.importer import ZeebeImporter
from harness.reference.runtime import HOST, asgi_server, read_config, setup_logging


async def main(config: dict[str, Any]) -> None:
    optimize = Optimize(config)
    servers = [asgi_server(optimize.app(bool(listener["multitenancy"]["enabled"])), listener.get("host", HOST),
                           int(listener["port"]), listener["tls"]) for listener in config["listeners"]]
    http = config.get("http")
    if http is not None:
        app = optimize.app(True) if http["serve"] else optimize.redirect_app(config["https_url"])
        servers.append(asgi_server(app, http.get("host", HOST), int(http["port"]), None))
    background = [optimize.seed_until_done()]
    if config.get("zeebe"):
        background.append(ZeebeImporter(optimize.store, config["zeebe"]).run())
    await asyncio.gather(*background, *(server.serve() for server in servers))


settings = read_config()
setup_logging("optimize")
asyncio.run(main(settings))
