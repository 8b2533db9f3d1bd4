"""IAM policies scope actions to resources, except actions AWS cannot scope."""

import fnmatch

from ..core.documents import actions, all_resources, allows
from ..core.rules import MEDIUM, RuleIds, resource_rule
from ..core.values import as_list, raise_unknown
from . import DECRYPT_ACTIONS, ESCALATION_ACTIONS, IAM_DOC_TYPES, permission_statements

# Actions without resource-level permissions: "*" is the only possible Resource.
UNSCOPED_ACTIONS = [
    "ecr:GetAuthorizationToken", "ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel", "cloudwatch:PutMetricData",
    "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets",
    "logs:DescribeLogGroups", "sts:GetCallerIdentity", "ec2:Describe*", "kms:ListAliases", "kms:ListKeys",
    "secretsmanager:GetRandomPassword", "secretsmanager:ListSecrets",
]
_ELSEWHERE = ESCALATION_ACTIONS + list(DECRYPT_ACTIONS)


def _reported_elsewhere(action):
    low = action.lower()
    return action in ("*", "*:*") or action.endswith(":*") or any(
        fnmatch.fnmatchcase(e.lower(), low) for e in _ELSEWHERE)


def _validate(res, report):
    allowed = [a.lower() for a in as_list(res.config("allowedActions")) if isinstance(a, str)]
    found, unknown = permission_statements(res)
    for label, st in found:
        if not allows(st) or not all_resources(st):
            continue
        loose = [a for a in actions(st) if not _reported_elsewhere(a)
                 and not any(fnmatch.fnmatchcase(a.lower(), p) for p in allowed)]
        if loose:
            report(f"{label} allows {loose} on every resource; name the resource ARNs.")
    if unknown:
        raise_unknown([unknown])


POLICY = resource_rule(
    name="aws-iam-policy-no-wildcard-resource",
    description="IAM policies grant actions on Resource \"*\" only for actions that have no resource-level "
                "permissions (a configurable allow-list).",
    types=IAM_DOC_TYPES,
    validate=_validate,
    severity=MEDIUM,
    remediation="Replace Resource \"*\" with the ARNs of this stack's resources; keep \"*\" only for actions such "
                "as ecr:GetAuthorizationToken that cannot be scoped.",
    ids=RuleIds(cdk_nag=("AwsSolutions-IAM5",), checkov=("CKV_AWS_355", "CKV_AWS_356")),
    url="https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
    tags=["iam", "least-privilege"],
    config={"allowedActions": {"type": "array", "items": {"type": "string"}, "default": UNSCOPED_ACTIONS,
                               "description": "Actions (globs allowed) that may use Resource \"*\"."}},
    unknowns="As aws-iam-policy-no-admin-access. Service wildcards, \"*\", privilege-escalation and KMS decrypt "
             "actions are left to their own rules.",
)
