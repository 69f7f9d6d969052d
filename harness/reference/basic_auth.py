"""HTTP Basic credentials as the reference services read them (RFC 7617): base64 of UTF-8 `user:password`
after the scheme. Each service judges what it decoded its own way (Keycloak form-decodes both halves, RFC
6749 2.3.1; the Orchestration Cluster words each failure); the decoding itself is one."""

from __future__ import annotations

import base64
import binascii


def decoded(credential: str) -> str | None:
    """The text of a Basic credential (the part after the scheme); None when it is not base64 of UTF-8."""
    try:
        return base64.b64decode(credential.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None


def credentials(authorization: str | None) -> tuple[str, str] | None:
    """(user, password) of an `Authorization: Basic` header; None for another scheme, none at all, or a
    credential that does not decode to text with a colon."""
    scheme, _, value = (authorization or "").strip().partition(" ")
    text = decoded(value) if scheme.lower() == "basic" else None
    if text is None or ":" not in text:
        return None
    user, _, password = text.partition(":")
    return user, password
