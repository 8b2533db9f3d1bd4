"""No container runs privileged."""

from ..core.containers import container_label, containers_or_skip
from ..core.rules import CRITICAL, RuleIds, resource_rule
from ..core.values import as_bool
from . import CONTAINER_TYPES


def _validate(res, report):
    for i, c in enumerate(containers_or_skip(res)):
        if as_bool(c.get("privileged")) is True:
            report(f"{container_label(c, i)} is privileged. Remove \"privileged\" or set it to false.")


LEVEL_REASON = ("A privileged container has the host's devices and every capability: a container escape (FSBP ECS.4 "
                "High).")

POLICY = resource_rule(
    name="aws-ecs-taskdefinition-not-privileged",
    description="ECS containers do not run in privileged mode.",
    types=CONTAINER_TYPES,
    validate=_validate,
    severity=CRITICAL,
    mandatory=True,
    remediation="Remove \"privileged\": true from the container definition; grant specific Linux capabilities "
                "only if truly needed (Fargate allows SYS_PTRACE alone).",
    ids=RuleIds(fsbp=("ECS.4",), checkov=("CKV_AWS_334",)),
    tags=["ecs", "containers", "least-privilege"],
    unknowns="containerDefinitions unknown: skipped with the SDK's advisory preview message.",
)
