"""ECS services and task sets do not give tasks public IP addresses."""

from ..core.rules import CRITICAL, RuleIds, resource_rule
from ..core.values import as_bool
from . import AWSX_SERVICES, NATIVE_SERVICE, SERVICE, TASK_SET


def _validate(res, report):
    if res.type == NATIVE_SERVICE:
        if str(res.get("networkConfiguration", "awsvpcConfiguration", "assignPublicIp") or "").upper() == "ENABLED":
            report("networkConfiguration.awsvpcConfiguration.assignPublicIp is ENABLED: tasks get a public IP. Run "
                   "tasks in private subnets with it DISABLED.")
        return
    if res.type in AWSX_SERVICES and as_bool(res.get("assignPublicIp")) is True:
        report("assignPublicIp is true: tasks get a public IP. Run tasks in private subnets with assignPublicIp "
               "false.")
        return
    if as_bool(res.get("networkConfiguration", "assignPublicIp")) is True:
        report("networkConfiguration.assignPublicIp is true: tasks get a public IP. Run tasks in private subnets "
               "with assignPublicIp false and reach AWS APIs through NAT or VPC endpoints.")


LEVEL_REASON = ("A task with a public IP is reachable around the load balancer and its security group (FSBP ECS.2 "
                "High).")

POLICY = resource_rule(
    name="aws-ecs-service-no-public-ip",
    description="ECS services and task sets do not assign public IP addresses to tasks.",
    types=(SERVICE, TASK_SET, NATIVE_SERVICE) + AWSX_SERVICES,
    validate=_validate,
    severity=CRITICAL,
    mandatory=True,
    remediation="Set networkConfiguration.assignPublicIp to false and place the service in private subnets.",
    ids=RuleIds(fsbp=("ECS.2", "ECS.16"), checkov=("CKV_AWS_333",)),
    tags=["ecs", "network", "exposure"],
    unknowns="assignPublicIp unknown: skipped with the SDK's advisory preview message (subnets and security "
             "groups may be unknown without effect).",
)
