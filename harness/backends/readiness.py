"""Health probes the supervisor polls: each answers True once the service serves, never raises."""

from __future__ import annotations

import http.client
import socket
import ssl
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

PROBE_TIMEOUT_S = 0.5


def tcp_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=PROBE_TIMEOUT_S):
            return True
    except OSError:
        return False


def tcp_reachable(address: str) -> bool:
    """`tcp_open` for a "host:port" address, as Target fields write it."""
    host, port = address.rsplit(":", 1)
    return tcp_open(host, int(port))


def https_ok(host: str, port: int, path: str, ca_file: Path) -> bool:
    context = ssl.create_default_context(cafile=str(ca_file))
    connection = http.client.HTTPSConnection(host, port, timeout=PROBE_TIMEOUT_S, context=context)
    try:
        connection.request("GET", path)
        return connection.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def grpc_serving(host: str, port: int, service: str = "") -> bool:
    with grpc.insecure_channel(f"{host}:{port}") as channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=service), timeout=PROBE_TIMEOUT_S)
        except grpc.RpcError:
            return False
    return reply.status == health_pb2.HealthCheckResponse.SERVING
