"""Declared preconditions: what a check needs from the target before it can judge anything.

A need is a capability name (`stop_service`, `mint_token`, ...: something the harness must be able to do to
the target) or a dotted Target field (`identity.tenant_grant_ttl_s`: something the target must state). The
catalog declares each check's needs; the plugin skips a check whose needs are unmet with one uniform reason,
and `harness doctor --target` lists the same reasons before a run, so a nightly job shows what it will skip.
"""

from __future__ import annotations

from collections.abc import Iterable

from harness.config import KNOWN_CAPABILITIES, Target

# Capabilities the backend must also back with fault controls, not only the target declare.
FAULT_CAPABILITIES = frozenset({"stop_service"})


def _field(target: Target, path: str) -> object:
    value: object = target
    for part in path.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def unmet(target: Target, needs: Iterable[str], faults: bool = True) -> list[str]:
    """Why each unmet need is unmet, one line each; empty when the check can run. `faults` says whether
    the backend can stop services (an external target cannot yet)."""
    reasons = []
    for need in needs:
        if need in KNOWN_CAPABILITIES:
            if need not in target.capabilities:
                reasons.append(f"the target lacks the {need} capability (capabilities: [{need}])")
            elif need in FAULT_CAPABILITIES and not faults:
                reasons.append(f"the {need} capability has no fault controls on this backend")
        elif _field(target, need) in (None, "", [], {}):
            reasons.append(f"the target states no {need}")
    return reasons


def validate(need: str) -> None:
    """Refuse a need that is neither a capability nor a Target field, so a typo cannot skip a check."""
    if need in KNOWN_CAPABILITIES:
        return
    model: object = Target
    for part in need.split("."):
        fields = getattr(model, "model_fields", None)
        if fields is None or part not in fields:
            raise ValueError(f"need {need!r} is neither a capability nor a Target field")
        model = fields[part].annotation
        model = next((arg for arg in getattr(model, "__args__", ()) if hasattr(arg, "model_fields")), model)
