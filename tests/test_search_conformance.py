"""Elasticsearch emulator conformance with the real client: elasticsearch-py 8, unchanged, over TLS."""

from __future__ import annotations

import socket

import pytest
import requests
from elasticsearch import AuthenticationException, Elasticsearch, NotFoundError, helpers

from harness.config import SearchService
from harness.deployment import Stack
from harness.reference.runtime import listening_socket

TENANTS = ("tenant-a", "tenant-b", "<default>")


@pytest.fixture(scope="module")
def stack(local_stack: Stack) -> Stack:
    return local_stack


@pytest.fixture(scope="module")
def search(stack: Stack) -> SearchService:
    assert stack.target.search is not None, "the local stack declares search"
    return stack.target.search


def client(stack: Stack, search: SearchService, **auth: object) -> Elasticsearch:
    return Elasticsearch(search.url, ca_certs=str(stack.target.ca_file), request_timeout=10, **auth)


@pytest.fixture(scope="module")
def es(stack: Stack, search: SearchService) -> Elasticsearch:
    credentials = search.basic_auth(stack.environ)
    assert credentials is not None
    user, password = credentials
    return client(stack, search, basic_auth=(user, password.get_secret_value()))


def test_info_and_health(es: Elasticsearch) -> None:
    info = es.info()
    assert info["version"]["number"].startswith("8.15.") and info["tagline"] == "You Know, for Search"
    assert {"name", "cluster_name", "cluster_uuid"} <= set(info)
    assert es.cluster.health()["status"] == "green"


def test_index_get_delete(es: Elasticsearch) -> None:
    created = es.index(index="conformance-docs", id="1", document={"tenantId": "tenant-a"}, refresh=True)
    assert created["result"] == "created" and created["_version"] == 1
    assert es.index(index="conformance-docs", id="1", document={"tenantId": "tenant-b"})["result"] == "updated"
    fetched = es.get(index="conformance-docs", id="1")
    assert fetched["found"] and fetched["_source"] == {"tenantId": "tenant-b"} and fetched["_version"] == 2
    assert es.delete(index="conformance-docs", id="1")["result"] == "deleted"
    with pytest.raises(NotFoundError):
        es.get(index="conformance-docs", id="1")
    with pytest.raises(NotFoundError):
        es.get(index="no-such-index", id="1")


def test_bulk_then_search_with_term_bool_and_pagination(es: Elasticsearch) -> None:
    actions = [{"_index": "conformance-instances", "_id": str(number),
                "_source": {"tenantId": TENANTS[number % 3], "number": number, "tags": ["x", f"n{number}"]}}
               for number in range(30)]
    succeeded, errors = helpers.bulk(es, actions, refresh=True)
    assert succeeded == 30 and not errors
    term = es.search(index="conformance-instances", query={"term": {"tenantId": "tenant-a"}}, size=100)
    assert term["hits"]["total"] == {"value": 10, "relation": "eq"}
    assert {hit["_source"]["tenantId"] for hit in term["hits"]["hits"]} == {"tenant-a"}
    both = es.search(index="conformance-instances", size=100, query={"bool": {
        "filter": [{"terms": {"tenantId": ["tenant-a", "tenant-b"]}}], "must": [{"term": {"tags": "n4"}}]}})
    assert [hit["_id"] for hit in both["hits"]["hits"]] == ["4"]
    pages = [es.search(index="conformance-instances", query={"term": {"tenantId": {"value": "<default>"}}},
                       sort=[{"number": {"order": "asc"}}], from_=start, size=4)["hits"]["hits"]
             for start in (0, 4, 8)]
    assert [len(page) for page in pages] == [4, 4, 2]
    assert [hit["_source"]["number"] for page in pages for hit in page] == list(range(2, 30, 3))
    capped = es.search(index="conformance-instances", track_total_hits=5, size=0)
    assert capped["hits"]["total"] == {"value": 5, "relation": "gte"}


def test_index_patterns_and_range(es: Elasticsearch) -> None:
    """How Optimize reads Zeebe's exporter indices: a pattern over daily indices, positions after the last."""
    for day, positions in (("2026-01-01", (1, 2)), ("2026-01-02", (3, 4))):
        for position in positions:
            es.index(index=f"conformance-record_variable_8.5.0_{day}", id=f"1-{position}",
                     document={"position": position})
    after = es.search(index="conformance-record_variable_*", query={"range": {"position": {"gt": 1, "lte": 3}}},
                      sort=[{"position": {"order": "asc"}}], size=10)
    assert [hit["_source"]["position"] for hit in after["hits"]["hits"]] == [2, 3]
    assert es.search(index="conformance-nothing-*")["hits"]["total"]["value"] == 0
    with pytest.raises(NotFoundError):
        es.search(index="conformance-nothing")


def test_bulk_reports_item_errors(es: Elasticsearch) -> None:
    es.index(index="conformance-conflicts", id="1", document={"n": 1})
    result = es.bulk(operations=[{"create": {"_index": "conformance-conflicts", "_id": "1"}}, {"n": 2},
                                 {"delete": {"_index": "conformance-conflicts", "_id": "1"}}])
    assert result["errors"] is True
    assert result["items"][0]["create"]["status"] == 409
    assert result["items"][1]["delete"]["status"] == 200


def test_api_key_is_created_and_authenticates(stack: Stack, search: SearchService, es: Elasticsearch) -> None:
    created = es.security.create_api_key(name="conformance")
    assert {"id", "name", "api_key", "encoded"} <= set(created) and created["name"] == "conformance"
    by_pair = client(stack, search, api_key=(created["id"], created["api_key"]))
    by_encoded = client(stack, search, api_key=created["encoded"])
    assert by_pair.info()["tagline"] == by_encoded.info()["tagline"] == "You Know, for Search"
    with pytest.raises(AuthenticationException) as refused:
        client(stack, search, api_key=(created["id"], "not-the-key")).info()
    assert refused.value.meta.status == 401


def test_anonymous_and_wrong_password_are_refused(stack: Stack, search: SearchService) -> None:
    for anonymous_or_wrong in (client(stack, search), client(stack, search, basic_auth=("elastic", "wrong"))):
        with pytest.raises(AuthenticationException) as refused:
            anonymous_or_wrong.search(index="conformance-instances")
        assert refused.value.meta.status == 401
        assert refused.value.body["error"]["type"] == "security_exception"


def test_anonymous_refusal_is_elasticsearchs(stack: Stack, search: SearchService) -> None:
    response = requests.get(search.url, verify=str(stack.target.ca_file), timeout=10)
    assert response.status_code == 401
    assert response.headers["X-Elastic-Product"] == "Elasticsearch"
    challenges = response.raw.headers.getlist("WWW-Authenticate")
    assert challenges == ['Basic realm="security" charset="UTF-8"', 'Bearer realm="security"', "ApiKey"]
    reason = "missing authentication credentials for REST request [/]"
    cause = {"type": "security_exception", "reason": reason, "header": {"WWW-Authenticate": challenges}}
    assert response.json() == {"error": {"root_cause": [cause], **cause}, "status": 401}


def test_unknown_path_and_wrong_method_answer_like_elasticsearch(stack: Stack, search: SearchService) -> None:
    user, password = search.basic_auth(stack.environ) or ("", None)
    assert password is not None
    auth, verify = (user, password.get_secret_value()), str(stack.target.ca_file)
    unknown = requests.get(f"{search.url}/a/b/c", auth=auth, verify=verify, timeout=10)
    assert unknown.status_code == 400 and unknown.headers["X-Elastic-Product"] == "Elasticsearch"
    assert unknown.json()["error"] == "no handler found for uri [/a/b/c] and method [GET]"
    wrong = requests.get(f"{search.url}/_bulk", auth=auth, verify=verify, timeout=10)
    assert wrong.status_code == 405 and wrong.json()["error"].startswith(
        "Incorrect HTTP method for uri [/_bulk] and method [GET], allowed: [")


def test_listeners_accept_connections_with_nagle_off() -> None:
    """Elasticsearch serves HTTP with Nagle off: elastic/elasticsearch
    modules/transport-netty4/.../Netty4HttpServerTransport.java sets the child option TCP_NODELAY from
    `http.tcp.no_delay` (HttpTransportSettings.SETTING_HTTP_TCP_NO_DELAY, defaulting to `network.tcp.no_delay`,
    true). The emulators bind their own sockets, which asyncio does not make NODELAY: with Nagle on, every
    response's body waited 40 ms behind its headers for the client's delayed ACK."""
    with listening_socket("127.0.0.1", 0) as server, socket.create_connection(server.getsockname()):
        accepted, _ = server.accept()
        with accepted:
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
