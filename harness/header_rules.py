"""The header rules as data: drheader rulesets per control, shipped in header_rules.yaml and replaceable by
name from a target file. Loading and validating them sits beside the Target model (which validates a
target's replacements); judging responses by them is harness.probes.headers."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from importlib import resources
from typing import Any

import yaml

from harness.errors import UsageError

# A value the header must not match (a `Server` header naming a version), beside drheader's own keys.
MUST_NOT_MATCH = "must-not-match"
# The kinds of endpoint a rule can apply to (header_rules.yaml explains each).
ENDPOINT_KINDS = ("webapp", "api", "grpc", "service")


@dataclasses.dataclass(frozen=True)
class HeaderRule:
    """One control: it holds on a response when any one of its rulesets has no findings."""

    name: str
    check: str
    any_of: tuple[Mapping[str, Mapping[str, Any]], ...]
    plain_http: bool = True
    applies_to: frozenset[str] = frozenset(ENDPOINT_KINDS)

    def required_headers(self) -> frozenset[str]:
        """The headers this rule asks responses to carry (lower case), to compare what error pages lack."""
        return frozenset(header.lower() for ruleset in self.any_of for header, config in ruleset.items()
                         if str({k.lower(): v for k, v in config.items()}["required"]).lower() == "true")


def load_rules(overrides: Mapping[str, Any] | None = None) -> dict[str, HeaderRule]:
    """The shipped rules, with any rule a target file replaces by name; errors name the rule."""
    shipped = yaml.safe_load(resources.files("harness").joinpath("header_rules.yaml").read_text())
    merged = {**shipped}
    for name, replacement in (overrides or {}).items():
        if name not in shipped:
            raise UsageError(f"headers.rules.{name}: no such rule; valid: {', '.join(sorted(shipped))}")
        merged[name] = {**shipped[name], **replacement}
    return {name: _parse_rule(name, data) for name, data in merged.items()}


def _parse_rule(name: str, data: Mapping[str, Any]) -> HeaderRule:
    any_of = data.get("any-of")
    if not isinstance(any_of, list) or not any_of or not all(isinstance(r, dict) for r in any_of):
        raise UsageError(f"headers.rules.{name}.any-of: must be a non-empty list of drheader rulesets")
    for ruleset in any_of:
        for header, config in ruleset.items():
            if not isinstance(config, dict) or "required" not in {k.lower() for k in config}:
                raise UsageError(f"headers.rules.{name}.any-of.{header}: needs a drheader ruleset with Required")
            _check_pattern(f"headers.rules.{name}.any-of.{header}", {k.lower(): v for k, v in config.items()})
    kinds = data.get("applies-to", list(ENDPOINT_KINDS))
    if not isinstance(kinds, list) or not kinds or not set(kinds) <= set(ENDPOINT_KINDS):
        raise UsageError(f"headers.rules.{name}.applies-to: must be a non-empty list of {', '.join(ENDPOINT_KINDS)}")
    return HeaderRule(name=name, check=str(data["check"]), any_of=tuple(any_of),
                      plain_http=bool(data.get("plain-http", True)), applies_to=frozenset(kinds))


def _check_pattern(where: str, config: Mapping[str, Any]) -> None:
    """A rule's must-not-match is a regular expression; a broken one is the target file's error, not a
    check's failure."""
    if MUST_NOT_MATCH not in config:
        return
    try:
        re.compile(str(config[MUST_NOT_MATCH]))
    except re.error as exc:
        raise UsageError(f"{where}.{MUST_NOT_MATCH}: not a regular expression ({exc})") from None
