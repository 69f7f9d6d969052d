"""RFC 9457 problem details as the Orchestration Cluster writes them.

Two writers in the product: Spring Security's failure handler (AuthFailureHandler.java: `title` is the HTTP
reason phrase, `detail` the exception's message) and the REST controllers' error mapper
(GatewayErrorMapper.java: `title` is the service status name such as `FORBIDDEN`). Both send
`application/problem+json` with `type` `about:blank` and the request path as `instance`.
"""

from __future__ import annotations

import json
from http import HTTPStatus

from starlette.requests import Request
from starlette.responses import Response

PROBLEM_JSON = "application/problem+json"


def problem(request: Request, status: int, detail: str, title: str | None = None,
            headers: dict[str, str] | None = None) -> Response:
    """A problem detail for `request`; without `title`, the reason phrase (the security chain's form)."""
    body = {"type": "about:blank", "title": title or HTTPStatus(status).phrase, "status": status,
            "detail": detail, "instance": request.url.path}
    return Response(json.dumps(body), status_code=status, media_type=PROBLEM_JSON, headers=headers)
