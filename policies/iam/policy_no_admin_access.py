"""No IAM policy grants full administrator access."""

from ..core.rules import CRITICAL, RuleIds, resource_rule
from ..core.values import raise_unknown
from ..readers.iam import grants_everything_on_all
from . import ATTACHMENT_TYPES, IAM_DOC_TYPES, attached_policy_arns, aws_managed_policy, permission_statements

# AWS-managed policies that amount to administrator access, and why.
ADMIN_POLICIES = {
    "administratoraccess": "grants every action on every resource",
    "poweruseraccess": "allows every action except iam:*, organizations:* and account:* on every resource "
                       "(Allow with NotAction)",
    "iamfullaccess": "allows iam:* on every resource, so the holder can attach AdministratorAccess to itself",
}


def _validate(res, report):
    if res.type in ATTACHMENT_TYPES or res.type == "aws:iam/role:Role":
        for arn in attached_policy_arns(res):
            why = ADMIN_POLICIES.get((aws_managed_policy(arn) or "").lower())
            if why:
                report(f"attaches {arn}, which {why}.")
    if res.type not in IAM_DOC_TYPES:
        return
    found, unknown = permission_statements(res)
    for label, st in found:
        why = grants_everything_on_all(st)
        if why:
            report(f"{label} allows {why}: administrator access. Grant the actions needed on the resources used.")
    if unknown:
        raise_unknown([unknown])


LEVEL_REASON = ("Administrator access turns any compromise of the principal into a compromise of the account (FSBP "
                "IAM.1 High).")

POLICY = resource_rule(
    name="aws-iam-policy-no-admin-access",
    description="IAM policies never allow every action (\"*\", NotAction) or the whole IAM service on every "
                "resource (\"*\", arn:aws:*, NotResource), and nothing attaches AdministratorAccess, "
                "PowerUserAccess or IAMFullAccess.",
    types=IAM_DOC_TYPES + ATTACHMENT_TYPES,
    validate=_validate,
    severity=CRITICAL,
    mandatory=True,
    remediation="Grant the specific actions on the specific resources the workload uses; never attach "
                "AdministratorAccess, PowerUserAccess or IAMFullAccess to a workload role.",
    ids=RuleIds(fsbp=("IAM.1",), checkov=("CKV_AWS_62", "CKV_AWS_1", "CKV_AWS_274"),
                cdk_nag=("NIST.800.53.R5-IAMPolicyNoStatementsWithAdminAccess",
                         "NIST.800.53.R5-IAMPolicyNoStatementsWithFullAccess")),
    tags=["iam", "least-privilege"],
    unknowns="Definite findings in known documents are reported; an unknown document (or managedPolicyArns / "
             "policyArn) is skipped with the SDK's advisory preview message.",
)
