"""The package's layers, read from the source: what may import what.

Clients and probes sit above the deployment object (harness.deployment.Stack) and below the backends
that produce it, so a new backend or an external target never changes a client. Module-level imports
form no cycle; the accessors of the Stack import their client on first use, inside the method, which
is the one deliberate way down-to-up.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "harness"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_block(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def imports(path: Path, *, module_level_only: bool) -> set[str]:
    """The harness modules `path` imports (`from harness.x import y` counts y when y is a module)."""
    tree = ast.parse(path.read_text())
    nodes: list[ast.AST] = []
    if module_level_only:
        nodes = [node for node in tree.body if not _type_checking_block(node)]
    else:
        nodes = list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("harness")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("harness"):
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names
                      if (PACKAGE.parent / f"{node.module}.{alias.name}".replace(".", "/")).is_dir()
                      or (PACKAGE.parent / (f"{node.module}.{alias.name}".replace(".", "/") + ".py")).is_file()}
    return found


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def test_module_level_imports_form_no_cycle() -> None:
    graph = {name: {dep for dep in imports(path, module_level_only=True) if dep in MODULES and dep != name}
             for name, path in MODULES.items()}
    # A package's __init__ importing its own submodules is not a cycle of design; leave packages out.
    done: set[str] = set()
    cycles: list[list[str]] = []

    def visit(name: str, trail: list[str]) -> None:
        if name in trail:
            cycles.append(trail[trail.index(name):] + [name])
            return
        if name in done:
            return
        for dep in sorted(graph[name]):
            if not dep.startswith(f"{name}.") and not name.startswith(f"{dep}."):
                visit(dep, [*trail, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])
    assert not cycles, f"import cycles: {cycles}"


@pytest.mark.parametrize("layer", ["harness.clients", "harness.probes", "harness.deployment", "harness.config"])
def test_layer_never_imports_the_backends(layer: str) -> None:
    offenders = {name: sorted(dep for dep in imports(path, module_level_only=False)
                              if dep.startswith("harness.backends"))
                 for name, path in MODULES.items() if name == layer or name.startswith(f"{layer}.")}
    assert not {name: deps for name, deps in offenders.items() if deps}


def test_the_layer_check_sees_imports() -> None:
    """Positive control: the scan finds what a client does import, so an empty answer above means something."""
    assert "harness.deployment" in imports(PACKAGE / "clients" / "oauth.py", module_level_only=True)
    assert "harness.clients.gateway" in imports(PACKAGE / "deployment.py", module_level_only=False)


def test_the_target_model_imports_no_probe_or_client() -> None:
    """The Target model sits below what reads it: validating a target's header rules needs the rules'
    loader (harness.header_rules), not the probe that judges responses by them."""
    found = imports(PACKAGE / "config.py", module_level_only=False)
    assert not {dep for dep in found if dep.startswith(("harness.probes", "harness.clients"))}, found
