"""UI logins: a form posts client credentials, Optimize checks them with Identity and sets its session cookie.

Optimize names its session cookie `X-Optimize-Authorization`. Here the cookie carries an opaque session
id (the Identity token stays server side), with the flags `security.auth.cookie.*` asks for: `same-site.
enabled` (Optimize's key, SameSite=Strict), and the extension keys `secure` and `http-only`.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from starlette.responses import Response

COOKIE = "X-Optimize-Authorization"
TIMEOUT_S = 2.0
SESSION_S = 900


@dataclasses.dataclass(frozen=True)
class Session:
    client_id: str
    token: str = dataclasses.field(repr=False)
    expires_at: float


class Sessions:
    def __init__(self, token_url: str, audience: str, ca_file: str, cookie: dict[str, Any]) -> None:
        self.token_url, self.audience = token_url, audience
        self.context = ssl.create_default_context(cafile=ca_file)
        self.same_site = bool((cookie.get("same-site") or {}).get("enabled", True))
        self.secure = bool(cookie.get("secure", True))
        self.http_only = bool(cookie.get("http-only", True))
        self.sessions: dict[str, Session] = {}

    def login(self, username: str, password: str) -> str | None:
        """A new session id when Identity issues a token for these client credentials, else None
        (blocking: run in a thread)."""
        form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": username,
                                       "client_secret": password, "audience": self.audience}).encode()
        try:
            with urllib.request.urlopen(urllib.request.Request(self.token_url, data=form), timeout=TIMEOUT_S,
                                        context=self.context) as response:
                token = str(json.loads(response.read())["access_token"])
        except (OSError, ValueError, KeyError):
            return None
        session_id = secrets.token_urlsafe(32)
        self.sessions[session_id] = Session(username, token, time.monotonic() + SESSION_S)
        return session_id

    def get(self, session_id: str | None) -> Session | None:
        session = self.sessions.get(session_id or "")
        if session is None or session.expires_at < time.monotonic():
            return None
        return session

    def set_cookie(self, response: Response, session_id: str) -> None:
        response.set_cookie(COOKIE, session_id, max_age=SESSION_S, path="/", secure=self.secure,
                            httponly=self.http_only, samesite="strict" if self.same_site else None)
