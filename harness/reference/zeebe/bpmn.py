"""BPMN parsing for the gateway emulator: the subset it can run, and a clear refusal of everything else.

Zeebe rejects a deployment it cannot execute with INVALID_ARGUMENT and a message naming the resource and the
element; so does this parser (`BpmnError`). The emulator runs straight sequences: a none start event,
service tasks (`zeebe:taskDefinition` type and retries, optional `zeebe:taskHeaders`), user tasks and none
end events,
joined by unconditional sequence flows with one way in and one way out of each element.
The stdlib parser is used: expat resolves no external entities and caps entity expansion.
"""

from __future__ import annotations

import dataclasses
from xml.etree import ElementTree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
RUNNABLE = frozenset({"startEvent", "serviceTask", "userTask", "endEvent"})
IGNORED = frozenset({"sequenceFlow", "documentation", "extensionElements", "incoming", "outgoing", "textAnnotation",
                     "association"})
DEFAULT_RETRIES = 3
# A user task without `zeebe:userTask` is job-based: a job of this type, which Tasklist's worker serves.
USER_TASK_JOB_TYPE = "io.camunda.zeebe:userTask"


class BpmnError(ValueError):
    """The resource cannot be deployed; the message is what Zeebe's rejection would say about it."""


@dataclasses.dataclass(frozen=True)
class Element:
    id: str
    kind: str
    job_type: str = ""
    retries: int = DEFAULT_RETRIES
    headers: tuple[tuple[str, str], ...] = ()
    assignee: str = ""


@dataclasses.dataclass(frozen=True)
class Process:
    bpmn_process_id: str
    start: str
    elements: dict[str, Element]
    next: dict[str, str]

    def following(self, element_id: str) -> Element | None:
        target = self.next.get(element_id)
        return None if target is None else self.elements[target]


def _local(tag: str) -> tuple[str, str]:
    namespace, _, name = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
    return namespace, name


def _service_task(node: ElementTree.Element, element_id: str) -> Element:
    definition = node.find(f"{{{BPMN_NS}}}extensionElements/{{{ZEEBE_NS}}}taskDefinition")
    if definition is None or not definition.get("type", "").strip():
        raise BpmnError(f"Element: {element_id} (extensionElements): Must have exactly one 'zeebe:taskDefinition' "
                        "extension element with a non-empty type")
    raw_retries = definition.get("retries", str(DEFAULT_RETRIES))
    try:
        retries = int(raw_retries)
    except ValueError:
        raise BpmnError(f"Element: {element_id} (taskDefinition): retries '{raw_retries}' is not a number") from None
    headers = tuple((h.get("key", ""), h.get("value", "")) for h in
                    node.iterfind(f"{{{BPMN_NS}}}extensionElements/{{{ZEEBE_NS}}}taskHeaders/{{{ZEEBE_NS}}}header"))
    return Element(element_id, "serviceTask", definition.get("type", "").strip(), retries, headers)


def _user_task(node: ElementTree.Element, element_id: str) -> Element:
    """A Camunda user task (`zeebe:userTask`, what the Modeler writes for 8.8) waits in the engine until it
    is completed; without the extension the task is job-based, a job of USER_TASK_JOB_TYPE."""
    extensions = f"{{{BPMN_NS}}}extensionElements/{{{ZEEBE_NS}}}"
    if node.find(extensions + "userTask") is None:
        return Element(element_id, "serviceTask", USER_TASK_JOB_TYPE)
    assignment = node.find(extensions + "assignmentDefinition")
    return Element(element_id, "userTask", assignee=assignment.get("assignee", "") if assignment is not None else "")


def _process(node: ElementTree.Element) -> Process:
    process_id = node.get("id", "")
    elements: dict[str, Element] = {}
    flows: list[tuple[str, str]] = []
    for child in node:
        namespace, kind = _local(child.tag)
        if namespace != BPMN_NS or kind in IGNORED - {"sequenceFlow"}:
            continue
        element_id = child.get("id", "")
        if kind == "sequenceFlow":
            if child.find(f"{{{BPMN_NS}}}conditionExpression") is not None:
                raise BpmnError(f"Element: {element_id}: conditional sequence flows are not supported by this gateway")
            flows.append((child.get("sourceRef", ""), child.get("targetRef", "")))
            continue
        if kind not in RUNNABLE:
            raise BpmnError(f"Element: {element_id}: the element type '{kind}' is not supported by this gateway")
        if kind.endswith("Event") and len(child.findall(f"{{{BPMN_NS}}}*Definition")):
            raise BpmnError(f"Element: {element_id}: event definitions are not supported by this gateway")
        builders = {"serviceTask": _service_task, "userTask": _user_task}
        elements[element_id] = builders[kind](child, element_id) if kind in builders else Element(element_id, kind)
    return _link(process_id, elements, flows)


def _link(process_id: str, elements: dict[str, Element], flows: list[tuple[str, str]]) -> Process:
    starts = [e.id for e in elements.values() if e.kind == "startEvent"]
    if len(starts) != 1:
        raise BpmnError(f"Process: {process_id}: Must have exactly one none start event")
    following: dict[str, str] = {}
    incoming: set[str] = set()
    for source, target in flows:
        if source not in elements or target not in elements:
            raise BpmnError(f"Process: {process_id}: a sequence flow references an unknown element "
                            f"'{source if source not in elements else target}'")
        if source in following or target in incoming:
            raise BpmnError(f"Element: {source if source in following else target}: forks and joins are not "
                            "supported by this gateway (one incoming and one outgoing sequence flow at most)")
        following[source] = target
        incoming.add(target)
    for element in elements.values():
        if element.kind != "endEvent" and element.id not in following:
            raise BpmnError(f"Element: {element.id}: must have an outgoing sequence flow")
    return Process(process_id, starts[0], elements, following)


def parse(resource: bytes) -> list[Process]:
    """The executable processes of a BPMN file; BpmnError if the file is not one this gateway can run."""
    try:
        root = ElementTree.fromstring(resource)
    except ElementTree.ParseError as exc:
        raise BpmnError(f"Failed to parse BPMN XML: {exc}") from None
    if _local(root.tag) != (BPMN_NS, "definitions"):
        raise BpmnError("Expected a BPMN 2.0 'definitions' root element")
    processes = [_process(node) for node in root.iterfind(f"{{{BPMN_NS}}}process")
                 if node.get("isExecutable", "true") == "true"]
    if not processes:
        raise BpmnError("Must contain at least one executable process")
    return processes
