"""Performance Insights data is encrypted with a customer-managed key."""

from ..core.resources import NotApplicable, unset
from ..core.rules import LOW, RuleIds, resource_rule
from ..core.values import as_bool
from . import INSTANCE


def _validate(res, report):
    if as_bool(res.get("performanceInsightsEnabled")) is not True:
        raise NotApplicable("Performance Insights is off")
    if unset(res, "performanceInsightsKmsKeyId"):
        report("performanceInsightsEnabled is true without performanceInsightsKmsKeyId; the data uses the "
               "AWS-managed key.")


POLICY = resource_rule(
    name="aws-rds-instance-performance-insights-encrypted",
    description="RDS instances with Performance Insights encrypt it with a customer-managed KMS key.",
    types=(INSTANCE,),
    validate=_validate,
    severity=LOW,
    remediation="Set performanceInsightsKmsKeyId to the stack's customer-managed key (it can only be set when "
                "Performance Insights is first enabled).",
    ids=RuleIds(checkov=("CKV_AWS_354",), awsguard=("aws-rds-instance-disallow-unencrypted-performance-insights",)),
    url="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PerfInsights.access-control.cmk-policy.html",
    tags=["rds", "encryption"],
    unknowns="performanceInsightsEnabled unknown: skipped with the SDK's advisory preview message; an unknown "
             "key id counts as set.",
)
