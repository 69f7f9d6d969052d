"""The Orchestration Cluster's management port: Spring Boot's actuator, unauthenticated.

Camunda serves the actuator on `management.server.port` (9600, plain HTTP: `management.server.ssl.enabled`
false) and its WebSecurityConfig permits `/actuator/**` to anyone: the port's protection is the network.
Besides health it has writable endpoints (docs "Management API", 8.8; dist application.properties):
`loggers` (POST /actuator/loggers/{name} changes a log level at run time), `exporting` (POST
/actuator/exporting/pause and /resume stop and restart exporting to Operate, Tasklist and Elasticsearch)
and `exporters` (GET lists them; POST /actuator/exporters/{id}/enable|disable, DELETE removes one). A
GET of `loggers` and `exporters` reads what their writes change, so a check proves them reachable
without writing anything.

With `management.server.port` equal to the server's port (or an ingress routing /actuator to it), the
same endpoints answer on the client-facing REST listener: `routes()` is mounted there too.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

LEVELS = ["OFF", "ERROR", "WARN", "INFO", "DEBUG", "TRACE"]
EXPORTERS = ("camundaexporter",)


class Management:
    """The actuator's state: logger levels and whether exporting is paused, per cluster process."""

    def __init__(self) -> None:
        self.loggers: dict[str, str] = {"ROOT": "INFO", "io.camunda": "INFO"}
        self.exporting_paused = False
        self.disabled: set[str] = set()

    def routes(self) -> list[Route]:
        return [Route("/actuator/health", self.health, methods=["GET"]),
                Route("/actuator/health/{probe}", self.health, methods=["GET"]),
                Route("/actuator/loggers", self.list_loggers, methods=["GET"]),
                Route("/actuator/loggers/{name}", self.set_logger, methods=["POST"]),
                Route("/actuator/exporters", self.list_exporters, methods=["GET"]),
                Route("/actuator/exporters/{exporter}/{action:str}", self.switch_exporter, methods=["POST"]),
                Route("/actuator/exporting/{action:str}", self.exporting, methods=["POST"])]

    async def health(self, request: Request) -> Response:
        return JSONResponse({"status": "UP"})

    async def list_loggers(self, request: Request) -> Response:
        configured = {name: {"configuredLevel": level, "effectiveLevel": level} for name, level in self.loggers.items()}
        return JSONResponse({"levels": LEVELS, "loggers": configured, "groups": {}})

    async def set_logger(self, request: Request) -> Response:
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError:
            body = None
        level = str(body.get("configuredLevel") or "").upper() if isinstance(body, dict) else ""
        if level not in LEVELS:
            return JSONResponse({"error": "Bad Request", "status": 400}, status_code=400)
        self.loggers[request.path_params["name"]] = level
        return Response(status_code=204)

    async def list_exporters(self, request: Request) -> Response:
        return JSONResponse([{"exporterId": name, "status": "DISABLED" if name in self.disabled else "ENABLED"}
                             for name in EXPORTERS])

    async def switch_exporter(self, request: Request) -> Response:
        exporter, action = request.path_params["exporter"], request.path_params["action"]
        if exporter not in EXPORTERS or action not in ("enable", "disable"):
            return Response(status_code=404)
        (self.disabled.add if action == "disable" else self.disabled.discard)(exporter)
        return JSONResponse({"changeId": 1})

    async def exporting(self, request: Request) -> Response:
        action = request.path_params["action"]
        if action not in ("pause", "resume"):
            return Response(status_code=404)
        self.exporting_paused = action == "pause"
        return Response(status_code=204)
