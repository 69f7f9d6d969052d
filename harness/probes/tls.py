"""TLS scanning with sslyze: one scan per endpoint, spread over the CPUs, typed results checks read from.

A scan runs every command Mozilla's checker needs (versions, suites, groups, certificate, compression,
renegotiation, Heartbleed, ROBOT, CCS injection, fallback SCSV, extended master secret), so checks share one
scan per endpoint instead of each opening its own connections. The results are reduced to small dataclasses
here; checks never touch sslyze's objects.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
import json
import os
import pickle
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from sslyze import (
    CertificateInfoExtraArgument,
    CertificateInfoScanResult,
    RobotScanResultEnum,
    ScanCommand,
    ScanCommandAttemptStatusEnum,
    ScanCommandsExtraArguments,
    Scanner,
    ServerNetworkConfiguration,
    ServerNetworkLocation,
    ServerScanRequest,
    ServerScanResult,
    ServerScanStatusEnum,
)
from sslyze.mozilla_tls_profile.tls_config_checker import (
    SCAN_COMMANDS_NEEDED_BY_MOZILLA_CHECKER,
    MozillaTlsConfiguration,
    ServerNotCompliantWithTlsConfiguration,
    ServerScanResultIncomplete,
    TlsConfigurationEnum,
    check_server_against_tls_configuration,
)

from harness.config import Target

VERSION_COMMANDS = {
    "SSL 2.0": ScanCommand.SSL_2_0_CIPHER_SUITES,
    "SSL 3.0": ScanCommand.SSL_3_0_CIPHER_SUITES,
    "TLS 1.0": ScanCommand.TLS_1_0_CIPHER_SUITES,
    "TLS 1.1": ScanCommand.TLS_1_1_CIPHER_SUITES,
    "TLS 1.2": ScanCommand.TLS_1_2_CIPHER_SUITES,
    "TLS 1.3": ScanCommand.TLS_1_3_CIPHER_SUITES,
}
LEGACY_VERSIONS = ("SSL 2.0", "SSL 3.0", "TLS 1.0", "TLS 1.1")
SCAN_COMMANDS = frozenset(SCAN_COMMANDS_NEEDED_BY_MOZILLA_CHECKER)
INTERMEDIATE = MozillaTlsConfiguration.get(TlsConfigurationEnum.MOZILLA_INTERMEDIATE)
# The CA file sslyze was given shows up as a trust store of this name in its path validation results.
SUPPLIED_CA_STORE = "Supplied CA file"
MIN_RSA_BITS = 2048
MIN_EC_BITS = 256
# Mozilla's checker flags only a strong oracle; a weak one (exploitable with more queries) fails here too.
ROBOT_VULNERABLE = frozenset({RobotScanResultEnum.VULNERABLE_STRONG_ORACLE.name,
                              RobotScanResultEnum.VULNERABLE_WEAK_ORACLE.name})
BUNDLED_STORE_WARNING = "Parsed a serial number which wasn't positive"
NETWORK_TIMEOUT_S = 5
NETWORK_RETRIES = 2
# A child process scans a share of the endpoints only where each process gets at least this many; it gives
# up (and this process scans its share) after WORKER_TIMEOUT_S.
ENDPOINTS_PER_PROCESS = 3
WORKER_TIMEOUT_S = 300


@dataclasses.dataclass(frozen=True)
class Endpoint:
    """A TLS endpoint as clients reach it: `host` is the name they connect to and must find in the SAN."""

    name: str
    host: str
    port: int
    declared_tls: bool

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


def endpoints(target: Target) -> tuple[Endpoint, ...]:
    """Every endpoint the Target declares (Target.endpoints), deduplicated by address. A section's first
    address is named by the section; another address of it (the cluster's oidc listener, its gRPC port) by
    the field that declares it, so each scan keeps its own name."""
    unique: dict[str, Endpoint] = {}
    for endpoint in target.endpoints():
        if endpoint.address in unique:
            continue
        named = {e.name for e in unique.values()}
        name = endpoint.section if endpoint.section not in named else endpoint.subject
        unique[endpoint.address] = Endpoint(name, endpoint.host, endpoint.port, endpoint.tls)
    return tuple(unique.values())


@dataclasses.dataclass(frozen=True)
class Certificate:
    """The leaf certificate the endpoint served, and whether it validates against the Target's CA."""

    subject: str
    issuer: str
    san: tuple[str, ...]
    not_before: dt.datetime
    not_after: dt.datetime
    key_type: str
    key_bits: int
    curve: str | None
    trusted: bool
    validation_error: str | None

    @property
    def key(self) -> str:
        return f"{self.key_type} {self.curve}" if self.curve else f"{self.key_type} {self.key_bits}"

    @property
    def strong_key(self) -> bool:
        """>= 2048-bit RSA or an EC key of >= 256 bits (P-256 and up)."""
        if self.key_type == "RSA":
            return self.key_bits >= MIN_RSA_BITS
        return self.key_type == "EC" and self.key_bits >= MIN_EC_BITS

    def names_host(self, host: str) -> bool:
        """RFC 6125 matching against the SAN only (CN is ignored, as browsers and Go do): IPs exactly,
        DNS names case-insensitively, a wildcard only as the whole left-most label."""
        try:
            wanted_ip = ipaddress.ip_address(host)
        except ValueError:
            wanted_ip = None
        for entry in self.san:
            kind, _, value = entry.partition(":")
            if wanted_ip is not None:
                if kind == "IP" and ipaddress.ip_address(value) == wanted_ip:
                    return True
                continue
            if kind != "DNS":
                continue
            name, wanted = value.lower().rstrip("."), host.lower().rstrip(".")
            if name == wanted:
                return True
            if name.startswith("*.") and "." in wanted and wanted.split(".", 1)[1] == name[2:]:
                return True
        return False

    def evidence(self) -> dict[str, Any]:
        return {"subject": self.subject, "issuer": self.issuer, "san": list(self.san), "not_before": self.not_before.isoformat(),
                "not_after": self.not_after.isoformat(), "key": self.key, "trusted_by_target_ca": self.trusted,
                "validation_error": self.validation_error}


@dataclasses.dataclass(frozen=True)
class TlsScan:
    """What one sslyze scan of one endpoint found. `error` is set when no TLS handshake (or a scan command)
    succeeded; every other field is then empty."""

    endpoint: Endpoint
    error: str | None = None
    accepted_suites: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    groups: tuple[str, ...] = ()
    certificate: Certificate | None = None
    profile_issues: Mapping[str, str] = dataclasses.field(default_factory=dict)
    compression: bool = False
    secure_renegotiation: bool = False
    client_renegotiation: bool = False
    heartbleed: bool = False
    ccs_injection: bool = False
    robot: str = ""
    fallback_scsv: bool = False

    @property
    def accepted_versions(self) -> tuple[str, ...]:
        return tuple(version for version, suites in self.accepted_suites.items() if suites)

    @property
    def legacy_versions(self) -> tuple[str, ...]:
        return tuple(v for v in self.accepted_versions if v in LEGACY_VERSIONS)

    @property
    def suites_outside_profile(self) -> tuple[str, ...]:
        """Accepted suites Mozilla's intermediate profile does not list (TLS 1.3 and earlier lists differ)."""
        allowed = {"TLS 1.3": INTERMEDIATE.ciphersuites}
        return tuple(sorted({suite for version, suites in self.accepted_suites.items() for suite in suites
                             if suite not in allowed.get(version, INTERMEDIATE.ciphers.iana)}))

    @property
    def weaknesses(self) -> dict[str, str]:
        """Known attacks and legacy features the scan found, beyond the Mozilla checker's own list."""
        found = dict(self.profile_issues)
        if self.certificate is not None and not self.certificate.strong_key:
            found["certificate_key"] = f"Certificate key is {self.certificate.key}, below 2048-bit RSA or P-256."
        if self.client_renegotiation:
            found["client_renegotiation"] = "Server accepts client-initiated renegotiation (DoS)."
        if self.robot in ROBOT_VULNERABLE:
            found.setdefault("tls_vulnerability_robot", f"ROBOT test result: {self.robot}.")
        return found

    def evidence(self) -> dict[str, Any]:
        """What report.json shows per endpoint."""
        facts: dict[str, Any] = {"address": self.endpoint.address, "declared_tls": self.endpoint.declared_tls}
        if self.error is not None:
            return facts | {"error": self.error}
        return facts | {
            "accepted_versions": list(self.accepted_versions),
            "suites_outside_profile": list(self.suites_outside_profile),
            "groups": list(self.groups),
            "certificate": self.certificate.evidence() if self.certificate else None,
            "mozilla_intermediate_issues": dict(self.profile_issues),
            "compression": self.compression, "secure_renegotiation": self.secure_renegotiation,
            "client_renegotiation": self.client_renegotiation, "heartbleed": self.heartbleed,
            "ccs_injection": self.ccs_injection, "robot": self.robot, "fallback_scsv": self.fallback_scsv,
        }


def _request(endpoint: Endpoint, ca_file: Path | None) -> ServerScanRequest:
    extra = ScanCommandsExtraArguments(certificate_info=CertificateInfoExtraArgument(custom_ca_file=ca_file)
                                       if ca_file else None)
    network = ServerNetworkConfiguration(tls_server_name_indication=endpoint.host,
                                         network_timeout=NETWORK_TIMEOUT_S, network_max_retries=NETWORK_RETRIES)
    return ServerScanRequest(server_location=ServerNetworkLocation(hostname=endpoint.host, port=endpoint.port),
                             network_configuration=network, scan_commands=set(SCAN_COMMANDS),
                             scan_commands_extra_arguments=extra)


def _san(cert: x509.Certificate) -> tuple[str, ...]:
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return ()
    return tuple([f"DNS:{n}" for n in names.get_values_for_type(x509.DNSName)]
                 + [f"IP:{ip}" for ip in names.get_values_for_type(x509.IPAddress)])


def _certificate(result: CertificateInfoScanResult) -> Certificate:
    deployment = result.certificate_deployments[0]
    leaf = deployment.received_certificate_chain[0]
    key = leaf.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        key_type, bits, curve = "RSA", key.key_size, None
    elif isinstance(key, ec.EllipticCurvePublicKey):
        key_type, bits, curve = "EC", key.curve.key_size, key.curve.name
    else:
        key_type, bits, curve = type(key).__name__, 0, None
    supplied = [r for r in deployment.path_validation_results if r.trust_store.name == SUPPLIED_CA_STORE]
    validations = supplied or deployment.path_validation_results
    trusted = any(r.was_validation_successful for r in validations)
    errors = [r.validation_error for r in validations if r.validation_error]
    return Certificate(subject=leaf.subject.rfc4514_string(), issuer=leaf.issuer.rfc4514_string(), san=_san(leaf),
                       not_before=leaf.not_valid_before_utc, not_after=leaf.not_valid_after_utc,
                       key_type=key_type, key_bits=bits, curve=curve, trusted=trusted,
                       validation_error=None if trusted else (errors[0] if errors else "no trust store validated it"))


def _scan_result(endpoint: Endpoint, result: ServerScanResult) -> TlsScan:
    if result.scan_status != ServerScanStatusEnum.COMPLETED or result.scan_result is None:
        trace = result.connectivity_error_trace
        reason = "".join(trace.format_exception_only()).strip() if trace is not None else result.scan_status.name
        return TlsScan(endpoint, error=f"no TLS handshake: {reason}")
    attempts = result.scan_result
    for command in sorted(SCAN_COMMANDS, key=lambda c: c.value):
        attempt = getattr(attempts, command.value)
        if attempt.status != ScanCommandAttemptStatusEnum.COMPLETED:
            return TlsScan(endpoint, error=f"sslyze could not run {command.value}: {attempt.error_reason}")
    try:
        check_server_against_tls_configuration(result, INTERMEDIATE)
        issues: dict[str, str] = {}
    except ServerNotCompliantWithTlsConfiguration as exc:
        issues = dict(exc.issues)
    except ServerScanResultIncomplete as exc:
        return TlsScan(endpoint, error=f"sslyze's Mozilla checker: {exc}")
    renegotiation = attempts.session_renegotiation.result
    curves = attempts.elliptic_curves.result.supported_curves or []
    return TlsScan(
        endpoint,
        accepted_suites={version: tuple(s.cipher_suite.name for s in
                                        getattr(attempts, command.value).result.accepted_cipher_suites)
                         for version, command in VERSION_COMMANDS.items()},
        groups=tuple(curve.name for curve in curves),
        certificate=_certificate(attempts.certificate_info.result),
        profile_issues=issues,
        compression=attempts.tls_compression.result.supports_compression,
        secure_renegotiation=renegotiation.supports_secure_renegotiation,
        client_renegotiation=renegotiation.is_vulnerable_to_client_renegotiation_dos,
        heartbleed=attempts.heartbleed.result.is_vulnerable_to_heartbleed,
        ccs_injection=attempts.openssl_ccs_injection.result.is_vulnerable_to_ccs_injection,
        robot=attempts.robot.result.robot_result.name,
        fallback_scsv=attempts.tls_fallback_scsv.result.supports_fallback_scsv,
    )


@dataclasses.dataclass(frozen=True)
class ScanReport:
    """Every endpoint's scan, keyed by endpoint name, how long the whole scan took, and how many processes
    delivered scans (a child that failed had its share scanned in this one)."""

    scans: Mapping[str, TlsScan]
    duration_s: float
    processes: int = 1


def scan_group(endpoints: list[Endpoint], ca_file: Path | None) -> list[TlsScan]:
    """The endpoints' scans, all queued in one Scanner so they run concurrently."""
    if not endpoints:
        return []
    by_address = {endpoint.address: endpoint for endpoint in endpoints}
    with warnings.catch_warnings():
        # sslyze's bundled trust stores hold old roots with negative serials; not the target's concern.
        warnings.filterwarnings("ignore", message=BUNDLED_STORE_WARNING)
        scanner = Scanner(concurrent_server_scans_limit=len(endpoints))
        scanner.queue_scans([_request(endpoint, ca_file) for endpoint in endpoints])
        return [_scan_result(by_address[result.server_location.display_string], result)
                for result in scanner.get_results()]


def _scan_elsewhere(endpoints: list[Endpoint], ca_file: Path | None) -> Callable[[], tuple[list[TlsScan], bool]]:
    """Start scanning `endpoints` in a child process (harness.probes.tls_worker); the call that collects
    its scans and whether the child delivered them. A child that fails has its share scanned here instead,
    so a scan never depends on it."""
    package_root = str(Path(__file__).resolve().parents[2])
    environ = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (package_root, os.environ.get("PYTHONPATH"))))}
    request = json.dumps({"endpoints": [dataclasses.asdict(e) for e in endpoints],
                          "ca_file": str(ca_file) if ca_file else None})
    child = subprocess.Popen([sys.executable, "-m", "harness.probes.tls_worker", request], env=environ,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def collect() -> tuple[list[TlsScan], bool]:
        try:
            output, _ = child.communicate(timeout=WORKER_TIMEOUT_S)
            if child.returncode == 0:
                return list(pickle.loads(output)), True  # our own child, running this same module
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
        return scan_group(endpoints, ca_file), False

    return collect


def scan_all(targets: Iterable[Endpoint], ca_file: Path | None, processes: int | None = None) -> ScanReport:
    """One sslyze scan per TLS endpoint. Endpoints the Target declares without TLS are not scanned; their
    result carries that as its error.

    sslyze's scans are Python holding the GIL (its threads overlap only the network waits), so one Scanner
    costs the sum of its endpoints' scans, about half a second of CPU each. The endpoints are split over
    `processes` (default: the CPU count, at most one per three endpoints, as a child first spends about
    half a second importing sslyze): this process scans one share, child processes the others."""
    started = time.monotonic()
    scans: dict[str, TlsScan] = {}
    to_scan: dict[str, Endpoint] = {}
    for endpoint in targets:
        if endpoint.declared_tls:
            to_scan.setdefault(endpoint.address, endpoint)
        else:
            scans[endpoint.name] = TlsScan(endpoint, error="the target declares this endpoint without TLS")
    endpoints = list(to_scan.values())
    shares = max(1, min(processes or os.cpu_count() or 1, len(endpoints) // ENDPOINTS_PER_PROCESS))
    groups = [endpoints[i::shares] for i in range(shares)]
    children = [_scan_elsewhere(group, ca_file) for group in groups[1:]]
    results = scan_group(groups[0], ca_file)
    delivered = 1
    for collect in children:
        child_scans, by_child = collect()
        results += child_scans
        delivered += by_child
    scans.update((scan.endpoint.name, scan) for scan in results)
    return ScanReport(scans, round(time.monotonic() - started, 3), delivered)
