"""Databases run in more than one Availability Zone (configurable per stack)."""

from ..core.resources import NotApplicable
from ..core.rules import MEDIUM, RuleIds, resource_rule
from ..core.values import as_bool
from . import INSTANCE


def _validate(res, report):
    if as_bool(res.config("required")) is False:
        raise NotApplicable("multi-AZ is not required in this stack (pack config)")
    if as_bool(res.get("multiAz")) is not True:
        report("multiAz is not true.")


POLICY = resource_rule(
    name="aws-rds-instance-multi-az",
    description="RDS instances are multi-AZ (required unless the stack config says otherwise).",
    types=(INSTANCE,),
    validate=_validate,
    severity=MEDIUM,
    remediation="Set multiAz: true in stacks that need to survive the loss of an Availability Zone.",
    ids=RuleIds(fsbp=("RDS.5",), cdk_nag=("AwsSolutions-RDS3",), checkov=("CKV_AWS_157",),
                awsguard=("rds-instance-multi-az-enabled",)),
    tags=["rds", "reliability"],
    config={"required": {"type": "boolean", "default": True, "description": "Whether this stack requires multi-AZ."}},
    unknowns="multiAz unknown: skipped with the SDK's advisory preview message.",
)
