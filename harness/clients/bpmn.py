"""The smallest BPMN processes the checks and load users deploy: a start event, one task, an end event."""

from __future__ import annotations

BPMN_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="definitions" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{process_id}" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="to_task" sourceRef="start" targetRef="task" />
    {task}
    <bpmn:sequenceFlow id="to_end" sourceRef="task" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""
SERVICE_TASK = """<bpmn:serviceTask id="task">
      <bpmn:extensionElements><zeebe:taskDefinition type="{job_type}" retries="{retries}" /></bpmn:extensionElements>
    </bpmn:serviceTask>"""
USER_TASK = """<bpmn:userTask id="task">
      <bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements>
    </bpmn:userTask>"""


def one_task_process(process_id: str, job_type: str, retries: int = 3) -> bytes:
    """One service task of `job_type`: the smallest process with a job."""
    task = SERVICE_TASK.format(job_type=job_type, retries=retries)
    return BPMN_TEMPLATE.format(process_id=process_id, task=task).encode()


def one_user_task_process(process_id: str) -> bytes:
    """One Camunda user task (`zeebe:userTask`)."""
    return BPMN_TEMPLATE.format(process_id=process_id, task=USER_TASK).encode()
