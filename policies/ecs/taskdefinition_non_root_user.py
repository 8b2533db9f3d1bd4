"""Every container runs as a non-root user."""

from ..core.containers import container_label, containers_or_skip
from ..core.resources import NotApplicable
from ..core.rules import CRITICAL, RuleIds, resource_rule
from ..core.values import is_unknown, raise_unknown
from ..readers.numbers import is_root_id
from . import CONTAINER_TYPES, is_windows


def _validate(res, report):
    if is_windows(res):
        raise NotApplicable("Windows containers have no Linux user")
    for i, c in enumerate(containers_or_skip(res)):
        user = c.get("user")
        if is_unknown(user):
            raise_unknown(["containerDefinitions", i, "user"])
        if user is None or (isinstance(user, str) and not user.strip()):
            report(f"{container_label(c, i)} sets no user, so it runs as the image's user (root by default). "
                   "Set user to a non-root name or UID, e.g. \"1000:1000\".")
            continue
        if isinstance(user, (int, float)) and not isinstance(user, bool) and is_root_id(user):
            report(f"{container_label(c, i)} runs as {user!r}, which is uid 0 (root). Use a non-root user and group.")
            continue
        if isinstance(user, float) and user.is_integer():
            user = int(user)  # the engine sends numbers as floats
        if isinstance(user, bool) or not isinstance(user, (str, int)):
            report(f"{container_label(c, i)} has user {user!r}, which is not a user name or UID; ECS cannot run it "
                   "as a known non-root user. Set user to a string such as \"1000:1000\".")
            continue
        if any(is_root_id(p) for p in str(user).split(":")):
            report(f"{container_label(c, i)} runs as {user!r}, which is root. Use a non-root user and group.")


LEVEL_REASON = ("Root in a container is one kernel bug away from root on the host; no legitimate Fargate service "
                "needs it.")

POLICY = resource_rule(
    name="aws-ecs-taskdefinition-non-root-user",
    description="ECS containers run as a non-root user (user set, and neither user nor group is root or 0).",
    types=CONTAINER_TYPES,
    validate=_validate,
    severity=CRITICAL,
    mandatory=True,
    remediation="Set \"user\" in every container definition to a non-root user, e.g. \"1000:1000\" or \"node\", "
                "and make the image work as that user.",
    ids=RuleIds(fsbp=("ECS.20",), cdk_nag=("NIST.800.53.R5-ECSTaskDefinitionUserForHostMode",),
                checkov=("CKV_DOCKER_3", "CKV_DOCKER_8")),
    tags=["ecs", "containers", "least-privilege"],
    unknowns="containerDefinitions or a container's user unknown: skipped with the SDK's advisory preview message.",
)
