"""No container adds Linux capabilities beyond the runtime's default set."""

from ..core.containers import container_label, containers_or_skip
from ..core.rules import HIGH, RuleIds, resource_rule
from ..core.values import as_list, dig
from . import CONTAINER_TYPES

# The container runtime's default capability set (Docker/containerd, as ECS uses it). Adding one of these
# changes nothing; anything else (SYS_ADMIN, NET_ADMIN, ALL, ...) widens what a compromised container can do
# to its host or its task.
DEFAULT_CAPABILITIES = frozenset({
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "NET_RAW",
    "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
})
#: What a stack may allow with ``allowedCapabilities``: SYS_PTRACE, the one capability Fargate lets a task add
#: (debuggers and APM agents). Nothing that reaches the host can be allowed.
ALLOWABLE = ["SYS_PTRACE"]


def capability_name(value):
    """The capability as the runtime reads it: case-insensitive, with or without the CAP_ prefix."""
    text = value.strip().upper()
    return text[4:] if text.startswith("CAP_") else text


def _validate(res, report):
    allowed = {capability_name(c) for c in as_list(res.config("allowedCapabilities")) if isinstance(c, str)}
    allowed &= set(ALLOWABLE)
    for i, c in enumerate(containers_or_skip(res)):
        added = [capability_name(a) for a in as_list(dig(c, "linuxParameters", "capabilities", "add"))
                 if isinstance(a, str)]
        extra = sorted({a for a in added if a not in DEFAULT_CAPABILITIES and a not in allowed})
        if extra:
            report(f"{container_label(c, i)} adds Linux capabilities {extra} beyond the default set. Remove "
                   "them from linuxParameters.capabilities.add.")


LEVEL_REASON = ("Capabilities such as SYS_ADMIN, NET_ADMIN or ALL are most of what privileged grants: the same "
                "isolation escape, so the same level as privileged.")

POLICY = resource_rule(
    name="aws-ecs-taskdefinition-no-added-capabilities",
    description="ECS containers add no Linux capabilities beyond the container runtime's default set.",
    types=CONTAINER_TYPES,
    validate=_validate,
    severity=HIGH,
    mandatory=True,
    remediation="Remove linuxParameters.capabilities.add entries such as ALL, SYS_ADMIN or NET_ADMIN; drop "
                "capabilities instead. A stack that needs SYS_PTRACE for a debugger lists it in "
                "allowedCapabilities.",
    ids=RuleIds(),
    url="https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_KernelCapabilities.html",
    tags=["ecs", "containers", "isolation", "least-privilege", "pack-own"],
    config={"allowedCapabilities": {"type": "array", "items": {"type": "string", "enum": ALLOWABLE},
                                    "default": [],
                                    "description": "Capabilities this stack may add beyond the default set "
                                                   "(only SYS_PTRACE can be allowed)."}},
    unknowns="containerDefinitions unknown: skipped with the SDK's advisory preview message.",
)
