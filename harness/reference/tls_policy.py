"""The reference stack's TLS settings in one place: Mozilla's intermediate profile for every listener, and
the deliberately bad variants the transport weaknesses switch on (each changes exactly one control).

Mozilla's generator leaves groups to the server's defaults, but OpenSSL 3 also offers X448 and secp521r1,
which sslyze's Mozilla checker flags; the reference stack therefore pins the profile's groups.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from harness.reference.profile import Profile

if TYPE_CHECKING:  # every service imports this module for its ciphers; only the stack's planner issues certs
    from harness.reference.pki import Pki, ServerCert

# Mozilla's "intermediate" configuration (TLS 1.2 suites; TLS 1.3 suites are OpenSSL's defaults).
INTERMEDIATE_CIPHERS = ("ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
                        "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
                        "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305")
INTERMEDIATE_GROUPS = ("X25519", "prime256v1", "secp384r1")
# Python's ssl module sets exactly one group; P-256 is in the profile and every client supports it.
SINGLE_GROUP = "prime256v1"
# weak_ciphers: CBC-mode suites (with SHA-1 and SHA-2 MACs) on top of the profile's; the reference
# certificates are ECDSA, so these are the legacy suites a server with them can actually negotiate.
WEAK_CIPHERS = (f"{INTERMEDIATE_CIPHERS}:ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:"
                "ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384")
EXPIRED_AGO = dt.timedelta(days=30)
WRONG_HOST = "wrong-host.invalid"


def cipher_string(profile: Profile) -> str:
    """The OpenSSL cipher string of a listener: the profile's, or weak_ciphers' wider one."""
    return WEAK_CIPHERS if profile.has("weak_ciphers") else INTERMEDIATE_CIPHERS


def client_facing_cert(pki: Pki, name: str, profile: Profile) -> ServerCert:
    """The certificate of the endpoint clients use (the proxy), with at most one certificate weakness:
    expired, issued for another host, or self-signed instead of from the Target's CA."""
    if profile.has("cert_expired"):
        now = dt.datetime.now(dt.UTC)
        validity = dt.timedelta(days=90)
        return pki.issue(name, not_before=now - EXPIRED_AGO - validity, validity=validity)
    if profile.has("cert_wrong_host"):
        return pki.issue(name, hosts=(WRONG_HOST,))
    if profile.has("cert_untrusted"):
        return pki.issue(name, self_signed=True)
    from harness.reference.pki import DEFAULT_HOSTS

    # Also the service's own name: services inside the stack (workers) reach the proxy by it.
    return pki.issue(name, (*DEFAULT_HOSTS, name))
