"""Roles cannot be assumed by everyone."""

from ..core.documents import allows, document_or_report, statements, wildcard_principal
from ..core.rules import HIGH, RuleIds, resource_rule


def _validate(res, report):
    for i, st in enumerate(statements(document_or_report(res, "assumeRolePolicy", report))):
        if not allows(st):
            continue
        if wildcard_principal(st):
            report(f"Statement[{i}] lets Principal \"*\" assume the role. Name the service or account.")


POLICY = resource_rule(
    name="aws-iam-role-trust-no-wildcard-principal",
    description="IAM role trust policies do not allow the \"*\" principal.",
    types=("aws:iam/role:Role",),
    validate=_validate,
    severity=HIGH,
    remediation="Trust the exact service (e.g. ecs-tasks.amazonaws.com) or account, with aws:SourceAccount / "
                "aws:SourceArn conditions for services.",
    ids=RuleIds(checkov=("CKV_AWS_60", "CKV_AWS_61")),
    url="https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html",
    tags=["iam", "exposure"],
    unknowns="assumeRolePolicy unknown: skipped with the SDK's advisory preview message.",
)
