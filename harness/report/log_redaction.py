"""Log records pass the redactor before pytest shows or stores them (live log, captured log, log file).

Client libraries log credentials at DEBUG (requests-oauthlib logs the token request body and the token
it got), and a user chasing a problem turns DEBUG on; the secrets must stay out all the same.
"""

from __future__ import annotations

import logging

import pytest

from harness.report.evidence import Redactor

# The handlers pytest's logging plugin routes records through.
HANDLERS = ("log_cli_handler", "caplog_handler", "report_handler", "log_file_handler")


class RedactingFilter(logging.Filter):
    def __init__(self, redact: Redactor) -> None:
        super().__init__("harness-redaction")
        self.redact = redact

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = self.redact.text(record.getMessage()), None
        if record.exc_info:
            record.exc_text = self.redact.text(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class LogRedaction:
    """Pytest plugin object: attaches the filter once pytest's logging plugin has built its handlers."""

    def __init__(self, redact: Redactor) -> None:
        self.filter = RedactingFilter(redact)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        plugin = session.config.pluginmanager.get_plugin("logging-plugin")
        for name in HANDLERS:
            handler = getattr(plugin, name, None)
            if isinstance(handler, logging.Handler):
                handler.addFilter(self.filter)
