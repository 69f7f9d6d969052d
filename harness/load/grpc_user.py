"""A Locust user for gRPC, on Locust's documented pattern: an interceptor fires one request event per call.

Imported only inside Locust's process (gevent-patched), never by the harness itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, ClassVar

import grpc
import grpc.experimental.gevent as grpc_gevent
from locust import User
from locust.env import Environment
from locust.exception import LocustError

grpc_gevent.init_gevent()


Judge = Callable[[grpc.RpcError | None], Exception | None]


def expect_ok(error: grpc.RpcError | None) -> Exception | None:
    return error


class LocustInterceptor(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor):
    """Times every unary call and reports it to Locust under the RPC's name.

    `judge` turns a call's outcome into what Locust records as failure: for a valid caller the gRPC error
    itself; for an attacker, an accepted call.
    """

    def __init__(self, environment: Environment, request_type: str, judge: Judge) -> None:
        self.environment = environment
        self.request_type = request_type
        self.judge = judge

    def intercept_unary_unary(self, continuation: Callable[..., Any], details: grpc.ClientCallDetails,
                              request: Any) -> Any:
        started = time.perf_counter()
        response, error, length = None, None, 0
        try:
            response = continuation(details, request)
            length = response.result().ByteSize()
        except grpc.RpcError as rpc_error:
            error = rpc_error
        self.environment.events.request.fire(
            request_type=self.request_type, name=details.method.rsplit("/", 1)[-1],
            response_time=(time.perf_counter() - started) * 1000, response_length=length,
            exception=self.judge(error), context={})
        return response

    def intercept_unary_stream(self, continuation: Callable[..., Any], details: grpc.ClientCallDetails,
                               request: Any) -> Any:
        """A streaming call counts once, when its stream is drained (ActivateJobs' long poll included)."""
        started = time.perf_counter()
        responses, error = [], None
        try:
            responses = list(continuation(details, request))
        except grpc.RpcError as rpc_error:
            error = rpc_error
        self.environment.events.request.fire(
            request_type=self.request_type, name=details.method.rsplit("/", 1)[-1],
            response_time=(time.perf_counter() - started) * 1000,
            response_length=sum(r.ByteSize() for r in responses), exception=self.judge(error), context={})
        return iter(responses)


class GrpcUser(User):
    """A user calling the gateway through an intercepted channel; subclasses say which stub they call.

    All users of a Locust process share one channel (one HTTP/2 connection, one TLS handshake): per call,
    a channel per user would only add connections for the proxy to serve and for this process to poll.
    """

    abstract = True
    request_type = "grpc"
    stub_class: type = object
    judge: Judge = staticmethod(expect_ok)
    _channels: ClassVar[dict[str, grpc.Channel]] = {}

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        if not self.host:
            raise LocustError("the gateway address (host) is missing")
        if self.host not in GrpcUser._channels:
            GrpcUser._channels[self.host] = self.open_channel(self.host)
        self.channel = grpc.intercept_channel(GrpcUser._channels[self.host],
                                              LocustInterceptor(environment, self.request_type, self.judge))
        self.stub = self.stub_class(self.channel)

    def open_channel(self, address: str) -> grpc.Channel:
        raise NotImplementedError
