"""Symmetric KMS keys rotate their key material."""

from ..core.resources import NotApplicable
from ..core.rules import MEDIUM, RuleIds, resource_rule
from ..core.values import as_bool
from . import KEY


def _validate(res, report):
    spec = res.peek("customerMasterKeySpec") or res.peek("keySpec")
    usage = res.peek("keyUsage")
    if (isinstance(spec, str) and spec != "SYMMETRIC_DEFAULT") or (isinstance(usage, str) and
                                                                   usage != "ENCRYPT_DECRYPT"):
        raise NotApplicable("only symmetric encryption keys support automatic rotation")
    if as_bool(res.get("enableKeyRotation")) is not True:
        report("enableKeyRotation is not true.")


POLICY = resource_rule(
    name="aws-kms-key-rotation",
    description="Symmetric customer-managed KMS keys have automatic key rotation enabled.",
    types=(KEY,),
    validate=_validate,
    severity=MEDIUM,
    remediation="Set enableKeyRotation: true (optionally rotationPeriodInDays).",
    ids=RuleIds(fsbp=("KMS.4",), cdk_nag=("AwsSolutions-KMS5",), checkov=("CKV_AWS_7",),
                awsguard=("cmk-backing-key-rotation-enabled", "aws-kms-key-enable-key-rotation")),
    tags=["kms", "encryption"],
    unknowns="enableKeyRotation unknown: skipped with the SDK's advisory preview message; unknown key spec or "
             "usage counts as symmetric.",
)
