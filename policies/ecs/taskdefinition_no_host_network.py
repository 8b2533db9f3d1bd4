"""Task definitions do not use the host network mode."""

from ..core.rules import HIGH, RuleIds, resource_rule
from . import TASK_TYPES


def _validate(res, report):
    mode = res.get("networkMode")
    if isinstance(mode, str) and mode.lower() == "host":
        report("networkMode is \"host\": containers share the host's network stack. Use \"awsvpc\".")


LEVEL_REASON = ("Host networking puts the container on the host's interfaces and metadata endpoint: an isolation "
                "escape like privileged (FSBP ECS.17, ECS.1 High).")

POLICY = resource_rule(
    name="aws-ecs-taskdefinition-no-host-network",
    description="ECS task definitions do not use the host network mode.",
    types=TASK_TYPES,
    validate=_validate,
    severity=HIGH,
    mandatory=True,
    remediation="Set networkMode to \"awsvpc\" (required on Fargate) and give the task its own security group.",
    ids=RuleIds(fsbp=("ECS.17", "ECS.1"), cdk_nag=("NIST.800.53.R5-ECSTaskDefinitionUserForHostMode",)),
    url="https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-17",
    tags=["ecs", "network"],
    unknowns="networkMode unknown: skipped with the SDK's advisory preview message.",
)
