"""Roles use AWS-managed policies only from an allow-list."""

from ..core.rules import MEDIUM, RuleIds, resource_rule
from ..core.values import as_list
from . import ATTACHMENT_TYPES, attached_policy_arns, aws_managed_policy

DEFAULT_ALLOWED = [
    "service-role/AmazonECSTaskExecutionRolePolicy",
    "service-role/AmazonRDSEnhancedMonitoringRole",
]


def _validate(res, report):
    allowed = set()
    for item in as_list(res.config("allowedPolicies")):
        name = aws_managed_policy(item) or item
        if isinstance(name, str):
            allowed.add(name)
    for arn in attached_policy_arns(res):
        name = aws_managed_policy(arn)
        if name and name not in allowed:
            report(f"attaches the AWS-managed policy {arn}; write a customer-managed policy with the actions "
                   "needed, or add it to allowedPolicies for this stack.")


POLICY = resource_rule(
    name="aws-iam-role-no-aws-managed-policies",
    description="IAM roles attach AWS-managed policies only from the configured allow-list (by default the ECS "
                "task execution and RDS enhanced monitoring service-role policies).",
    types=("aws:iam/role:Role",) + ATTACHMENT_TYPES,
    validate=_validate,
    severity=MEDIUM,
    remediation="Replace broad AWS-managed policies with customer-managed or inline policies scoped to the "
                "resources of this stack.",
    ids=RuleIds(cdk_nag=("AwsSolutions-IAM4",), checkov=("CKV_AWS_274",)),
    url="https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html",
    tags=["iam", "least-privilege"],
    config={"allowedPolicies": {"type": "array", "items": {"type": "string"}, "default": DEFAULT_ALLOWED,
                                "description": "AWS-managed policies allowed (full ARN or the part after "
                                               "policy/)."}},
    unknowns="managedPolicyArns or policyArn unknown: skipped with the SDK's advisory preview message.",
)
