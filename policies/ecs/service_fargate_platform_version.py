"""Fargate services run on a current platform version."""

import re

from ..core.resources import NotApplicable
from ..core.rules import MEDIUM, RuleIds, resource_rule
from ..core.values import as_list, dig
from . import SERVICE, TASK_SET


def uses_fargate(res):
    launch = res.get("launchType")
    if isinstance(launch, str) and launch.upper() == "FARGATE":
        return True
    strategies = res.get("capacityProviderStrategies")
    return any(str(dig(s, "capacityProvider") or "").upper().startswith("FARGATE") for s in as_list(strategies))


def _validate(res, report):
    if not uses_fargate(res):
        raise NotApplicable("not a Fargate service")
    version = res.get("platformVersion")
    if version is None or (isinstance(version, str) and version.upper() == "LATEST"):
        return
    match = re.fullmatch(r"(\d+)\.(\d+)(?:\.(\d+))?", str(version).strip())
    if not match or tuple(int(x or 0) for x in match.groups()) < (1, 4, 0):
        report(f"platformVersion is {version!r}. Use LATEST (or 1.4.0 or later).")


POLICY = resource_rule(
    name="aws-ecs-service-fargate-platform-version",
    description="Fargate services run on platform version LATEST or 1.4.0 and later.",
    types=(SERVICE, TASK_SET),
    validate=_validate,
    severity=MEDIUM,
    remediation="Remove platformVersion (LATEST is the default) or set it to LATEST.",
    ids=RuleIds(fsbp=("ECS.10",), checkov=("CKV_AWS_332",)),
    tags=["ecs", "patching"],
    unknowns="launchType, capacityProviderStrategies or platformVersion unknown: skipped with the SDK's "
             "advisory preview message.",
)
