"""Secrets Manager resource policies grant nothing to everyone."""

from ..core.documents import public_statements
from ..core.rules import CRITICAL, RuleIds, resource_rule

TYPES = ("aws:secretsmanager/secretPolicy:SecretPolicy", "aws:secretsmanager/secret:Secret")


def _validate(res, report):
    for i in public_statements(res, "policy", report):
        report(f"Statement[{i}] allows every principal without a condition that restricts it to an organisation, "
               "account or source. Name the accounts or roles.")


LEVEL_REASON = "A secret readable by any AWS principal is a direct credential exposure."

POLICY = resource_rule(
    name="aws-secretsmanager-secretpolicy-no-public-principal",
    description="Secrets Manager resource policies do not allow every principal unless a condition restricts "
                "them to an organisation, account or source.",
    types=TYPES,
    validate=_validate,
    severity=CRITICAL,
    mandatory=True,
    remediation="Replace Principal \"*\" with the account or role ARNs, or add aws:PrincipalOrgID / "
                "aws:PrincipalAccount with a specific value; keep blockPublicPolicy true.",
    ids=RuleIds(),
    url="https://docs.aws.amazon.com/secretsmanager/latest/userguide/determine-acccess_examine-iam-policies.html",
    tags=["secretsmanager", "exposure", "pack-own"],
    unknowns="policy unknown: skipped with the SDK's advisory preview message.",
)
