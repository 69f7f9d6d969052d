"""The cluster's gRPC API (`camunda.api.grpc.port`, 26500): Zeebe's Gateway service over the same engine as
the REST API, with the cluster's own authentication, tenants and authorizations.

As camunda/camunda 8.8 zeebe/gateway-grpc/.../interceptors/impl/AuthenticationInterceptor.java and
AuthenticationHandler.java: with the API protected, a call without `authorization` metadata is
UNAUTHENTICATED "Expected authentication information at header with key [authorization], but found
nothing"; the method's handler then wants its scheme ("Expected authentication information to start with
'Basic '" or 'Bearer '), checks a Basic user's password against the cluster's users ("Invalid credentials")
or decodes a token with the REST API's JwtDecoder, audience validator included ("Expected a valid token, see
cause for details"). With `unprotected-api` no interceptor runs and every call is anonymous. Tenants are the
caller's assignments in the cluster, checked by the gateway's request mapper with multi-tenancy checks on;
commands are checked against the caller's authorizations as the engine does (AuthorizationCheckBehavior:
PERMISSION_DENIED "Command 'CREATE' rejected with code 'FORBIDDEN': Insufficient permissions ...").
"""

from __future__ import annotations

import dataclasses

import grpc

from harness.reference import basic_auth
from harness.reference.orchestration.authorizations import Access, Forbidden
from harness.reference.orchestration.security import NoPrincipalClaim, Principal, Security, Unauthenticated
from harness.reference.orchestration.tenants import Tenancy
from harness.reference.zeebe.engine import DEFAULT_TENANT, Rejection
from harness.reference.zeebe.tenancy import Caller

NO_CREDENTIALS = "Expected authentication information at header with key [authorization], but found nothing"
WRONG_SCHEME = "Expected authentication information to start with '{prefix}'"
INVALID_CREDENTIALS = "Invalid credentials"
INVALID_TOKEN = "Expected a valid token, see cause for details"
# The engine's intent and permission for each command the gateway checks (AuthorizationCheckBehavior).
COMMAND_PERMISSIONS = {
    "DeployResource": ("CREATE", "RESOURCE", "CREATE"),
    "CreateProcessInstance": ("CREATE", "PROCESS_DEFINITION", "CREATE_PROCESS_INSTANCE"),
    "CreateProcessInstanceWithResult": ("CREATE", "PROCESS_DEFINITION", "CREATE_PROCESS_INSTANCE"),
}


def _unauthenticated(message: str) -> Rejection:
    return Rejection(grpc.StatusCode.UNAUTHENTICATED, message)


@dataclasses.dataclass(frozen=True)
class ClusterCaller(Caller):
    """A gateway caller that is also a principal of the cluster (None: the API is unprotected)."""

    principal: Principal | None = None


class ClusterAuthentication:
    """The gateway's authentication for one cluster: its method, users, OIDC decoder and tenants."""

    def __init__(self, security: Security, tenancy: Tenancy) -> None:
        self.security, self.tenancy = security, tenancy
        self.mode = "none" if security.unprotected_api else security.method
        self.multi_tenancy = tenancy.checks_enabled

    async def caller(self, authorization: str | None) -> ClusterCaller:
        principal = None if self.security.unprotected_api else await self._principal(authorization)
        if not self.tenancy.checks_enabled:
            return ClusterCaller(False, frozenset({DEFAULT_TENANT}), principal=principal)
        tenants = None if principal is None else frozenset(self.tenancy.member_of(principal))
        return ClusterCaller(True, tenants, principal.name if principal else "", principal=principal)

    async def _principal(self, authorization: str | None) -> Principal:
        if authorization is None:
            raise _unauthenticated(NO_CREDENTIALS)
        prefix = "Bearer " if self.security.oidc is not None else "Basic "
        if not authorization.startswith(prefix):
            raise _unauthenticated(WRONG_SCHEME.format(prefix=prefix))
        credential = authorization[len(prefix):]
        if self.security.oidc is not None:
            try:
                return await self.security.oidc.principal(credential)
            except NoPrincipalClaim as exc:
                raise _unauthenticated(str(exc)) from None
            except Unauthenticated:
                raise _unauthenticated(INVALID_TOKEN) from None
        text = basic_auth.decoded(credential)
        username, _, password = (text or "").partition(":")
        try:
            return self.security.check_password(username, password)
        except Unauthenticated:
            raise _unauthenticated(INVALID_CREDENTIALS) from None


class ClusterPermissions:
    """The engine's authorization checks on the gateway's commands, with gRPC's status for a refusal."""

    def __init__(self, access: Access) -> None:
        self.access = access

    def require(self, caller: Caller, rpc: str, process_id: str | None) -> None:
        checked = COMMAND_PERMISSIONS.get(rpc)
        if checked is None:
            return
        intent, resource_type, permission = checked
        try:
            self.access.require(_principal(caller), intent, resource_type, permission, process_id)
        except Forbidden as exc:
            raise Rejection(grpc.StatusCode.PERMISSION_DENIED, str(exc)) from None

    def job_processes(self, caller: Caller) -> frozenset[str] | None:
        return self.access.job_processes(_principal(caller))


def _principal(caller: Caller) -> Principal | None:
    return caller.principal if isinstance(caller, ClusterCaller) else None
