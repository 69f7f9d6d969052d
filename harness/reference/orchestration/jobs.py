"""Job workers over the REST API v2: activation (Zeebe's long polling) from the caller's tenants and of the
processes it may update (Access.job_processes), completion and failure.

The engine is the gateway emulator's, so retries, back-off and incidents behave as over gRPC. An activated
job has the fields camunda-orchestration-sdk 10 requires; where the emulator has nothing to say (user task,
business id) it answers `null`, and every job is a BPMN element's (`kind`), not a listener's.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from harness.reference.orchestration.authorizations import Access
from harness.reference.orchestration.bodies import BadRequest, document, json_body, number
from harness.reference.orchestration.security import Handler, Principal
from harness.reference.orchestration.tenants import Tenancy
from harness.reference.zeebe.engine import Engine, Job

# The physical tenant the SDK's job model names (8.10); a single-tenant cluster has this one.
PHYSICAL_TENANT = "default"


def job_json(job: Job, fetch: list[str] | None) -> dict[str, Any]:
    instance, definition = job.instance, job.instance.definition
    variables = {k: v for k, v in instance.variables.items() if not fetch or k in fetch}  # none named: all
    return {"type": job.element.job_type, "processDefinitionId": definition.process.bpmn_process_id,
            "processDefinitionVersion": definition.version, "elementId": job.element.id,
            "customHeaders": dict(job.element.headers), "worker": job.worker, "retries": job.retries,
            "deadline": job.deadline_ms, "variables": variables, "tenantId": instance.tenant_id,
            "physicalTenantId": PHYSICAL_TENANT, "jobKey": str(job.key), "processInstanceKey": str(instance.key),
            "processDefinitionKey": str(definition.key), "elementInstanceKey": str(job.element_instance_key),
            "kind": "BPMN_ELEMENT", "listenerEventType": "UNSPECIFIED", "userTask": None, "tags": [],
            "rootProcessInstanceKey": str(instance.key), "businessId": None, "priority": 0}


class JobsApi:
    def __init__(self, engine: Engine, tenancy: Tenancy, access: Access) -> None:
        self.engine, self.tenancy, self.access = engine, tenancy, access

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [("/v2/jobs/activation", "POST", self.activate), ("/v2/jobs/{jobKey}/completion", "POST", self.complete),
                ("/v2/jobs/{jobKey}/failure", "POST", self.fail)]

    async def activate(self, request: Request, caller: Principal | None) -> Response:
        body = await json_body(request)
        job_type = str(body.get("type") or "")
        if not job_type:
            raise BadRequest("No type provided.")
        tenants = self.tenancy.for_jobs(body.get("tenantIds"), caller)
        fetch = body.get("fetchVariable")
        jobs = await self.engine.activate_waiting(
            job_type, str(body.get("worker") or ""), number(body.get("timeout"), "timeout"),
            number(body.get("maxJobsToActivate"), "maxJobsToActivate"), tenants,
            number(body.get("requestTimeout") or 0, "requestTimeout"), self.access.job_processes(caller))
        return JSONResponse({"jobs": [job_json(job, fetch if isinstance(fetch, list) else None) for job in jobs]})

    async def complete(self, request: Request, caller: Principal | None) -> Response:
        body = await json_body(request)
        key = number(request.path_params["jobKey"], "jobKey")
        self.engine.complete(key, document(body.get("variables"), "variables"), None)
        return Response(status_code=204)

    async def fail(self, request: Request, caller: Principal | None) -> Response:
        body = await json_body(request)
        key = number(request.path_params["jobKey"], "jobKey")
        self.engine.fail(key, number(body.get("retries") or 0, "retries"), str(body.get("errorMessage") or ""),
                         number(body.get("retryBackOff") or 0, "retryBackOff"),
                         document(body.get("variables"), "variables"), None)
        return Response(status_code=204)
