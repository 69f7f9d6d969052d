"""What every reference service shares: its JSON config file, logging, and serving HTTP over TLS.

A service is started as `python -m harness.reference.<name> CONFIG.json`; the config file (mode 0600,
in the run directory) carries ports, certificate paths, the profile's weaknesses and any secrets, so no
secret ever appears on a command line or in the environment of an unrelated process.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import ssl
import sys
from pathlib import Path
from typing import Any

from harness.reference.tls_policy import INTERMEDIATE_CIPHERS, SINGLE_GROUP

HOST = "127.0.0.1"
# Clients of the reference services hold keep-alive connections (hvac, requests sessions); a stop must not
# wait for them, or a stopped service outlives the fault a check injects.
GRACEFUL_SHUTDOWN_S = 0.5


def write_config(path: Path, config: dict[str, Any]) -> Path:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(config, handle)
    return path


def save_state(path: str, state: dict[str, Any]) -> None:
    """Write a service's state so a restarted service (a fault a check injects) comes back as it was;
    through a temporary file, so a stop mid-write never leaves half a state behind."""
    tmp = Path(f"{path}.tmp")
    write_config(tmp, state)
    os.replace(tmp, path)


def read_config() -> dict[str, Any]:
    if len(sys.argv) != 2:
        raise SystemExit(f"usage: python -m {sys.modules['__main__'].__spec__.name} CONFIG.json")  # type: ignore[union-attr]
    return json.loads(Path(sys.argv[1]).read_text())


def setup_logging(service: str) -> logging.Logger:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format=f"%(asctime)s {service} %(levelname)s %(message)s")
    return logging.getLogger(service)


def asgi_server(app: Any, host: str, port: int, tls: dict[str, str] | None) -> Any:
    """A uvicorn server for an ASGI app, over TLS with Mozilla's intermediate settings when given a
    certificate (a `uvicorn.Server`; uvicorn is imported only by the services that serve HTTP).

    uvicorn's access log is off: it would print query strings, and `?access_token=` is one of the
    forgeries the auth scenario sends. Services log what they need themselves, redacted.
    """
    import uvicorn

    server_config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                                   ssl_certfile=(tls or {}).get("cert_file"), ssl_keyfile=(tls or {}).get("key_file"),
                                   server_header=False, date_header=True, lifespan="off",
                                   timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S)
    # uvicorn exposes ciphers but not groups nor the minimum version: load the config, then serve with the
    # stack's own context instead of the one uvicorn built.
    server_config.load()
    if tls:
        server_config.ssl = server_context(tls)
    return uvicorn.Server(server_config)


def server_context(tls: dict[str, str], alpn: tuple[str, ...] = ()) -> ssl.SSLContext:
    """Every Python TLS listener's context, Mozilla's intermediate profile: TLS 1.2+, its suites, one of its
    groups (OpenSSL 3's defaults add X448 and secp521r1, which the profile leaves out), the certificate."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(INTERMEDIATE_CIPHERS)
    context.set_ecdh_curve(SINGLE_GROUP)
    context.load_cert_chain(tls["cert_file"], tls["key_file"])
    if alpn:
        context.set_alpn_protocols(list(alpn))
    return context


def serve_asgi(app: Any, config: dict[str, Any], log: logging.Logger | None = None) -> None:
    """Serve an ASGI app on the config's host (127.0.0.1 unless in a container) until stopped.

    With `log`, the socket is bound first and "listening on host:port" logged once it accepts
    connections: the docker backend's readiness signal for a listener it does not publish.
    """
    host, port = config.get("host", HOST), int(config["port"])
    server = asgi_server(app, host, port, config.get("tls"))
    if log is None:
        server.run()
        return
    listening = listening_socket(host, port)
    log.info("listening on %s:%d", host, port)
    server.run(sockets=[listening])


def listening_socket(host: str, port: int) -> socket.socket:
    """A bound TCP socket for uvicorn, with TCP_NODELAY set so the connections it accepts inherit it.

    asyncio sets TCP_NODELAY itself only on sockets whose protocol number says TCP, and
    `socket.create_server` leaves it 0: without this, a response's body waited behind its headers for the
    client's delayed ACK, 40 ms on every call (Elasticsearch's `http.tcp.no_delay` defaults to true).
    """
    listening = socket.create_server((host, port))
    listening.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return listening
