"""TLS in front of a plaintext listener, with the reference stack's Mozilla intermediate settings.

grpcio's servers speak TLS through BoringSSL, whose groups cannot be set from Python and include secp521r1,
which Mozilla's intermediate profile leaves out (tls_policy.py); Python's ssl module pins them, with the
context every HTTP listener uses (runtime.server_context). So a gRPC API the TLS scan judges is served plaintext on a Unix socket, and this front
terminates TLS (ALPN h2, as gRPC clients require) and relays the bytes, as an ingress does for a real
cluster's gRPC port.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl

from harness.reference.runtime import server_context

CHUNK = 64 * 1024


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(CHUNK):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, ssl.SSLError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


async def start(host: str, port: int, tls: dict[str, str], backend_socket: str) -> asyncio.Server:
    """Serve TLS on host:port, relaying each connection to the plaintext listener on the Unix socket
    `backend_socket` (a leading NUL names an abstract one)."""
    context = server_context(tls, alpn=("h2",))

    async def relay(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            backend_reader, backend_writer = await asyncio.open_unix_connection(backend_socket)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(_pipe(client_reader, backend_writer), _pipe(backend_reader, client_writer))

    return await asyncio.start_server(relay, host, port, ssl=context)
