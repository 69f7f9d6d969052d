"""Reports never carry secrets: known values, bearer credentials and JWT-shaped strings are removed."""

from __future__ import annotations

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
