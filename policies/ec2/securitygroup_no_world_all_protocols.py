"""No security group admits all protocols from the world."""

from ..core.rules import CRITICAL, RuleIds, resource_rule
from ..core.securitygroups import DEFAULT_SG_TYPE, NATIVE_SG_TYPES, SG_TYPES
from ..core.values import raise_unknown
from . import ingress_exposure, joined


def _validate(res, report):
    exposure, unknown = ingress_exposure(res)
    spaces, labels = exposure.all_protocols()
    if spaces:
        report(f"{joined(labels)} admit(s) every protocol and port from {joined(spaces)} (the sources together "
               "cover the whole address space).")
    if unknown:
        raise_unknown([unknown])


LEVEL_REASON = ("Every port open to the internet, including administration and database ports (FSBP EC2.19 "
                "Critical).")

POLICY = resource_rule(
    name="aws-ec2-securitygroup-no-world-all-protocols",
    description="Security groups never admit all protocols (-1) from sources that together cover 0.0.0.0/0 or "
                "::/0.",
    types=SG_TYPES + (DEFAULT_SG_TYPE,) + NATIVE_SG_TYPES,
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
