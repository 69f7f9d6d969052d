"""The reference services, one definition module each; this registry is the only list of them.

Adding a service is a definition module here plus its emulator package under harness/reference/.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable

from harness.reference.services import (
    downstream,
    identity,
    optimize,
    orchestration,
    proxy,
    search,
    vault,
    workers,
    zeebe,
)
from harness.reference.services.base import Definition, Listener

# In start order: a service's dependencies come before it, so each finds what it calls already starting.
DEFINITIONS: dict[str, Definition] = {module.DEFINITION.name: module.DEFINITION for module in (
    identity, search, zeebe, proxy, optimize, vault, downstream, workers, orchestration)}


def needed(scenarios: Collection[str]) -> list[Definition]:
    """The services the scenarios talk to, and everything those call, in start order."""
    wanted = {name for name, definition in DEFINITIONS.items() if definition.scenarios & set(scenarios)}
    pending = list(wanted)
    while pending:
        for dependency in DEFINITIONS[pending.pop()].depends_on:
            if dependency not in wanted:
                wanted.add(dependency)
                pending.append(dependency)
    return [definition for name, definition in DEFINITIONS.items() if name in wanted]


def listeners(definitions: Iterable[Definition]) -> dict[str, Listener]:
    return {name: listener for definition in definitions for name, listener in definition.listeners.items()}


@functools.cache
def weakness_backends() -> dict[str, frozenset[str]]:
    """Each implemented weakness and the backends whose reference stack can switch it on."""
    found: dict[str, frozenset[str]] = {}
    for definition in DEFINITIONS.values():
        for name, backends in definition.weaknesses.items():
            found[name] = found.get(name, frozenset()) | backends
    return found
