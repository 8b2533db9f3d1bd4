"""Load balancers are protected from deletion (configurable per stack)."""

from ..core.resources import NotApplicable
from ..core.rules import LOW, RuleIds, resource_rule
from ..core.values import as_bool
from . import LB_TYPES


def _validate(res, report):
    if as_bool(res.config("required")) is False:
        raise NotApplicable("deletion protection is not required in this stack (pack config)")
    if as_bool(res.get("enableDeletionProtection")) is not True:
        report("enableDeletionProtection is not true.")


def _fix(res):
    if as_bool(res.config("required")) is False or as_bool(res.get("enableDeletionProtection")) is True:
        return None
    return {"enableDeletionProtection": True}


POLICY = resource_rule(
    name="aws-lb-loadbalancer-deletion-protection",
    description="Load balancers have deletion protection (required unless the stack config says otherwise).",
    types=LB_TYPES,
    validate=_validate,
    fix=_fix,
    severity=LOW,
    remediation="Set enableDeletionProtection: true (turn it off deliberately before tearing the stack down).",
    ids=RuleIds(fsbp=("ELB.6",), checkov=("CKV_AWS_150",),
                cdk_nag=("NIST.800.53.R5-ELBDeletionProtectionEnabled",),
                awsguard=("elb-deletion-protection-enabled",)),
    tags=["lb", "reliability"],
    config={"required": {"type": "boolean", "default": True,
                         "description": "Whether this stack requires deletion protection on load balancers."}},
    unknowns="enableDeletionProtection unknown: skipped with the SDK's advisory preview message.",
)
