"""ECS clusters collect Container Insights metrics."""

from ..core.rules import LOW, RuleIds, resource_rule
from ..core.values import as_list
from . import CLUSTER


def _validate(res, report):
    for setting in as_list(res.get("settings")):
        if isinstance(setting, dict) and setting.get("name") == "containerInsights":
            if str(setting.get("value", "")).lower() in ("enabled", "enhanced"):
                return
    report("settings has no containerInsights \"enabled\" (or \"enhanced\").")


def _fix(res):
    settings = [s for s in as_list(res.get("settings")) if isinstance(s, dict)]
    if any(s.get("name") == "containerInsights" and str(s.get("value", "")).lower() in ("enabled", "enhanced")
           for s in settings):
        return None
    others = [s for s in settings if s.get("name") != "containerInsights"]
    return {"settings": others + [{"name": "containerInsights", "value": "enabled"}]}


POLICY = resource_rule(
    name="aws-ecs-cluster-container-insights",
    description="ECS clusters have Container Insights enabled.",
    types=(CLUSTER,),
    validate=_validate,
    fix=_fix,
    severity=LOW,
    remediation="Add settings [{name: \"containerInsights\", value: \"enabled\"}] to the cluster.",
    ids=RuleIds(fsbp=("ECS.12",), cdk_nag=("AwsSolutions-ECS4",), checkov=("CKV_AWS_65",)),
    tags=["ecs", "monitoring"],
    unknowns="settings unknown: skipped with the SDK's advisory preview message.",
)
