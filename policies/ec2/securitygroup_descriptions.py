"""Security groups and their rules say what they are for."""

from ..core.rules import LOW, RuleIds, resource_rule
from ..core.securitygroups import SG_TYPE, SG_TYPES, sg_rules
from ..core.values import is_unknown

_PLACEHOLDERS = {"", "managed by pulumi", "managed by terraform"}


def _missing(value):
    return not is_unknown(value) and (not isinstance(value, str) or value.strip().lower() in _PLACEHOLDERS)


def _validate(res, report):
    if res.type == SG_TYPE and _missing(res.peek("description")):
        report(f"security group {res.name!r} has no description of its purpose.")
    for rule in sg_rules(res):
        if _missing(rule.description):
            report(f"{rule.label} has no description.")


POLICY = resource_rule(
    name="aws-ec2-securitygroup-descriptions",
    description="Security groups and every ingress/egress rule have a meaningful description.",
    types=SG_TYPES,
    validate=_validate,
    severity=LOW,
    remediation="Set description on the group and on every rule, e.g. \"HTTPS from the internet to the ALB\".",
    ids=RuleIds(cdk_nag=("AwsSolutions-EC27",), checkov=("CKV_AWS_23",),
                awsguard=("aws-ec2-securitygroup-missing-description",
                          "aws-ec2-securitygroup-missing-ingress-rule-description",
                          "aws-ec2-securitygroup-missing-egress-rule-description")),
    url="https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html",
    tags=["ec2", "network", "hygiene"],
    unknowns="Unknown descriptions count as present; never skips.",
)
