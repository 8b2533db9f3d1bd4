"""Rules for ecs, and the ECS type tokens the rules share."""

from __future__ import annotations

from typing import Set

from ..core.resources import Resource

CLUSTER = "aws:ecs/cluster:Cluster"
SERVICE = "aws:ecs/service:Service"
TASK_SET = "aws:ecs/taskSet:TaskSet"
NATIVE_SERVICE = "aws-native:ecs:Service"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
#: The same task definition from other programs: aws-native (containerDefinitions as a list of objects) and the
#: awsx components, whose container inputs are judged as well as the child task definition they register.
NATIVE_TASK_DEFINITION = "aws-native:ecs:TaskDefinition"
AWSX_TASK_DEFINITIONS = ("awsx:ecs:FargateTaskDefinition", "awsx:ecs:EC2TaskDefinition")
AWSX_SERVICES = ("awsx:ecs:FargateService", "awsx:ecs:EC2Service")
#: Every type whose containers the container rules judge.
CONTAINER_TYPES = (TASK_DEFINITION, NATIVE_TASK_DEFINITION) + AWSX_TASK_DEFINITIONS + AWSX_SERVICES
#: Types whose task-level settings (networkMode, pidMode, ipcMode) the rules judge.
TASK_TYPES = (TASK_DEFINITION, NATIVE_TASK_DEFINITION)

#: ``allowedNames`` of the plaintext-secret rules: each name the stack says is not a secret, with the reason.
ALLOWED_NAMES_SCHEMA = {
    "type": "array", "default": [],
    "description": "Variable names that look secret but are not, each with the reason (name-only matches).",
    "items": {"type": "object", "required": ["name", "reason"], "additionalProperties": False,
              "properties": {"name": {"type": "string", "minLength": 1},
                             "reason": {"type": "string", "minLength": 10}}},
}


def allowed_names(res: Resource) -> Set[str]:
    """Upper-cased names from ``allowedNames`` entries that carry a reason (entries without one count for
    nothing, whatever the engine let through)."""
    names = set()
    for item in res.config("allowedNames") or []:
        if isinstance(item, dict) and isinstance(item.get("name"), str) and isinstance(item.get("reason"), str) \
                and len(item["reason"].strip()) >= 10:
            names.add(item["name"].upper())
    return names


def is_windows(res: Resource) -> bool:
    """True for a task definition whose runtime platform is a Windows family (it has no Linux user or root
    filesystem settings)."""
    family = res.peek("runtimePlatform", "operatingSystemFamily")
    return isinstance(family, str) and family.upper().startswith("WINDOWS")
