"""Databases publish enhanced monitoring metrics (configurable per stack)."""

from ..core.resources import NotApplicable
from ..core.rules import LOW, RuleIds, resource_rule
from ..core.values import as_bool, as_int
from . import INSTANCE


def _validate(res, report):
    if as_bool(res.config("required")) is False:
        raise NotApplicable("enhanced monitoring is not required in this stack (pack config)")
    interval = as_int(res.get("monitoringInterval"))
    if not interval:
        report("monitoringInterval is 0 or unset; set it to 60 seconds or less with a monitoringRoleArn.")


POLICY = resource_rule(
    name="aws-rds-instance-enhanced-monitoring",
    description="RDS instances enable enhanced monitoring (required unless the stack config says otherwise).",
    types=(INSTANCE,),
    validate=_validate,
    severity=LOW,
    remediation="Set monitoringInterval (e.g. 60) and monitoringRoleArn to a role with the "
                "AmazonRDSEnhancedMonitoringRole policy.",
    ids=RuleIds(fsbp=("RDS.6",), checkov=("CKV_AWS_118",), cdk_nag=("NIST.800.53.R5-RDSEnhancedMonitoringEnabled",)),
    tags=["rds", "monitoring"],
    config={"required": {"type": "boolean", "default": True,
                         "description": "Whether this stack requires enhanced monitoring."}},
    unknowns="monitoringInterval unknown: skipped with the SDK's advisory preview message.",
)
