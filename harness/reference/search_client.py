"""How the reference services reach Elasticsearch: over TLS with the stack's CA and the `elastic` user.

Shared by Optimize (its data) and the Zeebe emulator's exporter (its records), as both reach the same
cluster with the same credentials. Blocking `requests` calls (Optimize's and the exporter's own clients
are Elasticsearch's Java clients); async callers run them in a thread. The password is only ever in the
session's auth and never in a log line or an error message.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import requests

TIMEOUT_S = 2.0
# (index, id, source) of one document to write.
Document = tuple[str, str, dict[str, Any]]


class SearchUnavailable(Exception):
    """Elasticsearch did not answer as expected; the message names the call, never a credential."""


class SearchClient:
    def __init__(self, settings: dict[str, Any]) -> None:
        self.url = str(settings["url"]).rstrip("/")
        self.session = requests.Session()
        self.session.auth = (settings["username"], settings["password"])
        # Per request, not on the session: requests lets REQUESTS_CA_BUNDLE override a session's verify.
        self.ca_file = str(settings["ca_file"])

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        try:
            return self.session.request(method, f"{self.url}{path}", timeout=TIMEOUT_S, verify=self.ca_file,
                                        **kwargs)
        except requests.RequestException as exc:
            raise SearchUnavailable(f"{method} {path}: {type(exc).__name__}") from None

    def healthy(self) -> bool:
        try:
            return self._call("GET", "/_cluster/health").status_code == 200
        except SearchUnavailable:
            return False

    def bulk_index(self, documents: Iterable[Document]) -> None:
        """Index every document in one `_bulk` call; any refused item fails the whole call (callers retry
        it, and writing a document again under its id is harmless)."""
        lines = []
        for index, doc_id, source in documents:
            lines += [json.dumps({"index": {"_index": index, "_id": doc_id}}), json.dumps(source)]
        if not lines:
            return
        response = self._call("POST", "/_bulk", data="\n".join(lines) + "\n",
                              headers={"Content-Type": "application/x-ndjson"})
        if response.status_code != 200 or response.json().get("errors"):
            raise SearchUnavailable(f"POST /_bulk: HTTP {response.status_code}")

    def get(self, index: str, doc_id: str) -> dict[str, Any] | None:
        response = self._call("GET", f"/{index}/_doc/{requests.utils.quote(doc_id, safe='')}")
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise SearchUnavailable(f"GET {index}/_doc: HTTP {response.status_code}")
        return dict(response.json()["_source"])

    def search(self, index: str, query: dict[str, Any], start: int = 0, size: int = 1000,
               sort: str | None = None) -> tuple[int, list[dict[str, Any]]]:
        """(total hits, sources of one page)."""
        body: dict[str, Any] = {"query": query, "from": start, "size": size, "track_total_hits": True}
        if sort:
            body["sort"] = [{sort: {"order": "asc"}}]
        response = self._call("POST", f"/{index}/_search", json=body)
        if response.status_code != 200:
            raise SearchUnavailable(f"POST {index}/_search: HTTP {response.status_code}")
        hits = response.json()["hits"]
        return int(hits["total"]["value"]), [hit["_source"] for hit in hits["hits"]]
