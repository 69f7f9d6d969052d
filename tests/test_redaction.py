"""Reports never carry secrets: known values, bearer credentials and JWT-shaped strings are removed."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote, quote_plus

import pytest

from harness.report.evidence import REDACTED, Redactor


def test_known_secrets_tokens_and_credentials_are_redacted() -> None:
    redact = Redactor()
    redact.add_secrets(["client-secret-123", "abc"])
    evidence = {"error": "login with client-secret-123 failed",
                "header": "Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln",
                "basic": "Basic dXNlcjpwYXNzd29yZA==",
                "nested": [{"token": "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."}],
                "prose": "Expected bearer token at header", "short": "abc"}
    out = redact(evidence)
    text = str(out)
    for secret in ("client-secret-123", "eyJhbGci", "dXNlcjpwYXNz"):
        assert secret not in text
    assert out["prose"] == "Expected bearer token at header"
    assert out["short"] == "abc", "values shorter than a real secret are not treated as secrets"
    assert REDACTED in out["error"]


TRICKY_SECRET = "s3cr+t/&=%\"'\\é-canary"


@pytest.mark.parametrize("encode", [
    lambda s: s,
    lambda s: quote(s, safe=""),
    lambda s: quote(s),
    lambda s: quote_plus(s),
    lambda s: json.dumps({"password": s}),
    lambda s: json.dumps({"password": s}, ensure_ascii=False),
    lambda s: repr({"password": s}),
    lambda s: repr(s.encode()),
    lambda s: base64.b64encode(f"client-id:{s}".encode()).decode(),
    lambda s: base64.b64encode(f"id:{s}".encode()).decode(),
    lambda s: base64.b64encode(s.encode()).decode(),
], ids=["raw", "percent", "percent-path", "form", "json", "json-utf8", "repr", "bytes-repr", "basic-0", "basic-1",
        "base64"])
def test_secret_is_redacted_in_every_encoding_it_leaves_in(encode) -> None:
    """A secret with URL-special characters, quotes, a backslash and a non-ASCII letter reaches logs and
    tracebacks percent-encoded (urllib3's frames), escaped (repr, JSON) or in base64 (HTTP Basic); no form
    may keep more than the two bytes at each edge that base64 mixes with its neighbours."""
    redactor = Redactor()
    redactor.add_secrets([TRICKY_SECRET])
    shown = redactor.text(f"before {encode(TRICKY_SECRET)} after")
    assert "[REDACTED]" in shown and "canary" not in shown and "s3cr" not in shown, shown
