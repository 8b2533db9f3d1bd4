"""The task definition's containerDefinitions is a well-formed JSON array of container objects."""

from ..core.containers import container_definitions
from ..core.rules import CRITICAL, RuleIds, resource_rule
from . import CONTAINER_TYPES


def _validate(res, report):
    _, error = container_definitions(res)
    if error:
        report(f"{error}. The other container rules cannot judge this task definition until it is fixed.")


LEVEL_REASON = ("The mandatory container rules cannot judge a malformed containerDefinitions, so the pack fails "
                "closed.")

POLICY = resource_rule(
    name="aws-ecs-taskdefinition-valid-container-definitions",
    description="ECS task definitions have well-formed containerDefinitions, so every container rule can judge them.",
    types=CONTAINER_TYPES,
    validate=_validate,
    severity=CRITICAL,
    mandatory=True,
    remediation="Build containerDefinitions with json.dumps() of a list of container objects "
                "(the task component's pure helper does this).",
    ids=RuleIds(),
    url="https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html",
    tags=["ecs", "robustness", "pack-own"],
    unknowns="The whole string unknown: skipped with the SDK's advisory preview message. Malformed JSON is a "
             "violation (fail closed, because the mandatory container rules cannot run).",
)
