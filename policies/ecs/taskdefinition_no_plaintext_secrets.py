"""No secret travels in a container's plain environment (high-confidence findings)."""

from ..core.containers import container_label, containers_or_skip
from ..core.rules import CRITICAL, RuleIds, resource_rule
from ..core.values import as_list
from ..readers.secrets import HIGH, classify
from . import ALLOWED_NAMES_SCHEMA, CONTAINER_TYPES, allowed_names


def _validate(res, report):
    allowed = allowed_names(res)
    for i, c in enumerate(containers_or_skip(res)):
        for entry in as_list(c.get("environment")):
            if not isinstance(entry, dict):
                continue
            name, value = entry.get("name"), entry.get("value")
            found = classify(name, value)
            if found is None or found.confidence != HIGH:
                continue
            if isinstance(name, str) and name.upper() in allowed and found.why.startswith("its name"):
                continue  # a name-only match the stack explained; value detectors still apply
            report(f"{container_label(c, i)} passes {name!r} in plain environment: {found.why}. Move it to "
                   "\"secrets\" with valueFrom pointing at a Secrets Manager secret or SSM SecureString ARN.")


LEVEL_REASON = ("A secret in the task environment is readable by anyone with ecs:DescribeTaskDefinition and lands "
                "in state and logs (FSBP ECS.8 High); only high-confidence findings are mandatory.")

POLICY = resource_rule(
    name="aws-ecs-taskdefinition-no-plaintext-secrets",
    description="ECS containers take secrets through \"secrets\" with valueFrom, never as plain environment "
                "variables (values a detector recognises, connection strings with passwords, secret-named "
                "variables).",
    types=CONTAINER_TYPES,
    validate=_validate,
    severity=CRITICAL,
    mandatory=True,
    remediation="Store the value in Secrets Manager (or SSM SecureString) and reference it from the container's "
                "\"secrets\": [{name, valueFrom: <ARN>[:jsonKey::]}]; grant the execution role read access to "
                "exactly that secret.",
    ids=RuleIds(fsbp=("ECS.8",), cdk_nag=("AwsSolutions-ECS2",)),
    tags=["ecs", "secrets"],
    config={"allowedNames": ALLOWED_NAMES_SCHEMA},
    unknowns="containerDefinitions unknown: skipped with the SDK's advisory preview message.",
)
