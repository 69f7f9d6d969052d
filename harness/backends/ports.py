"""Listening ports for the services a backend starts on this machine, chosen so that no other process takes
one between the choice and the service binding it.

Two things took ports in that moment. Outgoing connections take their local port from the kernel's
ephemeral range (ip_local_port_range, 32768-60999 unless changed), the range bind(0) also hands out, so a
port chosen there could go to any process's client first (seen: a detection-matrix run's zeebe lost its
port to the parallel run's clients): ports come from below that range. And two harness runs starting at
once could choose the same port: each choice is reserved, for RESERVATION_S, in a file every run on the
machine shares (under an exclusive lock), and no run chooses a port another reserved.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import random
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from harness.errors import StackError
from harness.reference.runtime import HOST

FIRST_LISTENING_PORT = 20000
EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
RESERVATIONS = Path(tempfile.gettempdir()) / "camunda-harness-ports.json"
# Longer than any stack takes to start: by then its services hold their ports themselves.
RESERVATION_S = 120.0


def listening_ports() -> range:
    """Where free_ports looks: below the ephemeral range, or nowhere where that leaves too few."""
    try:
        first_ephemeral = int(EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        first_ephemeral = 32768
    return range(FIRST_LISTENING_PORT, max(first_ephemeral, FIRST_LISTENING_PORT))


@contextlib.contextmanager
def reservations() -> Iterator[dict[str, float]]:
    """The machine's live reservations (port -> when), locked until the block ends and then written back;
    an empty set where the file cannot be used (another user's, say): the bind check still applies."""
    try:
        handle = RESERVATIONS.open("a+")
    except OSError:
        yield {}
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        try:
            held = {str(port): float(at) for port, at in json.loads(handle.read() or "{}").items()}
        except (ValueError, AttributeError, TypeError):
            held = {}
        now = time.time()
        live = {port: at for port, at in held.items() if now - at < RESERVATION_S}
        yield live
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(live))


def free_ports(count: int) -> list[int]:
    """`count` ports nothing listens on and no other run reserved, at random from listening_ports() (the
    kernel's choice where those run out), reserved for this run; all sockets stay open until every port is
    chosen, so none repeat."""
    chosen: list[int] = []
    with reservations() as reserved, contextlib.ExitStack() as sockets:
        candidates = [port for port in listening_ports() if str(port) not in reserved]
        for port in [*random.sample(candidates, min(len(candidates), count * 4)), *[0] * count]:
            sock = sockets.enter_context(socket.socket())
            try:
                sock.bind((HOST, port))
            except OSError:
                continue
            chosen.append(sock.getsockname()[1])
            if len(chosen) == count:
                reserved.update({str(port): time.time() for port in chosen})
                return chosen
    raise StackError(f"no {count} free ports on {HOST}")
