"""The runtime's own guards: the process allowlist (SEC-006), TLS to Vault (SEC-007), and a management
endpoint that serves health only (SEC-009)."""

from __future__ import annotations

import socket
import ssl
from urllib.parse import urlsplit

import pytest
import requests

from harness.config import Worker
from harness.deployment import Stack, tls_context
from harness.outcome import PositiveControlFailed
from scenarios.secrets.support import Processes

TIMEOUT_S = 5
# Spring Boot actuator endpoints that show configuration, internals or data (the article disables them).
CLOSED_ENDPOINTS = ("env", "configprops", "beans", "heapdump", "loggers", "mappings", "threaddump", "metrics")
CLOSED_STATUSES = (401, 403, 404)


@pytest.mark.check("SEC-006")
def test_process_outside_allowlist_is_refused(processes: Processes, worker: Worker, evidence) -> None:
    outsider = f"{worker.bpmn_process_id}-outside"
    instance = processes.start(processes.deploy(process_id=outsider))
    incidents = processes.incidents(instance, wait_s=processes.incident_wait_s)
    messages = [str(i["message"]) for i in incidents]
    evidence.record(process=outsider, job_type=worker.job_type, incidents=len(incidents), messages=messages)
    assert incidents, (f"a job of process {outsider!r} (not in the worker's allowlist) raised no incident within "
                       f"{processes.incident_wait_s:g} s: the worker ran it")
    assert any(outsider in message for message in messages), "the refusal's error message does not name the process"


@pytest.mark.check("SEC-007")
def test_workers_reach_vault_over_tls(stack: Stack, evidence) -> None:
    target = stack.target
    if not target.workers:
        pytest.skip("the target declares no workers")
    schemes = {name: urlsplit(worker.vault_url).scheme for name, worker in target.workers.items()}
    handshake = "not checked: the target declares no vault"
    if target.vault is not None:
        address = urlsplit(target.vault.url)
        context = tls_context(target.ca_file)
        try:
            with socket.create_connection((address.hostname, address.port or 443), timeout=TIMEOUT_S) as raw, \
                    context.wrap_socket(raw, server_hostname=address.hostname) as tls:
                handshake = str(tls.version())
        except (ssl.SSLError, OSError) as error:
            handshake = f"failed: {type(error).__name__}"
    evidence.record(worker_vault_schemes=schemes, vault_handshake=handshake)
    plain = sorted(name for name, scheme in schemes.items() if scheme != "https")
    assert not plain, f"workers configured with a non-TLS Vault address: {plain}"
    assert not handshake.startswith("failed"), f"Vault at {target.vault.url} does not speak TLS: {handshake}"  # type: ignore[union-attr]


@pytest.mark.check("SEC-009")
def test_actuator_serves_health_only(stack: Stack, evidence) -> None:
    if not stack.target.workers:
        pytest.skip("the target declares no workers")
    verify = stack.verify
    open_endpoints, seen = [], {}
    for name, worker in stack.target.workers.items():
        base = worker.actuator_url.rstrip("/")
        health = requests.get(f"{base}/health", verify=verify, timeout=TIMEOUT_S)
        if health.status_code != 200:
            raise PositiveControlFailed(f"{name}'s {base}/health answered {health.status_code}")
        for endpoint in CLOSED_ENDPOINTS:
            status = requests.get(f"{base}/{endpoint}", verify=verify, timeout=TIMEOUT_S).status_code
            seen[f"{name}/{endpoint}"] = status
            if status not in CLOSED_STATUSES:
                open_endpoints.append(f"{name}: /{endpoint} -> {status}")
    evidence.record(statuses=seen)
    assert not open_endpoints, f"management endpoints beyond health are open: {open_endpoints}"
