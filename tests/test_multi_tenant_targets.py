"""The secrets scenario's process runs and the load users against a multi-tenant gateway (the reference
stack's gateway in auth mode identity with multi-tenancy, `gateway.tenancy_address`), as a target file for a
deployment with multi-tenancy on declares it: every command names the tenant the Target gives its client.

A Zeebe gateway with multi-tenancy on refuses a command without a tenant (INVALID_ARGUMENT, pinned in
tests/test_zeebe_gateway.py against the product source), so these prove the checks would not error there."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import pytest

from harness.deployment import Stack
from harness.load.runner import LoadSettings, run
from harness.outcome import PositiveControlFailed
from scenarios.secrets.support import Processes, under_test

TENANT_CLIENT = "bu_a"


def on_multi_tenant_gateway(stack: Stack, tenants: tuple[str, ...] | None = None) -> Stack:
    """`stack` with the multi-tenant gateway as its only gateway and bu_a (tenant-a) as its default client;
    `tenants` replaces the tenants the client declares. Optimize is left out: its API client is the default
    client, and a business unit's client may not hold Optimize's audience (TEN-011)."""
    target = stack.target
    assert target.gateway is not None and target.gateway.tenancy_address is not None
    gateway = target.gateway.model_copy(update={"address": target.gateway.tenancy_address, "tls": True,
                                                "tenancy_address": None})
    client = target.clients[TENANT_CLIENT]
    if tenants is not None:
        client = client.model_copy(update={"tenants": tenants})
    return dataclasses.replace(stack, target=target.model_copy(
        update={"gateway": gateway, "clients": {**target.clients, "default": client}, "optimize": None}))


def test_secrets_process_runs_name_the_clients_tenant(local_stack: Stack) -> None:
    """Deploy and start, as SEC-002..006 do, succeed in the client's tenant; without the declared tenant the
    same calls are refused, so this test can fail."""
    stack = on_multi_tenant_gateway(local_stack)
    runs = Processes(stack, under_test(stack.target)[1])
    try:
        definition = runs.deploy(retries=3)
        instance = runs.start(definition)
    finally:
        runs.close()
    assert definition > 0 and instance > 0 and runs.tenant == "tenant-a"
    untenanted = Processes(on_multi_tenant_gateway(local_stack, tenants=()), under_test(stack.target)[1])
    try:
        with pytest.raises(PositiveControlFailed, match="INVALID_ARGUMENT"):
            untenanted.deploy(retries=3)
    finally:
        untenanted.close()


def test_load_users_name_the_clients_tenant(local_stack: Stack, tmp_path: Path) -> None:
    """A short Locust run on the multi-tenant gateway: deployment, instance creation and job activation all
    succeed (LOAD-002's error ratio stays 0) and no forged token gets in."""
    result = run(on_multi_tenant_gateway(local_stack), LoadSettings(run_time_s=4, users=6), tmp_path)
    with (tmp_path / "locust_stats.csv").open() as stats:
        rows = {row["Name"]: row for row in csv.DictReader(stats) if row["Type"] == "grpc"}
    assert int(rows["CreateProcessInstance"]["Request Count"]) > 0, rows.keys()
    assert int(rows["ActivateJobs"]["Request Count"]) > 0
    assert (result.failures, result.bypasses) == (0, 0), {name: row["Failure Count"] for name, row in rows.items()}
