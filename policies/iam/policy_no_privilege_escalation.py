"""IAM policies do not grant privilege-escalation actions on every resource."""

from ..core.rules import HIGH, RuleIds, resource_rule
from ..core.values import raise_unknown
from ..readers.iam import IAM_ACTIONS, covers_actions
from . import ESCALATION_ACTIONS, IAM_DOC_TYPES, permission_statements, sensitive_grants


def _validate(res, report):
    found, unknown = permission_statements(res)
    for label, hits in sensitive_grants(found, ESCALATION_ACTIONS, lambda a: covers_actions([a], IAM_ACTIONS)):
        report(f"{label} allows {hits} on Resource \"*\"; scope them to specific ARNs.")
    if unknown:
        raise_unknown([unknown])


POLICY = resource_rule(
    name="aws-iam-policy-no-privilege-escalation",
    description="IAM policies do not allow privilege-escalation actions (iam:PassRole, iam:Put*Policy, "
                "sts:AssumeRole, ...) on Resource \"*\".",
    types=IAM_DOC_TYPES,
    validate=_validate,
    severity=HIGH,
    remediation="Scope iam:PassRole and similar actions to the exact role ARNs (with iam:PassedToService).",
    ids=RuleIds(checkov=("CKV_AWS_286", "CKV_AWS_287", "CKV_AWS_288", "CKV_AWS_289", "CKV_AWS_290",
                         "CKV_AWS_355")),
    url="https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
    tags=["iam", "least-privilege"],
    unknowns="As aws-iam-policy-no-admin-access. Actions covering the whole IAM service (\"*\", \"iam:*\") are "
             "left to aws-iam-policy-no-admin-access.",
)
