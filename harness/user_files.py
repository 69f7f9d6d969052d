"""Reading the files a user hands the harness (target files, waivers, baselines) without trusting them.

A target file is a few KB of YAML. Whatever else arrives (a FIFO, a binary, an alias bomb, a 3,000-level
nesting, duplicate keys, a date that is no date) is refused with one line naming the file and the
problem, before it can hang the run, eat memory or end in a traceback.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import yaml

from harness.errors import UsageError

MAX_YAML_BYTES = 1_000_000
MAX_DEPTH = 32


def read_text(path: Path, what: str, max_bytes: int = MAX_YAML_BYTES) -> str:
    """The UTF-8 text of a regular file of at most `max_bytes`; `what` names the option or field."""
    try:
        info = path.stat()
    except OSError as exc:
        raise UsageError(f"{what}: cannot read {path}: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        # open() on a FIFO blocks until a writer comes; a directory or device is no file either.
        raise UsageError(f"{what}: {path} is not a regular file")
    if info.st_size > max_bytes:
        raise UsageError(f"{what}: {path} is {info.st_size} bytes; at most {max_bytes} are read")
    try:
        return path.read_bytes()[:max_bytes].decode("utf-8")
    except OSError as exc:
        raise UsageError(f"{what}: cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{what}: {path} is not UTF-8 text") from None


class Refused(yaml.constructor.ConstructorError):
    """Valid YAML that a harness input file may not use."""


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader without aliases (the billion-laughs expansion), nesting deeper than MAX_DEPTH,
    duplicate keys (the last one silently winning), or implicit timestamps (a bad date is a
    ValueError deep in PyYAML; as a string, the field's own validation names it)."""

    depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise Refused(None, None, "aliases (*name) are not allowed", event.start_mark)
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise Refused(None, None, f"nested deeper than {MAX_DEPTH} levels",
                                                        self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, list | dict) or key in seen:
                raise Refused(None, None, f"duplicate or unhashable key {key!r}",
                                                        key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def load_yaml(path: Path, what: str) -> Any:
    """The YAML document in `path`, read under the limits above; every refusal is one UsageError line."""
    text = read_text(path, what)
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None)
        detail = problem if isinstance(exc, Refused) else f"not valid YAML ({problem or 'unreadable'})"
        raise UsageError(f"{what}: {path}:{where}: {detail}") from None
    except RecursionError:
        raise UsageError(f"{what}: {path}: nested too deeply") from None
