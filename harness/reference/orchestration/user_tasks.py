"""Camunda user tasks over the REST API v2: search and completion, as the product checks them.

A search shows the tasks of the caller's tenants whose process it holds READ_USER_TASK on (narrowed, never
refused); completing needs UPDATE_USER_TASK on the task's process, and another tenant's task is not found.
The engine's user tasks are those of `zeebe:userTask` elements (harness.reference.zeebe.bpmn). Fields are
those camunda-orchestration-sdk 10 requires of a user task.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from harness.reference.orchestration.authorizations import Access
from harness.reference.orchestration.bodies import document, json_body, number
from harness.reference.orchestration.searches import filtered, iso_time, page
from harness.reference.orchestration.security import Handler, Principal
from harness.reference.orchestration.tenants import Tenancy
from harness.reference.zeebe.engine import Engine, UserTask


class UserTasksApi:
    def __init__(self, engine: Engine, access: Access, tenancy: Tenancy) -> None:
        self.engine, self.access, self.tenancy = engine, access, tenancy

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [("/v2/user-tasks/search", "POST", self.search),
                ("/v2/user-tasks/{userTaskKey}/completion", "POST", self.complete)]

    async def search(self, request: Request, caller: Principal | None) -> Response:
        items = [_user_task(task) for task in self.engine.visible_user_tasks(self.tenancy.visible(caller))
                 if self.access.allows(caller, "PROCESS_DEFINITION", "READ_USER_TASK",
                                       task.instance.definition.process.bpmn_process_id)]
        return page(filtered(sorted(items, key=lambda item: int(item["userTaskKey"])), await json_body(request)))

    async def complete(self, request: Request, caller: Principal | None) -> Response:
        body = await json_body(request)
        task = self.engine.user_task(number(request.path_params["userTaskKey"], "userTaskKey"),
                                     self.tenancy.visible(caller))
        self.access.require(caller, "COMPLETE", "PROCESS_DEFINITION", "UPDATE_USER_TASK",
                            task.instance.definition.process.bpmn_process_id)
        self.engine.complete_user_task(task, document(body.get("variables"), "variables"))
        return Response(status_code=204)


def _user_task(task: UserTask) -> dict[str, Any]:
    instance, definition = task.instance, task.instance.definition
    return {"name": None, "state": task.state, "assignee": task.element.assignee or None, "elementId": task.element.id,
            "candidateGroups": [], "candidateUsers": [], "processDefinitionId": definition.process.bpmn_process_id,
            "creationDate": iso_time(task.created_ms),
            "completionDate": iso_time(task.completed_ms) if task.completed_ms else None,
            "followUpDate": None, "dueDate": None, "tenantId": instance.tenant_id, "externalFormReference": None,
            "processDefinitionVersion": definition.version, "customHeaders": {}, "userTaskKey": str(task.key),
            "elementInstanceKey": str(task.element_instance_key), "processName": None,
            "processDefinitionKey": str(definition.key), "processInstanceKey": str(instance.key),
            "rootProcessInstanceKey": str(instance.key), "businessId": None, "formKey": None, "tags": [],
            "priority": 50}
