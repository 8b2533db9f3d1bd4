"""Every container has a read-only root filesystem."""

from ..core.containers import container_label, containers_or_skip
from ..core.resources import NotApplicable
from ..core.rules import HIGH, RuleIds, resource_rule
from ..core.values import as_bool
from . import TASK_DEFINITION, is_windows


def _validate(res, report):
    if is_windows(res):
        raise NotApplicable("Windows containers do not support readonlyRootFilesystem")
    for i, c in enumerate(containers_or_skip(res)):
        if as_bool(c.get("readonlyRootFilesystem")) is not True:
            report(f"{container_label(c, i)} has a writable root filesystem. Set readonlyRootFilesystem to true "
                   "and mount a volume for paths that must be written.")


POLICY = resource_rule(
    name="aws-ecs-taskdefinition-readonly-root-filesystem",
    description="ECS containers have a read-only root filesystem.",
    types=(TASK_DEFINITION,),
    validate=_validate,
    severity=HIGH,
    remediation="Set \"readonlyRootFilesystem\": true on every container; give writable paths (e.g. /tmp) a "
                "task volume.",
    ids=RuleIds(fsbp=("ECS.5",), checkov=("CKV_AWS_336",)),
    tags=["ecs", "containers"],
    unknowns="containerDefinitions unknown: skipped with the SDK's advisory preview message.",
)
