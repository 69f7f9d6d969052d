"""The auth proxy: Debian's nginx with njs, terminating TLS and checking bearer tokens before `grpc_pass`.

This module only renders the configuration for a profile and says how to start nginx; the supervisor (or a
container) runs it. Weaknesses change the rendered policy, never the verifier's code paths.
"""

from __future__ import annotations

import dataclasses
import getpass
import os
import shutil
import tempfile
from pathlib import Path

import jinja2

from harness.errors import StackError
from harness.reference.pki import ServerCert
from harness.reference.profile import Profile
from harness.reference.tls_policy import INTERMEDIATE_CIPHERS, INTERMEDIATE_GROUPS, cipher_string

TEMPLATES = Path(__file__).parent
JS_MODULE_DIRS = (Path("/usr/lib/nginx/modules"), Path("/usr/lib64/nginx/modules"), Path("/etc/nginx/modules"))

# OpenSSL 3 refuses TLS < 1.2 at its default security level; the legacy profile must lower it.
# slow_auth: added latency on every token check, enough to break the default p95 SLO (250 ms).
SLOW_AUTH_DELAY_MS = 300
# rpc_partially_guarded: the methods a job worker calls, forwarded without a token check.
JOB_WORKER_RPCS = ("ActivateJobs", "StreamActivatedJobs", "CompleteJob", "FailJob", "ThrowError",
                   "UpdateJobRetries", "UpdateJobTimeout")
# exp_leeway_excessive: a clock leeway of minutes, where seconds cover any synchronised clocks.
EXCESSIVE_LEEWAY_S = 900
LEGACY_CIPHERS = f"{INTERMEDIATE_CIPHERS}:ECDHE-ECDSA-AES128-SHA:AES128-SHA:@SECLEVEL=0"


@dataclasses.dataclass(frozen=True)
class ProxySettings:
    port: int
    upstream_port: int
    cert: ServerCert
    ca_file: Path
    issuer: str
    jwks_url: str
    audience: str
    profile: Profile
    # The clock leeway on exp and nbf (the Target states it as identity.clock_skew_s).
    leeway_s: int
    # Two workers: TLS, HTTP/2 and the verdict cache's misses spread over the reference machine's 2 cores.
    workers: int = 2
    jwks_cache_s: int = 5
    host: str = "127.0.0.1"
    upstream_host: str = "127.0.0.1"
    resolver: str | None = None


def find_js_module() -> Path:
    for directory in JS_MODULE_DIRS:
        candidate = directory / "ngx_http_js_module.so"
        if candidate.is_file():
            return candidate
    raise StackError("nginx's njs module is missing: install Debian's libnginx-mod-http-js "
                     "(the README's quick start does)")


def nginx_binary() -> str:
    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").is_file() else None)
    if binary is None:
        raise StackError("nginx is missing: install Debian's nginx-light and libnginx-mod-http-js "
                         "(the README's quick start does)")
    return binary


def accepted_algorithms(profile: Profile) -> str:
    """The `alg` values the verifier accepts: RS256, plus what each algorithm weakness adds."""
    extra = {"alg_none_accepted": "none", "hs256_key_confusion": "HS256"}
    return " ".join(["RS256"] + [alg for weakness, alg in extra.items() if profile.has(weakness)])


def render(run_dir: Path, settings: ProxySettings, js_module: Path) -> Path:
    """Write nginx.conf, the token policy it includes and auth.js into `run_dir`; returns the config path."""
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "tmp").mkdir(exist_ok=True)
    shutil.copyfile(TEMPLATES / "auth.js", run_dir / "auth.js")
    weak = settings.profile.has
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), undefined=jinja2.StrictUndefined,
                                     autoescape=False, keep_trailing_newline=True)
    policy = environment.get_template("auth-policy.conf.j2").render(
        issuer=settings.issuer,
        audience=settings.audience,
        algorithms=accepted_algorithms(settings.profile),
        check_exp="0" if weak("exp_ignored") else "1",
        check_nbf="0" if weak("nbf_ignored") else "1",
        check_iss="0" if weak("iss_ignored") else "1",
        check_aud="0" if weak("aud_ignored") else "1",
        iss_match="prefix" if weak("iss_prefix_match") else "exact",
        aud_match="prefix" if weak("aud_prefix_match") else "exact",
        verify_signature="0" if weak("signature_unchecked") else "1",
        leeway_s=EXCESSIVE_LEEWAY_S if weak("exp_leeway_excessive") else settings.leeway_s,
        delay_ms=SLOW_AUTH_DELAY_MS if weak("slow_auth") else 0,
        verdict_max_s=settings.jwks_cache_s,
    )
    (run_dir / "auth-policy.conf").write_text(policy)
    text = environment.get_template("nginx.conf.j2").render(
        profile=settings.profile.name,
        js_module=js_module,
        user=getpass.getuser() if os.geteuid() == 0 else None,
        workers=settings.workers,
        run_dir=run_dir,
        js_dir=run_dir,
        host=settings.host,
        port=settings.port,
        upstream_host=settings.upstream_host,
        resolver=settings.resolver,
        upstream_port=settings.upstream_port,
        tls=not weak("tls_off"),
        cert_file=settings.cert.cert_file,
        key_file=settings.cert.key_file,
        tls_protocols="TLSv1 TLSv1.1 TLSv1.2 TLSv1.3" if weak("tls_legacy_versions") else "TLSv1.2 TLSv1.3",
        tls_ciphers=LEGACY_CIPHERS if weak("tls_legacy_versions") else cipher_string(settings.profile),
        tls_groups=":".join(INTERMEDIATE_GROUPS),
        auth=not weak("proxy_auth_off"),
        # slow_auth is a token check done in full on every call (as a per-call introspection would be).
        verdict_cache=not weak("proxy_auth_off") and not weak("slow_auth"),
        cache_key_claims_only=weak("auth_cache_bypass"),
        query_token=weak("token_in_query_accepted"),
        unguarded_rpcs=JOB_WORKER_RPCS if weak("rpc_partially_guarded") else (),
        reflection_unguarded=weak("grpc_reflection_open"),
        server_tokens=weak("banner_on_gateway"),
        keepalive_upstream=settings.resolver is None,
        # A unix socket path is limited to 108 bytes, which a deep run directory exceeds: keep it short.
        auth_socket=Path(tempfile.gettempdir()) / f"harness-{run_dir.parent.name}-auth.sock",
        jwks_url=settings.jwks_url,
        ca_file=settings.ca_file,
        jwks_cache_s=settings.jwks_cache_s,
    )
    config = run_dir / "nginx.conf"
    config.write_text(text)
    return config


def command(run_dir: Path, config: Path, binary: str) -> list[str]:
    return [binary, "-p", str(run_dir), "-c", str(config), "-e", str(run_dir / "error.log"),
            "-g", "daemon off; master_process on;"]
