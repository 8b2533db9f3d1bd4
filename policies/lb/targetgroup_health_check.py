"""Target groups define an enabled health check."""

from ..core.resources import NotApplicable
from ..core.rules import LOW, RuleIds, resource_rule
from ..core.values import as_bool
from . import TARGET_GROUP_TYPES


def _validate(res, report):
    if str(res.get("targetType") or "").lower() == "lambda":
        raise NotApplicable("Lambda target groups have no health check path")
    check = res.get("healthCheck")
    if not isinstance(check, dict) or as_bool(check.get("enabled")) is False:
        report("healthCheck is missing or disabled; define one that probes the application.")
        return
    protocol = str(check.get("protocol") or res.get("protocol") or "").upper()
    if protocol in ("HTTP", "HTTPS") and not check.get("path"):
        report("healthCheck has no path; probe a readiness endpoint such as /healthz.")


POLICY = resource_rule(
    name="aws-lb-targetgroup-health-check",
    description="Target groups define an enabled health check (with a path for HTTP/HTTPS).",
    types=TARGET_GROUP_TYPES,
    validate=_validate,
    severity=LOW,
    remediation="Set healthCheck {enabled: true, path: \"/healthz\", matcher: \"200\", interval, "
                "healthyThreshold, unhealthyThreshold}.",
    ids=RuleIds(checkov=("CKV_AWS_261",)),
    url="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html",
    tags=["lb", "reliability"],
    unknowns="targetType, healthCheck or protocol unknown: skipped with the SDK's advisory preview message.",
)
