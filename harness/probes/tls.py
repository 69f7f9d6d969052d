"""TLS scanning with sslyze: one scan per endpoint, with a typed result checks read from."""

from __future__ import annotations

import dataclasses

from sslyze import (
    ScanCommand,
    ScanCommandAttemptStatusEnum,
    Scanner,
    ServerNetworkLocation,
    ServerScanRequest,
    ServerScanStatusEnum,
)

VERSION_COMMANDS = {
    "SSL 2.0": ScanCommand.SSL_2_0_CIPHER_SUITES,
    "SSL 3.0": ScanCommand.SSL_3_0_CIPHER_SUITES,
    "TLS 1.0": ScanCommand.TLS_1_0_CIPHER_SUITES,
    "TLS 1.1": ScanCommand.TLS_1_1_CIPHER_SUITES,
    "TLS 1.2": ScanCommand.TLS_1_2_CIPHER_SUITES,
    "TLS 1.3": ScanCommand.TLS_1_3_CIPHER_SUITES,
}
LEGACY_VERSIONS = ("SSL 2.0", "SSL 3.0", "TLS 1.0", "TLS 1.1")


@dataclasses.dataclass(frozen=True)
class TlsScan:
    endpoint: str
    connectivity_error: str | None
    accepted_suites: dict[str, tuple[str, ...]]

    @property
    def accepted_versions(self) -> tuple[str, ...]:
        return tuple(version for version, suites in self.accepted_suites.items() if suites)


def scan(host: str, port: int) -> TlsScan:
    """Scan one endpoint for the protocol versions and cipher suites it accepts."""
    endpoint = f"{host}:{port}"
    request = ServerScanRequest(server_location=ServerNetworkLocation(hostname=host, port=port),
                                scan_commands=set(VERSION_COMMANDS.values()))
    scanner = Scanner()
    scanner.queue_scans([request])
    result = next(iter(scanner.get_results()))
    if result.scan_status != ServerScanStatusEnum.COMPLETED or result.scan_result is None:
        error = result.connectivity_error_trace
        reason = "".join(error.format_exception_only()).strip() if error is not None else result.scan_status.name
        return TlsScan(endpoint, reason, {})
    accepted: dict[str, tuple[str, ...]] = {}
    for version, command in VERSION_COMMANDS.items():
        attempt = getattr(result.scan_result, command.value)
        if attempt.status != ScanCommandAttemptStatusEnum.COMPLETED:
            raise RuntimeError(f"sslyze could not test {version} on {endpoint}: {attempt.error_reason}")
        accepted[version] = tuple(s.cipher_suite.name for s in attempt.result.accepted_cipher_suites)
    return TlsScan(endpoint, None, accepted)
