"""Every ECR repository has a lifecycle policy (stack rule)."""

from ..core.rules import LOW, RuleIds, stack_rule
from ..core.values import is_unknown
from . import LIFECYCLE, REPOSITORY


def _validate(stack, report):
    policies = stack.of_type(LIFECYCLE)
    undecided = False
    covered = set()
    for lp in policies:
        target = lp.peek("repository")
        deps = set(lp.depends_on("repository")) or set(lp.dependencies)
        for repo in stack.of_type(REPOSITORY):
            if repo.urn in deps or (isinstance(target, str) and target in
                                     (repo.peek("name"), repo.peek("id"), repo.peek("arn"))):
                covered.add(repo.urn)
        if is_unknown(target) and not deps:
            undecided = True
    for repo in stack.of_type(REPOSITORY):
        if repo.urn not in covered and not undecided:
            report(f"ECR repository {repo.name!r} has no aws.ecr.LifecyclePolicy; untagged and old images "
                   "pile up.", repo.urn)


POLICY = stack_rule(
    name="aws-ecr-repository-lifecycle-policy",
    description="Every ECR repository has at least one lifecycle policy.",
    types=(REPOSITORY,),
    validate=_validate,
    severity=LOW,
    remediation="Add an aws.ecr.LifecyclePolicy for the repository (expire untagged images after a few days, "
                "keep the last N tagged images).",
    ids=RuleIds(fsbp=("ECR.3",)),
    tags=["ecr", "cost", "stack"],
    unknowns="Matches by the repository's name/id/ARN or by the policy's dependency on the repository URN. A "
             "policy whose target is unknown and has no dependency information suppresses the finding (it may "
             "cover any repository).",
)
