"""Optimize shows a logged-in user only its tenants' data (Optimize multi-tenancy guide, 8.3+): no other
tenant's rows from any report of the collections, another tenant's report refused by id, `<default>` only
with multi-tenancy off, no tenant data while Identity is unreachable, and a revoked grant gone within the
cache TTL + 1 s. Judged through the web app's session API, where Optimize applies tenant rules; its public
API applies none, which TEN-011 covers by who may hold its audience."""

from __future__ import annotations

import pytest

from harness.clients.optimize import login_as
from harness.config import Optimize
from harness.deployment import Stack
from harness.outcome import positive
from harness.waiting import poll
from scenarios.tenancy.optimize_support import everything_seen, listed_reports, reports_only_of_others
from scenarios.tenancy.support import SLACK_S, TenantClient, grant_ttl

DEFAULT_TENANT = "<default>"
REFUSED = frozenset({403, 404})
REVOCATION_BOUND_EXTRA_S = 1.0


def declared_tenants(stack: Stack, client: str) -> set[str]:
    return set(stack.target.clients[client].tenants)


@pytest.mark.check("TEN-005")
def test_no_rows_of_other_tenants(stack: Stack, optimize: Optimize, tenant_pair: tuple[TenantClient, TenantClient],
                                  evidence) -> None:
    a, _ = tenant_pair
    allowed = declared_tenants(stack, a.client)
    seen = everything_seen(login_as(stack, a.client), optimize)
    evidence.record(client=a.client, tenants=sorted(allowed), **seen.evidence())
    positive(a.tenant in seen.tenants(), f"{a.client} reads rows of its own tenant {a.tenant} from Optimize")
    foreign = sorted(seen.tenants() - allowed)
    assert not foreign, f"{a.client} got Optimize rows of tenants {foreign} (it holds {sorted(allowed)})"


@pytest.mark.check("TEN-006")
def test_report_of_another_tenant_refused_by_id(stack: Stack, optimize: Optimize,
                                                tenant_pair: tuple[TenantClient, TenantClient], evidence) -> None:
    a, b = tenant_pair
    others = reports_only_of_others(login_as(stack, b.client), optimize, declared_tenants(stack, a.client))
    positive(bool(others), f"{b.client} sees a report only of tenants {a.client} lacks")
    user = login_as(stack, a.client)
    answers = {rid: {"evaluate": user.evaluate_status(rid), "definition": user.report_tenants(rid)[0]}
               for rid in others}
    evidence.record(client=a.client, reports_of_others=answers)
    served = {rid: statuses for rid, statuses in answers.items() if not set(statuses.values()) <= REFUSED}
    assert not served, f"{a.client} asking for reports of other tenants by id was not refused (403/404): {served}"


@pytest.mark.check("TEN-007")
def test_multitenancy_off_shows_default_only(stack: Stack, optimize: Optimize,
                                             tenant_pair: tuple[TenantClient, TenantClient], evidence) -> None:
    a, _ = tenant_pair
    seen = everything_seen(login_as(stack, a.client, optimize.single_tenant_url), optimize)
    evidence.record(client=a.client, url=optimize.single_tenant_url, **seen.evidence())
    positive(DEFAULT_TENANT in seen.tenants(), f"{a.client} reads {DEFAULT_TENANT} rows with multi-tenancy off")
    other = sorted(seen.tenants() - {DEFAULT_TENANT})
    assert not other, f"with multi-tenancy off, Optimize returned rows of tenants {other}"


@pytest.mark.check("TEN-008")
def test_identity_unreachable_shows_no_tenant_data(stack: Stack, optimize: Optimize,
                                                   tenant_pair: tuple[TenantClient, TenantClient], evidence) -> None:
    ttl = grant_ttl(stack.target)
    a, b = tenant_pair
    user = login_as(stack, a.client)  # logged in while Identity is up
    # Every report of the collections, listed by both users, so a fail-open Optimize has rows to leak.
    report_ids = sorted(set(listed_reports(login_as(stack, b.client), optimize)[1])
                        | set(listed_reports(user, optimize)[1]))
    before = everything_seen(user, optimize, report_ids)
    positive(a.tenant in before.tenants(), f"{a.client} reads rows of {a.tenant} while Identity is up")
    stack.capabilities.services().stop("identity")
    try:
        # No tenant rows once the cached tenants expire: watched until then, judged on the last look.
        waited = poll(lambda: everything_seen(user, optimize, report_ids),
                      lambda seen: not any(rows.tenants for rows in seen.rows.values()), ttl + SLACK_S)
    finally:
        stack.capabilities.services().start("identity")
    during = waited.value
    evidence.record(client=a.client, identity="stopped", bound_s=ttl + SLACK_S, **waited.evidence(),
                    **during.evidence())
    leaked = {rid: rows.per_tenant() for rid, rows in during.rows.items() if rows.tenants}
    assert not leaked, f"with Identity unreachable, {a.client} still got tenant rows from Optimize: {leaked}"


@pytest.mark.check("TEN-009")
def test_revoked_grant_gone_within_ttl(stack: Stack, optimize: Optimize,
                                       tenant_pair: tuple[TenantClient, TenantClient], evidence) -> None:
    ttl = grant_ttl(stack.target)
    a, b = tenant_pair
    others = reports_only_of_others(login_as(stack, b.client), optimize, declared_tenants(stack, a.client))
    positive(bool(others), f"{b.client} sees a report only of tenants {a.client} lacks")
    report_id, bound = others[0], ttl + REVOCATION_BOUND_EXTRA_S
    user = login_as(stack, a.client)
    stack.capabilities.tenant_grants().set_grant(a.client, b.tenant, granted=True)
    try:
        granted = poll(lambda: user.rows(report_id), lambda rows: b.tenant in rows.tenants, ttl + SLACK_S)
        positive(granted.held, f"{a.client} reads {b.tenant} rows within {ttl + SLACK_S:g} s of the grant "
                               f"(got HTTP {granted.value.status})")
        stack.capabilities.tenant_grants().set_grant(a.client, b.tenant, granted=False)
        # Watched past the bound, so the evidence shows how late a slow revocation is, up to a limit.
        revoked = poll(lambda: user.rows(report_id, max_pages=1), lambda rows: b.tenant not in rows.tenants,
                       2 * bound)
    finally:
        stack.capabilities.tenant_grants().set_grant(a.client, b.tenant, granted=False)
    latency = revoked.elapsed_s if revoked.held else None
    evidence.record(client=a.client, tenant=b.tenant, report=report_id, ttl_s=ttl, bound_s=bound,
                    grant_latency_s=round(granted.elapsed_s, 3),
                    revocation_latency_s=None if latency is None else round(latency, 3))
    assert latency is not None and latency <= bound, (
        f"{b.tenant} rows stayed visible to {a.client} " + (f"{latency:.2f} s" if latency is not None else f"over {2 * bound:.1f} s")
        + f" after the grant was revoked; the bound is the cache TTL + {REVOCATION_BOUND_EXTRA_S:.0f} s = {bound:.1f} s")
