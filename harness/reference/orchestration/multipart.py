"""multipart/form-data without a third-party parser: the stdlib email parser reads the same MIME framing.

The deployment endpoint takes its resources this way (`resources` parts with a filename, an optional
`tenantId` part), as Camunda's REST API v2 and its SDKs send them.
"""

from __future__ import annotations

import dataclasses
from email import policy
from email.parser import BytesParser


class MultipartError(ValueError):
    """The body is not multipart/form-data the endpoint can read."""


@dataclasses.dataclass(frozen=True)
class Part:
    name: str
    filename: str | None
    content: bytes


def parse(content_type: str, body: bytes) -> list[Part]:
    if not content_type.lower().startswith("multipart/form-data"):
        raise MultipartError(f"Content-Type '{content_type or 'none'}' is not supported")
    message = BytesParser(policy=policy.default).parsebytes(
        f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode() + body)
    if not message.is_multipart():
        raise MultipartError("the body is not multipart")
    parts = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            raise MultipartError("a part has no name")
        payload = part.get_payload(decode=True)
        parts.append(Part(name, part.get_filename(), payload if isinstance(payload, bytes) else b""))
    return parts
