"""The log interceptor of the Vault article: values of keys naming a password, secret or token are masked.

Applied to every handler of the worker, so whatever logs (the worker, hvac, pyzeebe, requests) cannot write a
credential in `key=value`, `key: value` or a dict's repr, whatever the key's case or prefix (`client_secret`,
`X-Vault-Token`).
"""

from __future__ import annotations

import logging
import re

MASK = "****"
SENSITIVE = re.compile(
    r"""(?P<key>[\w.-]*(?:password|secret|token)[\w.-]*['"]?\s*[:=]\s*)(?P<quote>['"]?)(?P<value>[^'",\s}\]]+)""",
    re.IGNORECASE)


def mask(text: str) -> str:
    return SENSITIVE.sub(lambda m: f"{m['key']}{m['quote']}{MASK}", text)


class MaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = mask(record.getMessage()), None
        if record.exc_info:
            record.exc_text = mask(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True
