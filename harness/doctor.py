"""`harness doctor --target FILE`: before a nightly run, say exactly what is missing for that target.

Each step names the target field it is about: the file validates, every credential variable is set,
every endpoint accepts TCP and (where declared https/TLS) a verified handshake with the target's CA,
Identity issues a token to each client, and the gateway answers an authenticated call. A run against
a target that fails here would only produce errors, so doctor's exit code gates the run.
"""

from __future__ import annotations

import dataclasses
import os
import socket
import ssl
from collections.abc import Mapping
from pathlib import Path

import requests
from oauthlib.oauth2 import OAuth2Error

from harness.backends.fault_commands import missing_programs
from harness.catalog import CHECKS, SCENARIOS, Check
from harness.config import SERVICE_SECTIONS, ServiceEndpoint, Target, load
from harness.deployment import Stack, tls_context, tls_verify
from harness.errors import UsageError
from harness.needs import credential_references, unmet, untestable
from harness.probes.jwt import audiences
from harness.report.evidence import Redactor

TIMEOUT_S = 5.0


@dataclasses.dataclass(frozen=True)
class Finding:
    ok: bool
    subject: str
    detail: str

    def line(self) -> str:
        return f"  {'ok' if self.ok else 'MISSING':<8} {self.subject}: {self.detail}"


def probe(endpoint: ServiceEndpoint, ca_file: Path | None) -> Finding:
    where = f"{endpoint.subject} {endpoint.host}:{endpoint.port}"
    try:
        sock = socket.create_connection((endpoint.host, endpoint.port), timeout=TIMEOUT_S)
    except OSError as exc:
        return Finding(False, where, f"no TCP connection ({exc.strerror or exc})")
    with sock:
        if not endpoint.tls:
            return Finding(True, where, "TCP open, plain text (no TLS declared)")
        try:
            with tls_context(ca_file).wrap_socket(sock, server_hostname=endpoint.host) as tls:
                version = tls.version()
        except ssl.SSLCertVerificationError as exc:
            trust = f"ca_file {ca_file}" if ca_file else "the system CA store (no ca_file set)"
            return Finding(False, where, f"TLS certificate not trusted by {trust}: {exc.verify_message}")
        except (ssl.SSLError, OSError) as exc:
            return Finding(False, where, f"TCP open but no TLS handshake ({exc})")
    return Finding(True, where, f"TCP open, {version} handshake verified")


def check_jwks(url: str, ca_file: Path | None) -> Finding:
    try:
        response = requests.get(url, timeout=TIMEOUT_S, verify=tls_verify(ca_file))
        keys = response.json().get("keys") if response.status_code == 200 else None
    except (requests.RequestException, ValueError) as exc:
        return Finding(False, "identity.jwks_url", f"no JWKS document ({type(exc).__name__})")
    if not keys:
        return Finding(False, "identity.jwks_url", f"HTTP {response.status_code}, no signing keys in the answer")
    return Finding(True, "identity.jwks_url", f"{len(keys)} signing key(s) published")


def check_credentials(target: Target, environ: Mapping[str, str]) -> list[Finding]:
    """Each client's pair of variables, then every other credential variable the target names (Elasticsearch's
    password, Vault's operator token and AppRoles): set or not, never its value."""
    findings = []
    for name, client in target.clients.items():
        unset = [env for env in (client.client_id_env, client.client_secret_env) if not environ.get(env)]
        findings.append(Finding(not unset, f"clients.{name}",
                                f"environment variable {', '.join(unset)} is not set" if unset
                                else f"{client.client_id_env} and {client.client_secret_env} are set"))
    for field, env, _ in credential_references(target):
        if not field.startswith("clients."):
            findings.append(Finding(bool(environ.get(env)), field,
                                    f"{env} is set" if environ.get(env) else f"environment variable {env} is not set"))
    return findings


def check_tokens(target: Target, environ: Mapping[str, str], ready: set[str], redact: Redactor) -> list[Finding]:
    """A token per client whose credentials resolved, then one authenticated gateway call."""
    findings = []
    stack = Stack(target, environ)
    token = None
    for name in target.clients:
        if name not in ready or target.identity is None:
            continue
        try:
            issued = stack.token(name)
        except (requests.RequestException, OAuth2Error, UsageError, ValueError, KeyError) as exc:
            findings.append(Finding(False, f"clients.{name} token", redact.text(f"{type(exc).__name__}: {exc}")))
            continue
        # Keycloak takes `aud` from the client's audience mappers and ignores the audience a client asks for,
        # so the declared audience must be among those the token really carries.
        declared, carried = target.clients[name].audience, audiences(issued)
        findings.append(Finding(declared in carried, f"clients.{name} token",
                                f"issued with aud {carried}" + ("" if declared in carried else
                                f", without the declared audience {declared!r} (add an audience mapper)")))
        token = issued if name == "default" else token
    if target.gateway is not None and token is not None:
        with stack.gateway(f"Bearer {token}") as calls:
            result = calls.topology()
        findings.append(Finding(result.ok, "gateway.address Topology", f"gRPC {result.code.name} with the default "
                                f"client's token" + (f" ({redact.text(result.details)})" if result.details else "")))
    return findings


def diagnose(target: Target, environ: Mapping[str, str]) -> list[Finding]:
    redact = Redactor()
    redact.add_secrets(environ[c.client_secret_env] for c in target.clients.values() if environ.get(c.client_secret_env))
    findings = check_credentials(target, environ) + check_fault_commands(target)
    ready = {f.subject.removeprefix("clients.") for f in findings if f.ok}
    reachable = set()
    for endpoint in target.endpoints():
        finding = probe(endpoint, target.ca_file)
        findings.append(finding)
        if finding.ok:
            reachable.add(endpoint.subject)
    if "identity.jwks_url" in reachable and target.identity is not None:
        findings.append(check_jwks(target.identity.jwks_url, target.ca_file))
    if "identity.token_url" in reachable:
        findings += check_tokens(target, environ, ready, redact)
    return findings


def skipped_checks(target: Target) -> list[tuple[Check, list[str]]]:
    """The checks whose declared needs this target does not meet, with the reasons their skips will give.
    A target file stops only the services its `faults` section has commands for."""
    return [(check, reasons) for check in CHECKS.values()
            if (reasons := unmet(target, check.needs, stoppable=lambda service: service in target.faults.services))]


def check_fault_commands(target: Target) -> list[Finding]:
    """Each fault command's program is on this machine (where the run will call it); the commands are not
    run, since stopping a service is the run's business, not doctor's."""
    if not target.faults.services:
        return []
    missing = [Finding(False, *line.split(": ", 1)) for line in missing_programs(target)]
    return missing or [Finding(True, "faults", f"commands found for {', '.join(sorted(target.faults.services))}")]


def run(path: Path, environ: Mapping[str, str] = os.environ) -> int:
    """Prints one line per finding; 0 when nothing is missing, 1 otherwise. A bad file raises UsageError."""
    target = load(path, environ)
    print(f"harness doctor: target {target.name} ({path})")
    absent = [name for name in SERVICE_SECTIONS if getattr(target, name) is None]
    if absent:
        print(f"  {'-':<8} not declared, their checks will skip: {', '.join(absent)}")
    for check, reasons in skipped_checks(target):
        print(f"  {'skip':<8} {check.id} {check.title}: {'; '.join(reasons)}")
    findings = diagnose(target, environ)
    nothing = untestable(target, SCENARIOS)
    if nothing:
        findings.insert(0, Finding(False, "target", nothing))
    for finding in findings:
        print(finding.line())
    problems = [f for f in findings if not f.ok]
    print(f"harness doctor: {len(problems)} problem(s)" if problems else "harness doctor: ready to run")
    return 1 if problems else 0
