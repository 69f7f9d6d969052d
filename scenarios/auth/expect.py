"""The assertions the auth checks share: send one credential, record what came back, judge it."""

from __future__ import annotations

from harness.probes import jwt
from harness.probes.endpoints import Answer, Endpoint
from harness.report.evidence import Evidence


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
