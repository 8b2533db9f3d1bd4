"""Every VPC the analyzer can see has flow logs (stack rule)."""

from ..core.rules import MEDIUM, RuleIds, stack_rule
from ..core.values import is_unknown
from . import AWSX_VPC, FLOW_LOG, VPC


def _targets(stack):
    """VPCs to judge: plain VPCs, plus awsx VPC components whose child VPC is not visible."""
    vpcs = stack.of_type(VPC)
    targets = list(vpcs)
    for component in stack.of_type(AWSX_VPC):
        if not any(component.urn in stack.ancestors(v) for v in vpcs):
            targets.append(component)
    return targets


def _ids(vpc):
    keys = ("vpcId",) if vpc.type == AWSX_VPC else ("id", "arn")
    values = [vpc.peek(k) for k in keys]
    if vpc.type == AWSX_VPC:
        values.append(vpc.peek("vpc", "id"))
    return {v for v in values if isinstance(v, str) and v}


def _validate(stack, report):
    logs = stack.of_type(FLOW_LOG)
    undecided = False
    covered = set()
    for target in _targets(stack):
        related = {target.urn} | {r.urn for r in stack.resources if target.urn in stack.ancestors(r)}
        related |= {u for u in stack.ancestors(target) if (stack.by_urn(u) or target).type == AWSX_VPC}
        ids = _ids(target)
        for log in logs:
            vpc_id = log.peek("vpcId")
            deps = set(log.depends_on("vpcId")) or set(log.dependencies)
            if (isinstance(vpc_id, str) and vpc_id in ids) or (deps & related):
                covered.add(target.urn)
    for log in logs:
        if is_unknown(log.peek("vpcId")) and not (log.depends_on("vpcId") or log.dependencies):
            undecided = True
    if undecided:
        return
    for target in _targets(stack):
        if target.urn not in covered:
            kind = "awsx VPC component" if target.type == AWSX_VPC else "VPC"
            report(f"{kind} {target.name!r} has no aws.ec2.FlowLog.", target.urn)


POLICY = stack_rule(
    name="aws-ec2-vpc-flow-logs",
    description="Every VPC in the stack (a plain VPC, or an awsx VPC component whose children are not visible) "
                "has VPC flow logs.",
    types=(VPC, AWSX_VPC),
    validate=_validate,
    severity=MEDIUM,
    remediation="Add an aws.ec2.FlowLog with vpcId set to the VPC (for awsx, vpc.vpc_id), trafficType ALL, "
                "delivering to a CloudWatch log group with retention.",
    ids=RuleIds(fsbp=("EC2.6",), cdk_nag=("AwsSolutions-VPC7",), checkov=("CKV2_AWS_11",)),
    tags=["ec2", "logging", "stack"],
    unknowns="Matches a flow log by vpcId value, or by its dependency on the VPC, the awsx component or any of "
             "their children. A flow log with an unknown vpcId and no dependency information suppresses all "
             "findings (it may cover any VPC).",
)
