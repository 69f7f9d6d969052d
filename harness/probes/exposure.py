"""Port exposure: can the test process (standing in for a client) open a TCP connection to an address?"""

from __future__ import annotations

import socket

CONNECT_TIMEOUT_S = 3.0


def tcp_reachable(address: str, timeout_s: float = CONNECT_TIMEOUT_S) -> tuple[bool, str]:
    """One bounded connection attempt to host:port; returns whether it connected and what happened."""
    host, port = address.rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=timeout_s):
            return True, "connected"
    except TimeoutError:
        return False, f"no answer within {timeout_s:.0f} s"
    except OSError as exc:
        return False, exc.strerror or type(exc).__name__
