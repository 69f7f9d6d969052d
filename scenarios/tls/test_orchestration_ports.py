"""The Orchestration Cluster's ports besides its TLS API: the management port and a plain-HTTP one.

The management port (9600) serves Spring Boot's actuator to anyone (WebSecurityConfig permits `/actuator/**`)
with writable endpoints among it: loggers, exporting pause/resume, exporters (docs "Management API";
harness/reference/orchestration/management.py lists them). Camunda leaves its protection to the network, so
it must not answer where clients stand (TLS-010). Basic authentication sends the password with every call,
so the API must not be served over plain HTTP, where it would cross the network in the clear (TLS-011).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests

from harness.config import Orchestration
from harness.deployment import Stack
from harness.outcome import positive
from harness.report.evidence import Evidence

TIMEOUT_S = 10
# GETs of the writable actuator endpoints: each reads what its POST changes, so reaching it proves the write is
# reachable too, and the check changes nothing on the cluster.
ACTUATOR_READS = ("/actuator/loggers", "/actuator/exporters")
LOOPBACK_ONLY = "this backend runs every service on one loopback, so the management port's own reachability is " \
                "not judged here (docker and external targets judge it)"


@pytest.fixture(scope="module")
def cluster(stack: Stack) -> Orchestration:
    assert stack.target.orchestration is not None, "the checks declare their need for an orchestration section"
    return stack.target.orchestration


def serves_api(stack: Stack, url: str) -> None:
    """The positive control: the client-facing URL answers the public /v2/license."""
    answer = requests.get(f"{url}/v2/license", verify=stack.verify, timeout=TIMEOUT_S)
    positive(answer.ok, f"{url}/v2/license got HTTP {answer.status_code}")


@pytest.mark.check("TLS-010")
def test_management_endpoints_not_reachable_from_clients(stack: Stack, cluster: Orchestration,
                                                         evidence: Evidence) -> None:
    """Through every client-facing URL of the cluster (an ingress routing /actuator, or management.server.port
    set to the server's port, serves them there), and at `orchestration.management_url` itself where the
    backend can tell what the client network reaches (as TLS-009 does for the gateway)."""
    urls = [cluster.url, *([cluster.oidc_url] if cluster.oidc_url else [])]
    exposed: list[str] = []
    seen: dict[str, int] = {}
    for url in urls:
        serves_api(stack, url)
        for path in ACTUATOR_READS:
            status = requests.get(f"{url}{path}", verify=stack.verify, timeout=TIMEOUT_S,
                                  allow_redirects=False).status_code
            seen[f"{url}{path}"] = status
            if status == 200:
                exposed.append(f"{url}{path}")
    evidence.record(actuator_reads=seen)
    if cluster.management_url is not None:
        parts = urlsplit(cluster.management_url)
        address = f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"
        if stack.client_reachable is None:
            evidence.record(management_url=cluster.management_url, not_judged=LOOPBACK_ONLY)
        else:
            reachable = stack.client_reachable(address)
            evidence.record(management_url=cluster.management_url, reachable_from_client_network=reachable)
            exposed += [f"{cluster.management_url} (the management port)"] if reachable else []
    assert not exposed, ("the management port's writable actuator endpoints answer where clients stand: "
                         + ", ".join(exposed))


@pytest.mark.check("TLS-011")
def test_api_not_served_over_plain_http(stack: Stack, cluster: Orchestration, evidence: Evidence) -> None:
    """A plain-HTTP `orchestration.http_url` must be closed or only redirect to https, and the cluster's own
    `url` must not be plain HTTP (Camunda 8 Run's default). The probe sends no credentials (the public
    /v2/license tells whether the API answers there), so no password crosses the plain connection."""
    plain_api = cluster.url.startswith("http://")
    if cluster.http_url is None and not plain_api:
        pytest.skip("the target declares no plain-HTTP address of the cluster (orchestration.http_url) and its "
                    "url is https")
    serves_api(stack, cluster.url)
    carried = "a password (basic authentication)" if cluster.auth == "basic" else "its credential"
    evidence.record(url=cluster.url, auth=cluster.auth)
    assert not plain_api, f"the cluster's API is at {cluster.url}, plain HTTP: every call carries {carried} in the clear"
    assert cluster.http_url is not None
    try:
        answer = requests.get(f"{cluster.http_url.rstrip('/')}/v2/license", timeout=TIMEOUT_S, allow_redirects=False)
    except requests.ConnectionError as error:
        evidence.record(http_url=cluster.http_url, answer=f"closed ({type(error).__name__})")
        return
    location = answer.headers.get("Location", "")
    evidence.record(http_url=cluster.http_url, status=answer.status_code, location=location)
    assert answer.is_redirect and location.startswith("https://"), (
        f"{cluster.http_url} answers the API over plain HTTP (GET /v2/license: HTTP {answer.status_code}): "
        "basic credentials sent there cross the network in the clear")
