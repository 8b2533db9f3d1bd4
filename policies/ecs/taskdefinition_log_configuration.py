"""Every container sends its logs somewhere."""

from ..core.containers import container_label, containers_or_skip
from ..core.rules import MEDIUM, RuleIds, resource_rule
from ..core.values import dig
from . import TASK_DEFINITION


def _validate(res, report):
    for i, c in enumerate(containers_or_skip(res)):
        driver = dig(c, "logConfiguration", "logDriver")
        if not isinstance(driver, str) or not driver.strip():
            report(f"{container_label(c, i)} has no logConfiguration.logDriver. Use awslogs (or awsfirelens).")


POLICY = resource_rule(
    name="aws-ecs-taskdefinition-log-configuration",
    description="ECS containers have a log configuration with a log driver.",
    types=(TASK_DEFINITION,),
    validate=_validate,
    severity=MEDIUM,
    remediation="Add logConfiguration {logDriver: \"awslogs\", options: {awslogs-group, awslogs-region, "
                "awslogs-stream-prefix}} to every container.",
    ids=RuleIds(fsbp=("ECS.9",), cdk_nag=("AwsSolutions-ECS7",)),
    tags=["ecs", "logging"],
    unknowns="containerDefinitions unknown: skipped with the SDK's advisory preview message.",
)
