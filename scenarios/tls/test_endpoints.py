"""Every TLS endpoint of the Target, as sslyze sees it: versions, Mozilla intermediate, certificates.

Each check walks all endpoints of the shared scan and fails naming every endpoint that breaks its
property; an endpoint sslyze could not handshake with breaks every property.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from harness.probes import tls

Finding = Callable[[tls.TlsScan], str | None]


def failures(report: tls.ScanReport, finding: Finding) -> list[str]:
    """`finding` returns what is wrong with one endpoint's scan, or None; an unscanned endpoint is wrong."""
    found = []
    for name, scan in sorted(report.scans.items()):
        problem = scan.error if scan.error is not None else finding(scan)
        if problem:
            found.append(f"{name} ({scan.endpoint.address}): {problem}")
    return found


def certificate_facts(report: tls.ScanReport) -> dict[str, object]:
    return {name: (scan.certificate.evidence() if scan.certificate else {"error": scan.error})
            for name, scan in sorted(report.scans.items())}


@pytest.mark.check("TLS-002")
def test_endpoints_refuse_legacy_versions(tls_scans: tls.ScanReport, evidence) -> None:
    evidence.record(endpoints={name: {"address": scan.endpoint.address, "error": scan.error,
                                      "accepted_versions": list(scan.accepted_versions)}
                               for name, scan in sorted(tls_scans.scans.items())})
    bad = failures(tls_scans, lambda scan: scan.legacy_versions and
                   f"accepts {', '.join(scan.legacy_versions)}")
    assert not bad, "legacy protocol versions accepted: " + "; ".join(bad)


@pytest.mark.check("TLS-003")
def test_endpoints_meet_mozilla_intermediate(tls_scans: tls.ScanReport, evidence) -> None:
    evidence.record(scan_duration_s=tls_scans.duration_s, scan_processes=tls_scans.processes,
                    endpoints={name: scan.evidence() for name, scan in sorted(tls_scans.scans.items())})
    bad = failures(tls_scans, lambda scan: scan.weaknesses and " ".join(scan.weaknesses.values()))
    assert not bad, "Mozilla intermediate profile broken: " + "; ".join(bad)


@pytest.mark.check("TLS-004")
def test_endpoint_certificates_chain_to_target_ca(tls_scans: tls.ScanReport, evidence) -> None:
    evidence.record(endpoints=certificate_facts(tls_scans))
    bad = failures(tls_scans, lambda scan: None if scan.certificate and scan.certificate.trusted
                   else f"chain does not validate: {scan.certificate.validation_error if scan.certificate else ''}")
    assert not bad, "certificate not trusted via the Target's CA: " + "; ".join(bad)


@pytest.mark.check("TLS-005")
def test_endpoint_certificates_name_client_host(tls_scans: tls.ScanReport, evidence) -> None:
    evidence.record(endpoints=certificate_facts(tls_scans))
    bad = failures(tls_scans, lambda scan: None if scan.certificate and scan.certificate.names_host(scan.endpoint.host)
                   else f"SAN {list(scan.certificate.san) if scan.certificate else []} lacks {scan.endpoint.host}")
    assert not bad, "certificate does not name the host clients use: " + "; ".join(bad)


@pytest.mark.check("TLS-006")
def test_endpoint_certificates_valid_beyond_horizon(tls_scans: tls.ScanReport, cert_expiry_horizon: dt.timedelta,
                                                    evidence) -> None:
    now = dt.datetime.now(dt.UTC)
    evidence.record(horizon_days=cert_expiry_horizon.days, checked_at=now.isoformat(),
                    endpoints=certificate_facts(tls_scans))

    def finding(scan: tls.TlsScan) -> str | None:
        cert = scan.certificate
        if cert is None:
            return "no certificate"
        if cert.not_before > now:
            return f"not valid before {cert.not_before.isoformat()}"
        if cert.not_after <= now:
            return f"expired at {cert.not_after.isoformat()}"
        if cert.not_after - now < cert_expiry_horizon:
            return f"expires at {cert.not_after.isoformat()}, within {cert_expiry_horizon.days} days"
        return None

    bad = failures(tls_scans, finding)
    assert not bad, "certificate expired or expiring: " + "; ".join(bad)
