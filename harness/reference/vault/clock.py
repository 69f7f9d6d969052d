"""Vault's timestamps: RFC 3339 in UTC with nanoseconds, e.g. 2018-03-22T02:24:06.945319214Z."""

from __future__ import annotations

import datetime


def rfc3339(epoch: float) -> str:
    moment = datetime.datetime.fromtimestamp(epoch, datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}000Z"
