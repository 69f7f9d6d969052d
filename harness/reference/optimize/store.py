"""Optimize's data in Elasticsearch, reached with the client the reference services share."""

from __future__ import annotations

from harness.reference.optimize import seed
from harness.reference.search_client import SearchClient


class Store(SearchClient):
    def seed(self) -> None:
        """Write the seed data; its ids are fixed, so seeding again overwrites instead of duplicating."""
        self.bulk_index(seed.documents())
