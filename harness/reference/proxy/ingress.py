"""The ingress in front of Optimize (nginx, as a Kubernetes ingress-nginx or a reverse proxy would be).

Optimize cannot send complete security headers itself: its header filter runs after Spring Security, so
401s and the redirect to Identity lack the configured ones, frame options are disabled globally, and there
is no setting for X-Frame-Options or Referrer-Policy (see harness/reference/optimize/headers.py). The fix a
platform team makes is at the ingress: it replaces those headers on every response, errors included
(`add_header ... always`), and redirects plain HTTP to https. Each headers weakness switches one of these
controls off here, where the secure stack has it.
"""

from __future__ import annotations

import dataclasses
import getpass
import ipaddress
import os
from pathlib import Path

import jinja2

from harness.reference.pki import ServerCert
from harness.reference.profile import Profile
from harness.reference.tls_policy import INTERMEDIATE_CIPHERS, INTERMEDIATE_GROUPS

TEMPLATES = Path(__file__).parent
# A CSP that allows no inline or eval'd script and no framing.
SECURE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
              "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
# The headers the ingress owns (Optimize's own are hidden), in the secure profile's values.
SECURE_HEADERS = {
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "Content-Security-Policy": SECURE_CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
# Each weakness drops one header; frame_protection_missing also drops CSP's frame-ancestors.
DROPPED_BY = {"hsts_missing": "Strict-Transport-Security", "csp_missing": "Content-Security-Policy",
              "nosniff_missing": "X-Content-Type-Options", "frame_protection_missing": "X-Frame-Options",
              "referrer_policy_missing": "Referrer-Policy"}


@dataclasses.dataclass(frozen=True)
class IngressSettings:
    host: str
    https_port: int
    http_port: int
    https_url: str  # where plain HTTP redirects to: the ingress's https address as clients know it
    upstream_host: str
    upstream_port: int
    cert: ServerCert
    ca_file: Path
    profile: Profile
    resolver: str | None = None


def headers(profile: Profile) -> list[tuple[str, str]]:
    """The security headers the ingress adds, with the profile's weaknesses applied."""
    dropped = {header for weakness, header in DROPPED_BY.items() if profile.has(weakness)}
    chosen = {name: value for name, value in SECURE_HEADERS.items() if name not in dropped}
    if profile.has("frame_protection_missing") and "Content-Security-Policy" in chosen:
        chosen["Content-Security-Policy"] = SECURE_CSP.replace("; frame-ancestors 'none'", "")
    return list(chosen.items())


def _ssl_name(host: str) -> str:
    """The name to verify Optimize's certificate for: nginx checks DNS names, so loopback is `localhost`."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host
    return "localhost"


def render(run_dir: Path, settings: IngressSettings) -> Path:
    """Write the ingress's nginx.conf (and the upstream block it includes) into `run_dir`."""
    (run_dir / "tmp").mkdir(parents=True, exist_ok=True)
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), undefined=jinja2.StrictUndefined,
                                     autoescape=False, keep_trailing_newline=True)
    weak = settings.profile.has
    (run_dir / "upstream.conf").write_text(environment.get_template("optimize-upstream.conf.j2").render(
        resolver=settings.resolver, upstream_host=settings.upstream_host, upstream_port=settings.upstream_port,
        ca_file=settings.ca_file, ssl_name=_ssl_name(settings.upstream_host), owned=list(SECURE_HEADERS)))
    config = run_dir / "nginx.conf"
    config.write_text(environment.get_template("optimize-ingress.conf.j2").render(
        profile=settings.profile.name, user=getpass.getuser() if os.geteuid() == 0 else None, run_dir=run_dir,
        resolver=settings.resolver, server_tokens=weak("server_banner"), host=settings.host,
        https_port=settings.https_port, http_port=settings.http_port, https_url=settings.https_url.rstrip("/"),
        cert_file=settings.cert.cert_file, key_file=settings.cert.key_file, tls_ciphers=INTERMEDIATE_CIPHERS,
        tls_groups=":".join(INTERMEDIATE_GROUPS), headers=headers(settings.profile),
        always="" if weak("headers_missing_on_errors") else " always", http_serves=weak("optimize_http_open")))
    return config
