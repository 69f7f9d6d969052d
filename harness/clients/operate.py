"""Operate's public v1 search API as the checks read it: incidents and variables, as the default client."""

from __future__ import annotations

from typing import Any, Literal

import requests

from harness.clients.oauth import fetch_token
from harness.deployment import Stack
from harness.errors import UsageError

TIMEOUT_S = 10
PAGE = 1000


class OperateApi:
    """One token and one connection for all searches: checks poll Operate, and a token per poll would
    put Identity on the scenario's hot path."""

    def __init__(self, stack: Stack) -> None:
        operate = stack.target.operate
        if operate is None:
            raise UsageError("operate: the target declares no Operate API")
        self.url = operate.url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {fetch_token(stack, 'default', audience=operate.audience)}"
        self.verify = stack.verify

    def search(self, kind: Literal["incidents", "variables"], filter_: dict[str, Any]) -> list[dict[str, Any]]:
        """One page (up to 1000) of Operate's `POST /v1/<kind>/search` matching `filter_`."""
        response = self.session.post(f"{self.url}/v1/{kind}/search", json={"filter": filter_, "size": PAGE},
                                     timeout=TIMEOUT_S, verify=self.verify)
        response.raise_for_status()
        return list(response.json()["items"])
