"""Databases keep automated backups long enough."""

from ..core.resources import NotApplicable
from ..core.rules import MEDIUM, RuleIds, resource_rule
from ..core.values import as_int
from . import CLUSTER, INSTANCE


def _validate(res, report):
    if res.type == INSTANCE and res.peek("replicateSourceDb"):
        raise NotApplicable("read replicas take no automated backups of their own")
    days = as_int(res.get("backupRetentionPeriod"))
    minimum = as_int(res.config("minRetentionDays"))
    shown = days if days is not None else "unset (1 day by default)"
    if (days if days is not None else 1) < minimum:
        report(f"backupRetentionPeriod is {shown}; this stack requires at least {minimum} days.")


POLICY = resource_rule(
    name="aws-rds-instance-backup-retention",
    description="RDS instances and DB clusters (Aurora, Multi-AZ) keep automated backups for at least the "
                "configured number of days.",
    types=(INSTANCE, CLUSTER),
    validate=_validate,
    severity=MEDIUM,
    remediation="Set backupRetentionPeriod to at least minRetentionDays (7 by default; up to 35).",
    ids=RuleIds(fsbp=("RDS.11",), cdk_nag=("AwsSolutions-RDS13",), checkov=("CKV_AWS_133",),
                awsguard=("rds-instance-backup-enabled", "aws-rds-instance-configure-backup-retention")),
    tags=["rds", "backup"],
    config={"minRetentionDays": {"type": "integer", "minimum": 1, "maximum": 35, "default": 7,
                                 "description": "Minimum backup retention in days."}},
    unknowns="backupRetentionPeriod unknown: skipped with the SDK's advisory preview message.",
)
