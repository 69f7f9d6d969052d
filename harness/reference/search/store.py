"""In-memory indices and the subset of Elasticsearch's query DSL that Optimize and the checks use.

Documents are visible to search as soon as they are indexed (as if every write asked for `refresh`).
Queries: `match_all`, `term`, `terms`, `ids`, `range` (`gt`, `gte`, `lt`, `lte` on numbers) and `bool`
(`must`, `filter`, `should`, `must_not`); clauses match a field's value or any element of an array field,
and every hit scores 1.0, as in filter context. Search takes index patterns (`zeebe-record_variable_*`, as
Zeebe's exporter writes an index per value type, version and day); a pattern matching nothing gives no
hits, a missing concrete index a 404, as with Elasticsearch's default `allow_no_indices`. Errors carry Elasticsearch's exception types so clients map them unchanged.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import itertools
import uuid
from collections.abc import Callable
from typing import Any

DEFAULT_SIZE = 10
DEFAULT_TRACK_TOTAL_HITS = 10_000
MAX_RESULT_WINDOW = 10_000


class SearchError(Exception):
    """An Elasticsearch error: its status, exception type, reason and extra root-cause fields."""

    def __init__(self, status: int, type_: str, reason: str, **extra: Any) -> None:
        super().__init__(reason)
        self.status, self.type, self.reason, self.extra = status, type_, reason, extra

    def body(self) -> dict[str, Any]:
        cause = {"type": self.type, "reason": self.reason, **self.extra}
        return {"error": {"root_cause": [cause], **cause}, "status": self.status}


def index_not_found(index: str) -> SearchError:
    return SearchError(404, "index_not_found_exception", f"no such index [{index}]", index_uuid="_na_",
                       **{"resource.type": "index_or_alias", "resource.id": index}, index=index)


@dataclasses.dataclass
class Document:
    source: dict[str, Any]
    version: int
    seq_no: int


@dataclasses.dataclass
class Index:
    name: str
    uuid: str = dataclasses.field(default_factory=lambda: uuid.uuid4().hex[:22])
    docs: dict[str, Document] = dataclasses.field(default_factory=dict)
    seq_no: itertools.count = dataclasses.field(default_factory=itertools.count)


def _shards() -> dict[str, int]:
    return {"total": 2, "successful": 1, "failed": 0}


def _field(source: dict[str, Any], path: str) -> list[Any]:
    """The values at a dotted path; arrays contribute each element, as Elasticsearch indexes them."""
    values: list[Any] = [source]
    for part in path.split("."):
        values = [v[part] for v in values if isinstance(v, dict) and part in v]
        values = [e for v in values for e in (v if isinstance(v, list) else [v])]
    return values


Predicate = Callable[[str, dict[str, Any]], bool]


def _single(query: Any, name: str) -> tuple[str, Any]:
    if not isinstance(query, dict) or len(query) != 1:
        raise SearchError(400, "parsing_exception", f"[{name}] query malformed, no start_object after query name")
    return next(iter(query.items()))


def compile_query(query: Any) -> Predicate:
    """Turn a query object into a predicate on (id, source); unknown queries are a parsing_exception."""
    kind, body = _single(query, "query")
    if kind == "match_all":
        return lambda _id, _source: True
    if kind == "term":
        field, spec = _single(body, "term")
        value = spec.get("value") if isinstance(spec, dict) else spec
        return lambda _id, source: value in _field(source, field)
    if kind == "terms":
        field, values = next(((k, v) for k, v in body.items() if k != "boost"), (None, None))
        if field is None or not isinstance(values, list):
            raise SearchError(400, "parsing_exception", "[terms] query requires a field and an array of values")
        wanted = list(values)
        return lambda _id, source: any(v in wanted for v in _field(source, field))
    if kind == "ids":
        ids = set(body.get("values", []))
        return lambda doc_id, _source: doc_id in ids
    if kind == "range":
        return _compile_range(body)
    if kind == "bool":
        return _compile_bool(body)
    raise SearchError(400, "parsing_exception", f"unknown query [{kind}]", line=1, col=1)


def _clauses(body: dict[str, Any], occur: str) -> list[Predicate]:
    clauses = body.get(occur, [])
    return [compile_query(clause) for clause in (clauses if isinstance(clauses, list) else [clauses])]


RANGE_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "gt": lambda value, bound: value > bound, "gte": lambda value, bound: value >= bound,
    "lt": lambda value, bound: value < bound, "lte": lambda value, bound: value <= bound}


def _compile_range(body: Any) -> Predicate:
    field, spec = _single(body, "range")
    if not isinstance(spec, dict) or not spec or any(op not in RANGE_OPERATORS for op in spec):
        raise SearchError(400, "parsing_exception", "[range] query does not support the given parameters")
    bounds = [(RANGE_OPERATORS[op], float(bound)) for op, bound in spec.items()]

    def matches(_id: str, source: dict[str, Any]) -> bool:
        numbers = [v for v in _field(source, field) if isinstance(v, (int, float)) and not isinstance(v, bool)]
        return any(all(check(v, bound) for check, bound in bounds) for v in numbers)
    return matches


def _compile_bool(body: dict[str, Any]) -> Predicate:
    required = _clauses(body, "must") + _clauses(body, "filter")
    excluded = _clauses(body, "must_not")
    optional = _clauses(body, "should")
    # Elasticsearch: with no must/filter clause, at least one should clause has to match.
    minimum = int(body.get("minimum_should_match", 0 if required else 1 if optional else 0))

    def matches(doc_id: str, source: dict[str, Any]) -> bool:
        return (all(p(doc_id, source) for p in required) and not any(p(doc_id, source) for p in excluded)
                and sum(p(doc_id, source) for p in optional) >= minimum)
    return matches


def _sort_keys(sort: Any) -> list[tuple[str, bool]]:
    """[(field, descending)] from Elasticsearch's sort forms: "f", {"f": "desc"}, {"f": {"order": ...}}."""
    keys = []
    for entry in sort if isinstance(sort, list) else [sort]:
        if isinstance(entry, str):
            keys.append((entry, False))
            continue
        field, spec = _single(entry, "sort")
        order = spec.get("order", "asc") if isinstance(spec, dict) else spec
        keys.append((field, order == "desc"))
    return keys


def _sort_value(value: Any) -> tuple[int, Any]:
    """Numbers sort as numbers, everything else as its string form (keywords sort lexicographically)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return 0, value
    return 1, str(value)


class Store:
    def __init__(self) -> None:
        self.indices: dict[str, Index] = {}

    def create_index(self, name: str) -> dict[str, Any]:
        if name in self.indices:
            raise SearchError(400, "resource_already_exists_exception",
                              f"index [{name}/{self.indices[name].uuid}] already exists", index=name)
        self.indices[name] = Index(name)
        return {"acknowledged": True, "shards_acknowledged": True, "index": name}

    def _index(self, name: str) -> Index:
        if name not in self.indices:
            raise index_not_found(name)
        return self.indices[name]

    def put(self, index: str, doc_id: str | None, source: dict[str, Any], create: bool = False
            ) -> tuple[int, dict[str, Any]]:
        """Index a document (auto-creating the index, as Elasticsearch does); (status, response)."""
        target = self.indices.setdefault(index, Index(index))
        doc_id = doc_id or uuid.uuid4().hex[:20]
        existing = target.docs.get(doc_id)
        if create and existing is not None:
            raise SearchError(409, "version_conflict_engine_exception",
                              f"[{doc_id}]: version conflict, document already exists "
                              f"(current version [{existing.version}])", index_uuid=target.uuid, shard="0",
                              index=index)
        version = existing.version + 1 if existing else 1
        document = Document(source, version, next(target.seq_no))
        target.docs[doc_id] = document
        result = "updated" if existing else "created"
        return (200 if existing else 201), self._write_result(index, doc_id, document, result)

    @staticmethod
    def _write_result(index: str, doc_id: str, document: Document, result: str) -> dict[str, Any]:
        return {"_index": index, "_id": doc_id, "_version": document.version, "result": result,
                "_shards": _shards(), "_seq_no": document.seq_no, "_primary_term": 1}

    def get(self, index: str, doc_id: str) -> tuple[int, dict[str, Any]]:
        document = self._index(index).docs.get(doc_id)
        if document is None:
            return 404, {"_index": index, "_id": doc_id, "found": False}
        return 200, {"_index": index, "_id": doc_id, "_version": document.version, "_seq_no": document.seq_no,
                     "_primary_term": 1, "found": True, "_source": document.source}

    def delete(self, index: str, doc_id: str) -> tuple[int, dict[str, Any]]:
        target = self._index(index)
        document = target.docs.pop(doc_id, None)
        if document is None:
            return 404, {"_index": index, "_id": doc_id, "_version": 1, "result": "not_found",
                         "_shards": _shards(), "_seq_no": next(target.seq_no), "_primary_term": 1}
        deleted = Document(document.source, document.version + 1, next(target.seq_no))
        return 200, self._write_result(index, doc_id, deleted, "deleted")

    def _resolve(self, expression: str) -> list[Index]:
        """The indices a search names: `_all`, comma-separated names, and `*` patterns."""
        resolved: dict[str, Index] = {}
        for part in ("*" if expression == "_all" else expression).split(","):
            if "*" in part:
                resolved.update((name, i) for name, i in self.indices.items() if fnmatch.fnmatchcase(name, part))
            else:
                resolved[part] = self._index(part)
        return list(resolved.values())

    def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        indices = self._resolve(index)
        predicate = compile_query(body.get("query", {"match_all": {}}))
        hits = [(i.name, doc_id, doc) for i in indices for doc_id, doc in i.docs.items()
                if predicate(doc_id, doc.source)]
        for field, descending in reversed(_sort_keys(body.get("sort", []))):
            hits.sort(key=lambda hit, f=field: [_sort_value(v) for v in _field(hit[2].source, f)],
                      reverse=descending)
        start, size = int(body.get("from", 0)), int(body.get("size", DEFAULT_SIZE))
        if start < 0 or size < 0 or start + size > MAX_RESULT_WINDOW:
            raise SearchError(400, "illegal_argument_exception",
                              f"Result window is too large, from + size must be less than or equal to: "
                              f"[{MAX_RESULT_WINDOW}] but was [{start + size}].")
        page = hits[start:start + size]
        return {"took": 1, "timed_out": False,
                "_shards": {"total": len(indices), "successful": len(indices), "skipped": 0, "failed": 0},
                "hits": {"total": self._total(len(hits), body.get("track_total_hits", DEFAULT_TRACK_TOTAL_HITS)),
                         "max_score": 1.0 if page else None,
                         "hits": [{"_index": name, "_id": doc_id, "_score": 1.0, "_source": doc.source}
                                  for name, doc_id, doc in page]}}

    @staticmethod
    def _total(count: int, track: Any) -> dict[str, Any]:
        """hits.total: exact up to the tracking bound (10,000 by default), then that bound with `gte`."""
        bound = count if track is True else int(track) if track is not False else 0
        return {"value": count, "relation": "eq"} if count <= bound else {"value": bound, "relation": "gte"}

    def bulk(self, actions: list[tuple[str, dict[str, Any], dict[str, Any] | None]]) -> dict[str, Any]:
        """Run (action, metadata, source) triples of index/create/delete; each item reports its own status."""
        items = []
        for action, meta, source in actions:
            index, doc_id = meta.get("_index", ""), meta.get("_id")
            try:
                if action in ("index", "create"):
                    status, result = self.put(index, doc_id, source or {}, create=action == "create")
                else:
                    status, result = self.delete(index, str(doc_id))
                items.append({action: {**result, "status": status}})
            except SearchError as error:
                items.append({action: {"_index": index, "_id": doc_id, "status": error.status,
                                       "error": {"type": error.type, "reason": error.reason, **error.extra}}})
        return {"errors": any("error" in next(iter(item.values())) for item in items), "took": 1, "items": items}

    def health(self) -> dict[str, Any]:
        shards = len(self.indices)
        return {"status": "green", "timed_out": False, "number_of_nodes": 1, "number_of_data_nodes": 1,
                "active_primary_shards": shards, "active_shards": shards, "relocating_shards": 0,
                "initializing_shards": 0, "unassigned_shards": 0, "delayed_unassigned_shards": 0,
                "number_of_pending_tasks": 0, "number_of_in_flight_fetch": 0,
                "task_max_waiting_in_queue_millis": 0, "active_shards_percent_as_number": 100.0}
