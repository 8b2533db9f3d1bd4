"""Databases are protected from deletion (configurable per stack)."""

from ..core.resources import NotApplicable
from ..core.rules import MEDIUM, RuleIds, resource_rule
from ..core.values import as_bool
from . import CLUSTER, INSTANCE


def _validate(res, report):
    if as_bool(res.config("required")) is False:
        raise NotApplicable("deletion protection is not required in this stack (pack config)")
    if as_bool(res.get("deletionProtection")) is not True:
        report("deletionProtection is not true.")


def _fix(res):
    if as_bool(res.config("required")) is False or as_bool(res.get("deletionProtection")) is True:
        return None
    return {"deletionProtection": True}


POLICY = resource_rule(
    name="aws-rds-instance-deletion-protection",
    description="RDS instances and DB clusters have deletion protection (required unless the stack config says "
                "otherwise).",
    types=(INSTANCE, CLUSTER),
    validate=_validate,
    fix=_fix,
    severity=MEDIUM,
    remediation="Set deletionProtection: true (and a final snapshot) in stacks that hold real data.",
    ids=RuleIds(fsbp=("RDS.8",), cdk_nag=("AwsSolutions-RDS10",), checkov=("CKV_AWS_293",)),
    tags=["rds", "reliability"],
    config={"required": {"type": "boolean", "default": True,
                         "description": "Whether this stack requires deletion protection."}},
    unknowns="deletionProtection unknown: skipped with the SDK's advisory preview message.",
)
