"""The assertions the auth checks share: send one credential, record what came back, judge it."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from harness.capabilities import TokenMinter
from harness.clients.oauth import published_key
from harness.deployment import Stack
from harness.probes import jwt
from harness.probes.endpoints import Answer, Endpoint
from harness.report.evidence import Evidence
from harness.waiting import Waited, poll

T = TypeVar("T")


def material_for(stack: Stack, endpoint: Endpoint) -> jwt.Material:
    """A fresh genuine token for the endpoint plus the public key Identity publishes for it."""
    token = stack.token(endpoint.client, endpoint.audience)
    header, _, _ = jwt.split(token)
    return jwt.Material(token, published_key(stack, str(header.get("kid"))))


def send(endpoint: Endpoint, credential: jwt.Credential, evidence: Evidence, what: str) -> Answer:
    """One call; the evidence names the forgery and the answer, never the credential itself."""
    answer = endpoint.send(credential)
    evidence.record(endpoint=endpoint.name, sent=what, status=answer.status, detail=answer.detail[:200])
    return answer


def unauthenticated(endpoint: Endpoint, credential: jwt.Credential, evidence: Evidence, what: str) -> None:
    """A forged credential must not authenticate: UNAUTHENTICATED on gRPC, 401 on HTTP."""
    answer = send(endpoint, credential, evidence, what)
    assert answer.unauthenticated, f"{endpoint.name}: {what}: got {answer.status}, not unauthenticated"


def refused(endpoint: Endpoint, credential: jwt.Credential, evidence: Evidence, what: str) -> None:
    """A genuine token for someone else: refused as unauthenticated or as forbidden, never served."""
    answer = send(endpoint, credential, evidence, what)
    assert answer.refused, f"{endpoint.name}: {what}: got {answer.status}, not refused"


def minting_key_learned(minter: TokenMinter, send_genuine: Callable[[], T], accepted: Callable[[T], bool]) -> Waited[T]:
    """The positive control of minted tokens: a minted token with genuine claims gets in, watched for until
    the minting key's bound (`identity.key_rotation_s` after it was added) ends. Judged on its outcome, a
    refused minted token is then refused for the claim a check changed, never for a key not trusted yet."""
    learned_by = minter.learned_by()
    return poll(send_genuine, accepted, learned_by - time.monotonic())
