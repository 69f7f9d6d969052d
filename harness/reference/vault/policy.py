"""ACL policies: HCL `path` rules with capabilities, matched the way Vault matches them.

Parsed with python-hcl2 (Vault's policy syntax is a subset it reads). A rule's path may end in `*`
(prefix glob) and may contain `+` segments (one path segment each); Vault picks the single most specific
matching rule, so a broad glob never adds to a narrower rule, and `deny` in that rule wins.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping

import hcl2

CAPABILITIES = frozenset({"create", "read", "update", "patch", "delete", "list", "sudo", "deny"})
ROOT = "root"
# Vault's built-in default policy, reduced to what hvac's token calls need.
DEFAULT_POLICY = """
path "auth/token/lookup-self" {
  capabilities = ["read"]
}
"""


class PolicyError(ValueError):
    """A policy that does not parse or names an unknown capability; the message is Vault's style."""


def _unquote(value: str) -> str:
    # python-hcl2 8 keeps the quotes of string literals and block labels.
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value


def parse(text: str) -> dict[str, frozenset[str]]:
    """Path pattern -> capabilities of one policy document."""
    try:
        document = hcl2.loads(text)
    except Exception as error:  # noqa: BLE001  (the parser raises several types; all mean the same)
        raise PolicyError(f"failed to parse policy: {type(error).__name__}") from None
    rules: dict[str, frozenset[str]] = {}
    for block in document.get("path", []):
        for raw_path, body in block.items():
            capabilities = frozenset(_unquote(c) for c in body.get("capabilities", []))
            unknown = sorted(capabilities - CAPABILITIES)
            if unknown:
                raise PolicyError(f'failed to parse policy: path "{_unquote(raw_path)}": invalid capability '
                                  f'"{unknown[0]}"')
            rules[_unquote(raw_path)] = rules.get(_unquote(raw_path), frozenset()) | capabilities
    return rules


@dataclasses.dataclass(frozen=True)
class _Rule:
    pattern: str
    capabilities: frozenset[str]
    regex: re.Pattern[str]

    def priority(self) -> tuple[int, bool, int, int, str]:
        """Vault's order: later first wildcard, no trailing glob, fewer `+`, longer, lexically larger."""
        wildcards = [i for i in (self.pattern.find("+"), self.pattern.find("*")) if i >= 0]
        return (min(wildcards, default=len(self.pattern)), not self.pattern.endswith("*"),
                -self.pattern.count("+"), len(self.pattern), self.pattern)


def _compile(pattern: str) -> re.Pattern[str]:
    glob = pattern.endswith("*")
    body = pattern[:-1] if glob else pattern
    regex = "/".join("[^/]+" if segment == "+" else re.escape(segment) for segment in body.split("/"))
    return re.compile(regex + (".*" if glob else ""), re.DOTALL)


class Acl:
    """The merged rules of a token's policies (rules for the same path across policies add up)."""

    def __init__(self, policies: Iterable[str], documents: Mapping[str, dict[str, frozenset[str]]]) -> None:
        names = set(policies)
        self.root = ROOT in names
        merged: dict[str, frozenset[str]] = {}
        for name in sorted(names & set(documents)):
            for pattern, capabilities in documents[name].items():
                merged[pattern] = merged.get(pattern, frozenset()) | capabilities
        self.rules = [_Rule(p, c, _compile(p)) for p, c in merged.items()]

    def capabilities(self, path: str) -> frozenset[str]:
        if self.root:
            return CAPABILITIES - {"deny"}
        matching = [rule for rule in self.rules if rule.regex.fullmatch(path)]
        if not matching:
            return frozenset()
        best = max(matching, key=_Rule.priority)
        return frozenset() if "deny" in best.capabilities else best.capabilities

    def allows(self, path: str, *capabilities: str) -> bool:
        """True if the path's rule grants any of the capabilities (create-or-update asks for either)."""
        return bool(self.capabilities(path) & set(capabilities))
