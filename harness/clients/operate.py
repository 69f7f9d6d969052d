"""Operate's public v1 search API as the checks read it: incidents and variables, as the default client."""

from __future__ import annotations

from typing import Any, Literal

import requests

from harness.backends import Stack
from harness.clients.oauth import fetch_token
from harness.errors import UsageError

TIMEOUT_S = 10
PAGE = 1000


def search(stack: Stack, kind: Literal["incidents", "variables"], filter_: dict[str, Any]) -> list[dict[str, Any]]:
    """One page (up to 1000) of Operate's `POST /v1/<kind>/search` matching `filter_`."""
    operate = stack.target.operate
    if operate is None:
        raise UsageError("operate: the target declares no Operate API")
    token = fetch_token(stack, "default", audience=operate.audience)
    response = requests.post(f"{operate.url}/v1/{kind}/search", json={"filter": filter_, "size": PAGE},
                             headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT_S,
                             verify=str(stack.target.ca_file) if stack.target.ca_file else True)
    response.raise_for_status()
    return list(response.json()["items"])
