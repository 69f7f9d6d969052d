"""Searches over the engine's data, and message publication, each checked as the product checks them.

A search answers only what the caller may read: its tenants (with multi-tenancy checks on) and, with
authorizations on, the processes it holds READ_PROCESS_DEFINITION on (definitions) or READ_PROCESS_INSTANCE
on (variables, incidents): the query services filter by `getAllAuthorizedResourceIdentifiers`, so a
search is never refused, only narrowed. Publishing a message needs MESSAGE:CREATE and a tenant as any
command does. Fields are those camunda-orchestration-sdk 10 requires of each result.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from harness.reference.orchestration.authorizations import Access
from harness.reference.orchestration.bodies import document, json_body, number
from harness.reference.orchestration.searches import filtered, iso_time, page
from harness.reference.orchestration.security import Handler, Principal
from harness.reference.orchestration.tenants import Tenancy
from harness.reference.zeebe.engine import Definition, Engine, Incident, Instance


class ReadsApi:
    def __init__(self, engine: Engine, access: Access, tenancy: Tenancy) -> None:
        self.engine, self.access, self.tenancy = engine, access, tenancy

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [("/v2/process-definitions/search", "POST", self.definitions),
                ("/v2/variables/search", "POST", self.variables), ("/v2/incidents/search", "POST", self.incidents),
                ("/v2/messages/publication", "POST", self.publish)]

    def _readable(self, caller: Principal | None, permission: str, process_id: str) -> bool:
        return self.access.allows(caller, "PROCESS_DEFINITION", permission, process_id)

    def _instances(self, caller: Principal | None) -> list[Instance]:
        return [i for i in self.engine.visible_instances(self.tenancy.visible(caller))
                if self._readable(caller, "READ_PROCESS_INSTANCE", i.definition.process.bpmn_process_id)]

    async def definitions(self, request: Request, caller: Principal | None) -> Response:
        visible = self.tenancy.visible(caller)
        items = [_definition(d) for d in sorted(self.engine.definitions.values(), key=lambda d: d.key)
                 if (visible is None or d.tenant_id in visible)
                 and self._readable(caller, "READ_PROCESS_DEFINITION", d.process.bpmn_process_id)]
        return page(filtered(items, await json_body(request)))

    async def variables(self, request: Request, caller: Principal | None) -> Response:
        items = [_variable(instance, name, value) for instance in self._instances(caller)
                 for name, value in sorted(instance.variables.items())]
        return page(filtered(items, await json_body(request)))

    async def incidents(self, request: Request, caller: Principal | None) -> Response:
        readable = {instance.key for instance in self._instances(caller)}
        items = [_incident(i) for i in self.engine.visible_incidents(None) if i.job.instance.key in readable]
        return page(filtered(items, await json_body(request)))

    async def publish(self, request: Request, caller: Principal | None) -> Response:
        body = await json_body(request)
        self.access.require(caller, "PUBLISH", "MESSAGE", "CREATE")
        tenant_id = self.tenancy.for_command(body.get("tenantId"), "Publish Message", caller, "PUBLISH", "MESSAGE",
                                             "CREATE")
        key = self.engine.publish(str(body.get("name") or ""), str(body.get("correlationKey") or ""),
                                  number(body.get("timeToLive") or 0, "timeToLive"), str(body.get("messageId") or ""),
                                  document(body.get("variables"), "variables"), tenant_id)
        return JSONResponse({"tenantId": tenant_id, "messageKey": str(key)})


def _definition(definition: Definition) -> dict[str, Any]:
    return {"name": None, "resourceName": definition.resource_name, "version": definition.version,
            "versionTag": None, "processDefinitionId": definition.process.bpmn_process_id,
            "tenantId": definition.tenant_id, "processDefinitionKey": str(definition.key), "hasStartForm": False,
            "state": "ACTIVE"}


def _variable(instance: Instance, name: str, value: Any) -> dict[str, Any]:
    key = instance.variable_keys.get(name, instance.key)
    return {"value": json.dumps(value), "isTruncated": False, "name": name, "tenantId": instance.tenant_id,
            "variableKey": str(key), "scopeKey": str(instance.key), "processInstanceKey": str(instance.key),
            "rootProcessInstanceKey": str(instance.key)}


def _incident(incident: Incident) -> dict[str, Any]:
    job, instance = incident.job, incident.job.instance
    return {"processDefinitionId": instance.definition.process.bpmn_process_id, "errorType": incident.error_type,
            "errorMessage": incident.message, "elementId": job.element.id, "creationTime": iso_time(incident.created_ms),
            "state": incident.state, "tenantId": instance.tenant_id, "incidentKey": str(incident.key),
            "processDefinitionKey": str(instance.definition.key), "processInstanceKey": str(instance.key),
            "rootProcessInstanceKey": str(instance.key), "elementInstanceKey": str(job.element_instance_key),
            "jobKey": str(job.key)}
