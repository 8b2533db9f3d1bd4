"""The VPC's default security group allows nothing."""

from ..core.rules import MEDIUM, RuleIds, resource_rule
from ..core.securitygroups import DEFAULT_SG_TYPE
from ..core.values import as_list


def _validate(res, report):
    for direction in ("ingress", "egress"):
        if as_list(res.get(direction)):
            report(f"the default security group has {direction} rules; leave {direction} empty.")


POLICY = resource_rule(
    name="aws-ec2-defaultsecuritygroup-closed",
    description="Default security groups have no ingress and no egress rules.",
    types=(DEFAULT_SG_TYPE,),
    validate=_validate,
    severity=MEDIUM,
    remediation="Adopt the default security group with aws.ec2.DefaultSecurityGroup and no ingress/egress, and "
                "give every resource its own group.",
    ids=RuleIds(fsbp=("EC2.2",), checkov=("CKV2_AWS_12",),
                cdk_nag=("NIST.800.53.R5-VPCDefaultSecurityGroupClosed",)),
    tags=["ec2", "network"],
    unknowns="ingress or egress unknown: skipped with the SDK's advisory preview message.",
)
