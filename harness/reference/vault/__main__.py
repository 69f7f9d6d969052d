import logging
import threading
import time

from harness.reference.runtime import HOST, asgi_server, read_config, setup_logging
from harness.reference.vault.app import VaultApp

ANNOUNCE_WAIT_S = 30


def announce(server: object, host: str, port: int, log: logging.Logger) -> None:
    """Log "listening on" once uvicorn has bound the socket: the docker backend waits for that line on a
    listener clients cannot reach."""
    deadline = time.monotonic() + ANNOUNCE_WAIT_S
    while time.monotonic() < deadline:
        if getattr(server, "started", False):
            log.info("vault listening on %s:%d", host, port)
            return
        time.sleep(0.02)


config = read_config()
log = setup_logging("vault")
host, port = config.get("host", HOST), int(config["port"])
server = asgi_server(VaultApp(config).app, host, port, config.get("tls"))
threading.Thread(target=announce, args=(server, host, port, log), daemon=True).start()
server.run()
