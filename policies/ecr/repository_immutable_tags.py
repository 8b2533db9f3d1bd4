"""ECR repositories do not let a tag move to another image."""

from ..core.rules import MEDIUM, RuleIds, resource_rule
from ..core.values import as_list, dig
from . import REPOSITORY


def _validate(res, report):
    mutability = res.get("imageTagMutability")
    if not (isinstance(mutability, str) and mutability.strip().upper() in ("IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION")):
        report(f"imageTagMutability is {mutability or 'MUTABLE (the default)'}; set it to IMMUTABLE.")
        return
    # IMMUTABLE_WITH_EXCLUSION keeps every tag immutable except the ones its filters name (e.g. a "cache-*" tag);
    # a filter of only wildcards makes every tag mutable again.
    if mutability.strip().upper() == "IMMUTABLE_WITH_EXCLUSION":
        for i, item in enumerate(as_list(res.get("imageTagMutabilityExclusionFilters"))):
            pattern = dig(item, "filter")
            if isinstance(pattern, str) and pattern.strip() and not pattern.strip().strip("*"):
                report(f"imageTagMutabilityExclusionFilters[{i}] is {pattern!r}, which exempts every tag; name only "
                       "the tags that must stay mutable.")


def _fix(res):
    mutability = res.get("imageTagMutability")
    if isinstance(mutability, str) and mutability.strip().upper() in ("IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION"):
        return None  # exclusion filters are the owner's call; only a mutable repository is fixed
    return {"imageTagMutability": "IMMUTABLE"}


POLICY = resource_rule(
    name="aws-ecr-repository-immutable-tags",
    description="ECR repositories have immutable image tags (IMMUTABLE, or IMMUTABLE_WITH_EXCLUSION with narrow "
                "filters).",
    types=(REPOSITORY,),
    validate=_validate,
    fix=_fix,
    severity=MEDIUM,
    remediation="Set imageTagMutability to \"IMMUTABLE\" and give every build a unique tag.",
    ids=RuleIds(fsbp=("ECR.2",), checkov=("CKV_AWS_51",), awsguard=("aws-ecr-repository-disallow-mutable-image",)),
    tags=["ecr", "supply-chain"],
    unknowns="imageTagMutability (or, with exclusions, the filter list) unknown: skipped with the SDK's advisory "
             "preview message; an unknown filter counts as narrow.",
)
