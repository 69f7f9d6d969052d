"""Who may read Optimize's public API: only the clients meant to, never a tenant-scoped one.

The public API applies no tenant rules: it lists every report of a collection and evaluates any report with
every row of the report's tenants (camunda/camunda `optimize/.../rest/PublicApiRestService.java` ->
`JsonReportResultExportService` -> `PlainReportEvaluationHandler`, which gives every caller VIEWER). So the
control is who Identity issues a token for its audience (`api.audience`): Optimize's API client, never a
business unit's client, whose user must see its own tenants only (TEN-005..009).
"""

from __future__ import annotations

from typing import Any

import jwt
import pytest
from oauthlib.oauth2 import OAuth2Error

from harness.clients.oauth import fetch_token
from harness.clients.optimize import OptimizeApi
from harness.config import Optimize
from harness.deployment import Stack
from harness.outcome import positive


def public_api_answer(stack: Stack, client: str, optimize: Optimize, collection_id: str) -> dict[str, Any]:
    """What `client` gets: a token for Optimize's audience or a refusal, and the public API's answer to it."""
    assert optimize.audience is not None  # a declared need of the check
    try:
        token = fetch_token(stack, client, optimize.audience)
    except OAuth2Error as exc:
        return {"token": f"refused by Identity ({exc.error})", "status": None}
    audience = jwt.decode(token, options={"verify_signature": False}).get("aud")
    status, _ = OptimizeApi(optimize.url, token, stack.verify).report_ids(collection_id)
    return {"token": "issued", "token_aud": audience, "status": status}


@pytest.mark.check("TEN-011")
def test_tenant_clients_cannot_read_the_public_api(stack: Stack, optimize: Optimize, evidence) -> None:
    api_client, collection_id = optimize.client, optimize.collection_ids[0]
    assert api_client is not None  # a declared need of the check
    status, _ = stack.optimize(api_client).report_ids(collection_id)
    positive(status == 200, f"Optimize's API client {api_client} lists collection {collection_id} (got {status})")
    tenant_clients = [name for name, client in stack.target.clients.items() if client.tenants and name != api_client]
    if not tenant_clients:
        pytest.skip("the target declares no tenant-scoped client (clients.<name>.tenants) besides optimize.client")
    answers = {name: public_api_answer(stack, name, optimize, collection_id) for name in tenant_clients}
    evidence.record(api_client=api_client, audience=optimize.audience, collection=collection_id, clients=answers)
    readers = sorted(name for name, answer in answers.items() if answer["status"] is not None
                     and 200 <= answer["status"] < 300)
    assert not readers, (f"tenant-scoped clients {readers} got tokens Optimize's public API accepts; it applies no "
                         "tenant rules, so they read every tenant's reports")
