"""Task definitions do not share the host's process or IPC namespace."""

from ..core.rules import HIGH, RuleIds, resource_rule
from . import TASK_TYPES


def _validate(res, report):
    for prop in ("pidMode", "ipcMode"):
        mode = res.get(prop)
        if isinstance(mode, str) and mode.lower() == "host":
            report(f"{prop} is \"host\": containers share the host's namespace. Use \"task\" or leave it unset.")


LEVEL_REASON = ("Sharing the host's PID or IPC namespace lets a container see and signal host processes: an isolation"
                " escape like privileged (FSBP ECS.3 High).")

POLICY = resource_rule(
    name="aws-ecs-taskdefinition-no-host-namespaces",
    description="ECS task definitions do not share the host's process (pidMode) or IPC (ipcMode) namespace.",
    types=TASK_TYPES,
    validate=_validate,
    severity=HIGH,
    mandatory=True,
    remediation="Remove pidMode/ipcMode \"host\"; use \"task\" when containers of one task must share them.",
    ids=RuleIds(fsbp=("ECS.3",), checkov=("CKV_AWS_335",)),
    tags=["ecs", "isolation"],
    unknowns="pidMode or ipcMode unknown: skipped with the SDK's advisory preview message.",
)
