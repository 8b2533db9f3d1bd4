"""ECR repository and registry policies grant nothing to everyone."""

from ..core.documents import public_statements
from ..core.rules import HIGH, RuleIds, resource_rule
from . import POLICY_PROPS


def _validate(res, report):
    for i in public_statements(res, POLICY_PROPS[res.type], report):
        report(f"Statement[{i}] allows every principal without a condition that restricts it to an organisation, "
               "account or source. Name the accounts or roles.")


LEVEL_REASON = ("A repository open to every AWS principal lets anyone pull the images (and push, if the actions "
                "allow it): the same exposure class as a public secret or key, so the same level.")

POLICY = resource_rule(
    name="aws-ecr-repositorypolicy-no-public-principal",
    description="ECR repository and registry policies do not allow every principal unless a condition restricts "
                "them to an organisation, account or source.",
    types=tuple(POLICY_PROPS),
    validate=_validate,
    severity=HIGH,
    mandatory=True,
    remediation="Replace Principal \"*\" with the account or role ARNs that need access, or add a condition "
                "such as aws:PrincipalOrgID.",
    ids=RuleIds(cdk_nag=("AwsSolutions-ECR1",), checkov=("CKV_AWS_32",)),
    url="https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html",
    tags=["ecr", "exposure"],
    unknowns="policy unknown: skipped with the SDK's advisory preview message.",
)
