"""What each check covers, counted (`harness list-checks`, field `surface`): the attack surface a check
enumerates is data (the proto descriptor, the route tables, the endpoint kinds the header rules apply to, the
forgery, claim and tenant-id registries its test parametrizes over), so its size is computed from the same
data the check walks, never written down by hand.

A check of one fixed call has an empty surface. Endpoint kinds are the ones the harness knows; a run covers
those its target declares. Probes are imported when counted, so listing the catalog stays light.
"""

from __future__ import annotations

from collections.abc import Callable

# Where the gateway checks run: through the proxy, and the gateway checking tokens itself where declared.
GATEWAY_ENDPOINTS = 2
# AUTH-015 runs on every authenticated endpoint kind without a registry of variants.
ON_EVERY_ENDPOINT = ("AUTH-015",)


def _gateway_rpcs() -> dict[str, int]:
    from harness.probes import gateway_surface, jwt

    return {"endpoints": GATEWAY_ENDPOINTS, "rpcs": len(gateway_surface.RPCS), "credentials": len(jwt.REPRESENTATIVE)}


def _grpc_services() -> dict[str, int]:
    from harness.probes import grpc_services

    return {"endpoints": GATEWAY_ENDPOINTS, "services": 1 + len(grpc_services.REFLECTION_METHODS)}


def _http_routes() -> dict[str, int]:
    from harness.probes import http_routes, jwt
    from harness.probes.endpoints import KINDS

    tables = [kind.routes for kind in KINDS.values() if kind.routes]
    return {"apis": len(tables), "routes": sum(len(http_routes.load(name).guarded) for name in tables),
            "credentials": len(jwt.REPRESENTATIVE)}


def _header_rule(check_id: str) -> Callable[[], dict[str, int]]:
    def count() -> dict[str, int]:
        from harness.header_rules import ENDPOINT_KINDS, load_rules
        from harness.probes.endpoint_responses import SURVEYED_KINDS

        rule = next((rule for rule in load_rules().values() if rule.check == check_id), None)
        kinds = rule.applies_to if rule is not None else frozenset(ENDPOINT_KINDS)
        return {"endpoints": sum(kind in kinds for _, kind in SURVEYED_KINDS)}
    return count


def _registries(check_id: str) -> dict[str, int]:
    """Checks parametrized over a registry: its variants on the endpoint kinds the family runs on."""
    from harness.probes import claims, jwt, tenant_ids
    from harness.probes.endpoints import ANONYMOUS_ONLY, KINDS

    anonymous = [kind for kind in ANONYMOUS_ONLY.values() if kind.check == check_id]
    if anonymous:
        return {"endpoints": len(anonymous), "variants": 1}
    tenants = tenant_ids.variants_of(check_id)
    if tenants:
        return {"endpoints": 1, "variants": len(tenants)}
    tokens = len(jwt.forgeries_of(check_id)) + len(claims.variants_of(check_id))
    if tokens:
        return {"endpoints": len(KINDS), "variants": tokens}
    return {"endpoints": len(KINDS)} if check_id in ON_EVERY_ENDPOINT else {}


COUNTERS: dict[str, Callable[[], dict[str, int]]] = {
    "AUTH-040": _gateway_rpcs,
    "AUTH-041": _http_routes,
    "AUTH-042": _grpc_services,
    **{f"HDR-00{n}": _header_rule(f"HDR-00{n}") for n in range(1, 9)},
}


def of(check_id: str) -> dict[str, int]:
    """The check's surface as counts (empty for a check of one fixed call)."""
    counter = COUNTERS.get(check_id)
    return counter() if counter is not None else _registries(check_id)


def summary(check_id: str) -> str:
    """One line for the table: `4 endpoints x 11 variants`, `2 endpoints x 21 rpcs x 4 credentials`."""
    return " x ".join(f"{count} {dimension}" for dimension, count in of(check_id).items()) or "-"
