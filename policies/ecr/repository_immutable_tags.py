"""ECR repositories do not let a tag move to another image."""

from ..common import MEDIUM, RuleIds, resource_rule
from .repository_scan_on_push import REPOSITORY


def _validate(res, report):
    mutability = res.get("imageTagMutability")
    if not (isinstance(mutability, str) and mutability.upper().startswith("IMMUTABLE")):
        report(f"imageTagMutability is {mutability or 'MUTABLE (the default)'}; set it to IMMUTABLE.")


POLICY = resource_rule(
    name="aws-ecr-repository-immutable-tags",
    description="ECR repositories have immutable image tags.",
    types=(REPOSITORY,),
    validate=_validate,
    severity=MEDIUM,
    remediation="Set imageTagMutability to \"IMMUTABLE\" and give every build a unique tag.",
    ids=RuleIds(fsbp=("ECR.2",), checkov=("CKV_AWS_51",), awsguard=("aws-ecr-repository-disallow-mutable-image",)),
    tags=["ecr", "supply-chain"],
    unknowns="imageTagMutability unknown: skipped with the SDK's advisory preview message.",
)
