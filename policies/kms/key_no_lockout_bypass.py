"""KMS keys keep the policy lockout safety check."""

from ..core.rules import MEDIUM, RuleIds, resource_rule
from ..core.values import as_bool
from . import KEY


def _validate(res, report):
    if as_bool(res.get("bypassPolicyLockoutSafetyCheck")) is True:
        report("bypassPolicyLockoutSafetyCheck is true; a bad key policy could lock everyone out of the key.")


POLICY = resource_rule(
    name="aws-kms-key-no-lockout-bypass",
    description="KMS keys do not bypass the policy lockout safety check.",
    types=(KEY,),
    validate=_validate,
    severity=MEDIUM,
    remediation="Remove bypassPolicyLockoutSafetyCheck (false by default).",
    ids=RuleIds(awsguard=("aws-kms-key-disallow-bypass-policy-lockout-safety-check",)),
    url="https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html",
    tags=["kms", "reliability"],
    unknowns="bypassPolicyLockoutSafetyCheck unknown: skipped with the SDK's advisory preview message.",
)
