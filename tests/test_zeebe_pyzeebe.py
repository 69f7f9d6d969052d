"""Gateway emulator conformance with the real client: pyzeebe's ZeebeClient and ZeebeWorker, with its OAuth
credentials against our token endpoint and TLS with our CA, through nginx (auth mode none behind the proxy)
and directly to the identity-mode gateway with multi-tenancy.

No `from __future__ import annotations` here: pyzeebe finds a task's `job: Job` parameter by comparing the
annotation object, which postponed (string) annotations would hide.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import grpc
import pytest
from pyzeebe import Job, JobController, ZeebeClient, ZeebeWorker, create_oauth2_client_credentials_channel

from harness.clients.bpmn import one_task_process
from harness.deployment import Stack

BACKOFF_MS = 1000
ACCURACY_S = 0.25
WORKER_POLL_MS = 2000
RUN_TIMEOUT_S = 20


def oauth_channel(stack: Stack, client: str = "bu_a", address: str | None = None) -> grpc.aio.Channel:
    """pyzeebe sends the client secret in an HTTP Basic header as it is, not form-encoded first as RFC 6749
    2.3.1 asks, so (as against Keycloak) only a client whose secret is URL-safe can use it: a business unit's,
    as its workers do. The harness's own clients' secrets carry URL-special characters on purpose."""
    target, credentials = stack.target, stack.credentials(client)
    assert target.identity is not None and target.ca_file is not None
    if address is None:
        assert target.gateway is not None
        address = target.gateway.address
    return create_oauth2_client_credentials_channel(
        grpc_address=address, client_id=credentials.client_id,
        client_secret=credentials.client_secret.get_secret_value(), authorization_server=target.identity.token_url,
        audience=target.clients[client].audience, scope=None,
        channel_credentials=grpc.ssl_channel_credentials(target.ca_file.read_bytes()))


async def with_worker(worker: ZeebeWorker, body: Callable[[], Awaitable[Any]]) -> Any:
    """Run `body` while `worker` works; stop the worker whatever happens."""
    working = asyncio.create_task(worker.work())
    try:
        return await asyncio.wait_for(body(), RUN_TIMEOUT_S)
    finally:
        await asyncio.wait_for(worker.stop(), RUN_TIMEOUT_S)
        working.cancel()


@pytest.fixture(autouse=True)
def trust_our_ca(local_stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    """pyzeebe fetches its token with requests-oauthlib, which trusts REQUESTS_CA_BUNDLE."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(local_stack.target.ca_file))


def test_deploy_start_and_complete_through_the_proxy(local_stack: Stack, tmp_path: Path) -> None:
    bpmn = tmp_path / "order.bpmn"
    bpmn.write_bytes(one_task_process("order", "reserve"))

    async def scenario() -> dict[str, Any]:
        channel = oauth_channel(local_stack)
        client, worker = ZeebeClient(channel), ZeebeWorker(channel, request_timeout=WORKER_POLL_MS)

        @worker.task(task_type="reserve")
        async def reserve(quantity: int) -> dict[str, Any]:
            return {"reserved": quantity}

        deployment = await client.deploy_resource(bpmn)
        assert deployment.deployments[0].bpmn_process_id == "order"
        result = await with_worker(worker, lambda: client.run_process_with_result(
            "order", {"quantity": 3}, timeout=RUN_TIMEOUT_S * 1000))
        await channel.close()
        return result.variables

    assert asyncio.run(scenario()) == {"quantity": 3, "reserved": 3}


def test_failed_job_is_retried_after_the_requested_back_off(local_stack: Stack, tmp_path: Path) -> None:
    bpmn = tmp_path / "flaky.bpmn"
    bpmn.write_bytes(one_task_process("flaky", "flaky-call", retries=3))
    seen: list[tuple[str, float, int]] = []

    async def fail_with_back_off(error: Exception, job: Job, controller: JobController) -> None:
        seen.append(("failed", time.monotonic(), job.retries))
        await controller.set_failure_status(str(error), retry_back_off_ms=BACKOFF_MS)

    async def scenario() -> dict[str, Any]:
        channel = oauth_channel(local_stack)
        client, worker = ZeebeClient(channel), ZeebeWorker(channel, request_timeout=WORKER_POLL_MS)

        @worker.task(task_type="flaky-call", exception_handler=fail_with_back_off)
        async def flaky_call(job: Job) -> dict[str, Any]:
            seen.append(("activated", time.monotonic(), job.retries))
            if len(seen) == 1:
                raise ConnectionError("downstream refused the stale credential")
            return {"attempts": len([s for s in seen if s[0] == "activated"])}

        await client.deploy_resource(bpmn)
        result = await with_worker(worker, lambda: client.run_process_with_result(
            "flaky", timeout=RUN_TIMEOUT_S * 1000))
        await channel.close()
        return result.variables

    assert asyncio.run(scenario()) == {"attempts": 2}
    (_, _, retries_first), (_, failed, _), (_, second, retries_second) = seen
    assert (retries_first, retries_second) == (3, 2)
    waited = second - failed
    assert abs(waited - BACKOFF_MS / 1000) <= ACCURACY_S, f"retried after {waited:.3f} s, asked {BACKOFF_MS} ms"


def test_worker_of_one_tenant_gets_only_its_jobs(local_stack: Stack, tmp_path: Path) -> None:
    """pyzeebe against the identity-mode gateway: tenant-scoped deploy, start and activation."""
    address = local_stack.target.gateway.tenancy_address  # type: ignore[union-attr]
    bpmn = tmp_path / "tenant.bpmn"
    bpmn.write_bytes(one_task_process("tenant-task", "tenant-work"))

    async def scenario() -> tuple[list[str], str]:
        channel_a, channel_b = oauth_channel(local_stack, "bu_a", address), oauth_channel(local_stack, "bu_b", address)
        client_a, client_b = ZeebeClient(channel_a), ZeebeClient(channel_b)
        worker_a = ZeebeWorker(channel_a, request_timeout=WORKER_POLL_MS, tenant_ids=["tenant-a"])
        handled: list[str] = []

        @worker_a.task(task_type="tenant-work")
        async def work(job: Job) -> dict[str, Any]:
            handled.append(job.tenant_id or "")
            return {}

        await client_a.deploy_resource(bpmn, tenant_id="tenant-a")
        await client_b.deploy_resource(bpmn, tenant_id="tenant-b")
        await client_b.run_process("tenant-task", tenant_id="tenant-b")
        result = await with_worker(worker_a, lambda: client_a.run_process_with_result(
            "tenant-task", tenant_id="tenant-a", timeout=RUN_TIMEOUT_S * 1000))
        with pytest.raises(Exception) as refused:
            await client_a.run_process("tenant-task", tenant_id="tenant-b")
        await channel_a.close()
        await channel_b.close()
        return handled, f"{result.tenant_id} {type(refused.value).__name__} {refused.value}"

    handled, outcome = asyncio.run(scenario())
    assert handled == ["tenant-a"]
    assert outcome.startswith("tenant-a ") and "tenant is not authorized" in outcome
