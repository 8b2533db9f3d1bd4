"""No security group admits all protocols from the world."""

from ..common import CRITICAL, DEFAULT_SG_TYPE, SG_TYPES, RuleIds, raise_unknown, resource_rule
from .securitygroup_no_world_ingress import world_rules


def _validate(res, report):
    unknown = [None]
    for rule in world_rules(res, unknown):
        if rule.all_protocols:
            report(f"{rule.label} admits every protocol and port from {', '.join(rule.world_cidrs)}.")
    if unknown[0]:
        raise_unknown([unknown[0]])


LEVEL_REASON = "Every port open to the internet, including administration and database ports (FSBP EC2.19 Critical)."

POLICY = resource_rule(
    name="aws-ec2-securitygroup-no-world-all-protocols",
    description="Security groups never admit all protocols (-1) from 0.0.0.0/0 or ::/0.",
    types=SG_TYPES + (DEFAULT_SG_TYPE,),
    validate=_validate,
    severity=CRITICAL,
    mandatory=True,
    remediation="Replace protocol -1 with the specific TCP ports the service needs, from a security group "
                "source.",
    ids=RuleIds(fsbp=("EC2.18", "EC2.19"), checkov=("CKV_AWS_277",), cdk_nag=("AwsSolutions-EC23",)),
    url="https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-18",
    tags=["ec2", "network", "exposure"],
    unknowns="As aws-ec2-securitygroup-no-world-ingress.",
)
