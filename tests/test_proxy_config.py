"""The auth proxy's rendered nginx configuration: which verdict cache each profile gets.

The behaviour itself (forged tokens refused, rotated keys and expired tokens stop working) is proven
against a running proxy by the auth scenario and the detection matrix; this pins the cache's key.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.reference import proxy
from harness.reference.pki import ServerCert
from harness.reference.profile import Profile


def rendered(tmp_path: Path, profile: str) -> str:
    settings = proxy.ProxySettings(port=1, upstream_port=2, cert=ServerCert(tmp_path / "c", tmp_path / "k"),
                                   ca_file=tmp_path / "ca", issuer="https://idp", jwks_url="https://idp/certs",
                                   audience="zeebe-api", profile=Profile.parse(profile, "local"), leeway_s=5)
    return proxy.render(tmp_path / "proxy", settings, Path("/nonexistent/ngx_http_js_module.so")).read_text()


def test_secure_caches_verdicts_under_the_whole_authorization_header(tmp_path: Path) -> None:
    text = rendered(tmp_path, "secure")
    assert "proxy_cache_key $http_authorization;" in text
    assert "$claims" not in text
    assert "grpc_pass grpc://gateway;" in text and "keepalive 32;" in text
    assert 'set $jwt_verdict_max_s "5";' in (tmp_path / "proxy" / "auth-policy.conf").read_text()


@pytest.mark.parametrize(("profile", "key"), [("auth_cache_bypass", "$auth_cache_key"), ("slow_auth", None),
                                              ("proxy_auth_off", None)])
def test_weak_profiles_key_the_cache_differently_or_have_none(tmp_path: Path, profile: str, key: str | None) -> None:
    text = rendered(tmp_path, profile)
    if key is None:
        assert "proxy_cache_key $http_authorization;" not in text and "auth_verdicts" not in text
    else:
        assert f"proxy_cache_key {key};" in text
