"""Security response headers judged by rules as data, evaluated by drheader.

drheader (Santander's header auditor) already evaluates rules in exactly the style the headers scenario
needs (required, value, one-of, must-contain, must-avoid, CSP directives, cookies), so the rules are
drheader rulesets and drheader judges them. The harness adds only what drheader cannot express: a rule
may hold through any one of several rulesets (frame protection is CSP `frame-ancestors` *or*
X-Frame-Options), a numeric floor for HSTS's max-age, and a pattern a value must not match (a `Server`
header may name the product but not its version).
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any

import yaml
from drheader import Drheader

from harness.errors import UsageError

MIN_MAX_AGE = "min-max-age"
MUST_NOT_MATCH = "must-not-match"
EXTENSIONS = (MIN_MAX_AGE, MUST_NOT_MATCH)
MAX_AGE = re.compile(r"(?i)(?:^|;)\s*max-age\s*=\s*\"?(\d+)\"?")


@dataclasses.dataclass(frozen=True)
class Response:
    """What one route answered: enough to judge its headers and to show as evidence."""

    route: str
    url: str
    status: int
    headers: Mapping[str, str]  # without Set-Cookie: cookies carry session secrets
    cookies: tuple[str, ...] = ()  # Set-Cookie values with the cookie's value redacted, attributes kept
    plain_http: bool = False
    error: bool = False

    def as_evidence(self) -> dict[str, Any]:
        return {"route": self.route, "url": self.url, "status": self.status, "headers": dict(self.headers),
                "set_cookie": list(self.cookies)}


def redact_cookie(set_cookie: str) -> str:
    """`name=value; attrs` -> `name=<redacted>; attrs`: the rules judge attributes, never the value."""
    pair, _, attributes = set_cookie.partition(";")
    name = pair.split("=", 1)[0].strip()
    return f"{name}=<redacted>" + (f";{attributes}" if attributes else "")


@dataclasses.dataclass(frozen=True)
class HeaderRule:
    """One control: it holds on a response when any one of its rulesets has no findings."""

    name: str
    check: str
    any_of: tuple[Mapping[str, Mapping[str, Any]], ...]
    plain_http: bool = True

    def required_headers(self) -> frozenset[str]:
        """The headers this rule asks responses to carry (lower case), to compare what error pages lack."""
        return frozenset(header.lower() for ruleset in self.any_of for header, config in ruleset.items()
                         if str({k.lower(): v for k, v in config.items()}["required"]).lower() == "true")

    def findings(self, response: Response) -> list[str]:
        """Why the rule fails on `response` (empty when it holds); one line per broken ruleset item."""
        if response.plain_http and not self.plain_http:
            return []
        per_ruleset = [_ruleset_findings(ruleset, response) for ruleset in self.any_of]
        if any(not found for found in per_ruleset):
            return []
        return [line for found in per_ruleset for line in found]


def _ruleset_findings(ruleset: Mapping[str, Mapping[str, Any]], response: Response) -> list[str]:
    drheader_rules = {header: {k: v for k, v in config.items() if k.lower() not in EXTENSIONS}
                      for header, config in ruleset.items()}
    headers: dict[str, Any] = dict(response.headers)
    headers["Set-Cookie"] = list(response.cookies)
    if not response.cookies:
        del headers["Set-Cookie"]
    report = Drheader(headers=headers).analyze(rules=copy.deepcopy(drheader_rules))
    lines = [f"{item['rule']}: {item['message']}" + (f" (saw {item['value']!r})" if "value" in item else "")
             for item in report]
    for header, config in ruleset.items():
        lines += _extension_findings(header, {k.lower(): v for k, v in config.items()}, response)
    return lines


def _extension_findings(header: str, config: Mapping[str, Any], response: Response) -> list[str]:
    value = next((v for k, v in response.headers.items() if k.lower() == header.lower()), None)
    if value is None:
        return []
    lines = []
    if MIN_MAX_AGE in config:
        match = MAX_AGE.search(value)
        if match is None or int(match.group(1)) < int(config[MIN_MAX_AGE]):
            lines.append(f"{header}: max-age below {config[MIN_MAX_AGE]} s (saw {value!r})")
    if MUST_NOT_MATCH in config and re.search(str(config[MUST_NOT_MATCH]), value):
        lines.append(f"{header}: value must not match {config[MUST_NOT_MATCH]!r} (saw {value!r})")
    return lines


def load_rules(overrides: Mapping[str, Any] | None = None) -> dict[str, HeaderRule]:
    """The shipped rules, with any rule a target file replaces by name; errors name the rule."""
    shipped = yaml.safe_load(resources.files(__package__).joinpath("header_rules.yaml").read_text())
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
    return HeaderRule(name=name, check=str(data["check"]), any_of=tuple(any_of),
                      plain_http=bool(data.get("plain-http", True)))


def missing_on_errors(rules: Iterable[HeaderRule], responses: Iterable[Response]) -> dict[str, list[str]]:
    """Per error route, the rule headers the successful pages send but it lacks: a header that protects
    only the happy path leaves error pages (often attacker-reachable by any URL) unprotected."""
    watched = frozenset().union(*(rule.required_headers() for rule in rules))
    https = [r for r in responses if not r.plain_http]
    pages = [_names(r) & watched for r in https if not r.error]
    if not pages:
        return {}
    sent_on_pages = frozenset.intersection(*pages)
    gaps = {r.route: sorted(sent_on_pages - _names(r)) for r in https if r.error}
    return {route: lacking for route, lacking in gaps.items() if lacking}


def _names(response: Response) -> frozenset[str]:
    return frozenset(name.lower() for name in response.headers)
