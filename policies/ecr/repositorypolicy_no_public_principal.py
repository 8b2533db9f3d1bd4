"""ECR repository and registry policies grant nothing to everyone."""

from ..common import HIGH, RuleIds, public_statements, resource_rule

TYPES = ("aws:ecr/repositoryPolicy:RepositoryPolicy", "aws:ecr/registryPolicy:RegistryPolicy")


def _validate(res, report):
    for i in public_statements(res, "policy", report):
        report(f"Statement[{i}] allows every principal without a condition that restricts it to an organisation, "
               "account or source. Name the accounts or roles.")


POLICY = resource_rule(
    name="aws-ecr-repositorypolicy-no-public-principal",
    description="ECR repository and registry policies do not allow every principal unless a condition restricts "
                "them to an organisation, account or source.",
    types=TYPES,
    validate=_validate,
    severity=HIGH,
    remediation="Replace Principal \"*\" with the account or role ARNs that need access, or add a condition "
                "such as aws:PrincipalOrgID.",
    ids=RuleIds(cdk_nag=("AwsSolutions-ECR1",), checkov=("CKV_AWS_32",)),
    url="https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html",
    tags=["ecr", "exposure"],
    unknowns="policy unknown: skipped with the SDK's advisory preview message.",
)
