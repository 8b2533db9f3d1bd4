"""Log groups keep logs for a bounded, sufficient time."""

from ..core.rules import LOW, RuleIds, resource_rule
from ..core.values import as_int
from . import LOG_GROUP


def _validate(res, report):
    days = as_int(res.get("retentionInDays"))
    minimum = as_int(res.config("minRetentionDays"))
    if not days:
        report(f"retentionInDays is not set, so logs never expire; set at least {minimum} days.")
    elif days < minimum:
        report(f"retentionInDays is {days}; this stack requires at least {minimum} days.")


# The values CloudWatch Logs accepts for retentionInDays.
RETENTION_VALUES = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
                    3288, 3653)


def _fix(res):
    days = as_int(res.get("retentionInDays"))
    minimum = as_int(res.config("minRetentionDays"))
    if days and days >= minimum:
        return None
    return {"retentionInDays": next((v for v in RETENTION_VALUES if v >= minimum), RETENTION_VALUES[-1])}


POLICY = resource_rule(
    name="aws-cloudwatch-loggroup-retention",
    description="CloudWatch log groups set a retention of at least the configured minimum (never \"forever\").",
    types=(LOG_GROUP,),
    validate=_validate,
    fix=_fix,
    severity=LOW,
    remediation="Set retentionInDays to a valid value of at least minRetentionDays (e.g. 7 in dev, 90 or 365 in "
                "prod).",
    ids=RuleIds(fsbp=("CloudWatch.16",), checkov=("CKV_AWS_66", "CKV_AWS_338"),
                cdk_nag=("NIST.800.53.R5-CloudWatchLogGroupRetentionPeriod",)),
    tags=["logs", "retention"],
    config={"minRetentionDays": {"type": "integer", "minimum": 1, "default": 7,
                                 "description": "Minimum retention in days."}},
    unknowns="retentionInDays unknown: skipped with the SDK's advisory preview message.",
)
