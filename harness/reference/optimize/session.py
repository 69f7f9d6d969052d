"""UI logins: a form posts client credentials, Optimize checks them with Identity and sets its session cookie.

It stands in for Camunda 8's browser login through Identity: the user's token is the one Identity issues for
the credentials (whatever audiences its mappers give; Optimize's public-API audience plays no part).

Optimize names its session cookie `X-Optimize-Authorization`. Here the cookie carries an opaque session
id (the Identity token stays server side), with the flags Optimize's `security.auth.cookie.*` sets
(camunda/camunda `optimize/.../service/security/AuthCookieService.java`, `CookieConfiguration.java`):
`same-site.enabled` (SameSite=Strict), `secure` (`auto`: on https requests, which every listener here
serves; `true`; `false`); HttpOnly always, no setting turns it off.
"""

from __future__ import annotations

import dataclasses
import secrets
import time
from typing import Any

from starlette.responses import Response

from harness.reference.identity_client import IdentityHttp

COOKIE = "X-Optimize-Authorization"
SESSION_S = 900


@dataclasses.dataclass(frozen=True)
class Session:
    client_id: str
    token: str = dataclasses.field(repr=False)
    expires_at: float


class Sessions:
    def __init__(self, http: IdentityHttp, token_url: str, cookie: dict[str, Any]) -> None:
        self.http, self.token_url = http, token_url
        self.same_site = bool((cookie.get("same-site") or {}).get("enabled", True))
        self.secure = str(cookie.get("secure", "auto")).lower() in ("auto", "true")
        self.sessions: dict[str, Session] = {}

    def login(self, username: str, password: str) -> str | None:
        """A new session id when Identity issues a token for these client credentials, else None
        (blocking: run in a thread)."""
        form = {"grant_type": "client_credentials", "client_id": username, "client_secret": password}
        try:
            token = str(self.http.post_form(self.token_url, form)["access_token"])
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
                            httponly=True, samesite="strict" if self.same_site else None)
