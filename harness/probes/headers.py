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
import itertools
import re
from collections.abc import Iterable, Mapping
from typing import Any

import requests
from drheader import Drheader

from harness.header_rules import MUST_NOT_MATCH, HeaderRule

MIN_MAX_AGE = "min-max-age"
EXTENSIONS = (MIN_MAX_AGE, MUST_NOT_MATCH)
# Response headers whose value belongs to a session: the Orchestration Cluster's double-submit CSRF token.
SESSION_HEADERS = frozenset({"x-csrf-token"})
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
    endpoint: str = ""  # the Target section that answered (optimize, gateway, identity...)
    kind: str = "webapp"  # the endpoint's kind, which picks the rules that apply (header_rules.yaml)

    def as_evidence(self) -> dict[str, Any]:
        return {"endpoint": self.endpoint, "kind": self.kind, "route": self.route, "url": self.url,
                "status": self.status, "headers": dict(self.headers), "set_cookie": list(self.cookies)}


def from_requests(route: str, raw: requests.Response, endpoint: str, kind: str,
                  plain_http: bool = False) -> Response:
    """A response as the rules judge it: Set-Cookie apart with its values redacted, and so the values of
    headers that carry session material (a CSRF token handed out on login)."""
    headers = {name: "<redacted>" if name.lower() in SESSION_HEADERS else value
               for name, value in raw.headers.items() if name.lower() != "set-cookie"}
    cookies = tuple(redact_cookie(c) for c in raw.raw.headers.getlist("Set-Cookie"))
    return Response(route, raw.url, raw.status_code, headers, cookies, plain_http=plain_http,
                    error=raw.status_code >= 400, endpoint=endpoint, kind=kind)


@dataclasses.dataclass(frozen=True)
class Observed:
    """The responses per route, and why any expected route could not be fetched."""

    responses: tuple[Response, ...]
    not_probed: dict[str, str]

    def __add__(self, other: Observed) -> Observed:
        return Observed(self.responses + other.responses, {**self.not_probed, **other.not_probed})

    def evidence(self) -> dict[str, object]:
        return {"routes": [r.as_evidence() for r in self.responses], "not_probed": self.not_probed}


def redact_cookie(set_cookie: str) -> str:
    """`name=value; attrs` -> `name=<redacted>; attrs`: the rules judge attributes, never the value."""
    pair, _, attributes = set_cookie.partition(";")
    name = pair.split("=", 1)[0].strip()
    return f"{name}=<redacted>" + (f";{attributes}" if attributes else "")


def findings(rule: HeaderRule, response: Response) -> list[str]:
        """Why the rule fails on `response` (empty when it holds or does not apply to the response's
        endpoint kind); one line per broken ruleset item."""
        if (response.plain_http and not rule.plain_http) or response.kind not in rule.applies_to:
            return []
        per_ruleset = [_ruleset_findings(ruleset, response) for ruleset in rule.any_of]
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


def missing_on_errors(rules: Iterable[HeaderRule], responses: Iterable[Response]) -> dict[str, list[str]]:
    """Per error route, the rule headers its endpoint's successful answers send but it lacks: a header
    that protects only the happy path leaves error pages (often attacker-reachable by any URL)
    unprotected. Each endpoint is compared with itself; an endpoint without a successful answer is not."""
    watched = frozenset().union(*(rule.required_headers() for rule in rules))
    https = sorted((r for r in responses if not r.plain_http), key=lambda r: r.endpoint)
    gaps: dict[str, list[str]] = {}
    for _, answers in itertools.groupby(https, key=lambda r: r.endpoint):
        group = list(answers)
        pages = [_names(r) & watched for r in group if not r.error]
        if not pages:
            continue
        sent_on_pages = frozenset.intersection(*pages)
        gaps |= {_where(r): sorted(sent_on_pages - _names(r)) for r in group if r.error}
    return {route: lacking for route, lacking in gaps.items() if lacking}


def _where(response: Response) -> str:
    return f"{response.endpoint} {response.route}" if response.endpoint else response.route


def _names(response: Response) -> frozenset[str]:
    return frozenset(name.lower() for name in response.headers)
