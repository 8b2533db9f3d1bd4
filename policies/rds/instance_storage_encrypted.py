"""Database storage is encrypted at rest."""

from ..common import CRITICAL, NotApplicable, RuleIds, as_bool, resource_rule
from .instance_not_public import INSTANCE


def _validate(res, report):
    encrypted = as_bool(res.get("storageEncrypted"))
    if encrypted is None and res.peek("replicateSourceDb"):
        raise NotApplicable("a read replica inherits its source's encryption")
    if encrypted is not True:
        report("storageEncrypted is not true. Encryption can only be chosen at creation (or via an encrypted "
               "snapshot copy).")


POLICY = resource_rule(
    name="aws-rds-instance-storage-encrypted",
    description="RDS instances encrypt their storage at rest.",
    types=(INSTANCE,),
    validate=_validate,
    severity=CRITICAL,
    mandatory=True,
    remediation="Set storageEncrypted: true (optionally kmsKeyId for a customer-managed key).",
    ids=RuleIds(fsbp=("RDS.3",), cdk_nag=("AwsSolutions-RDS2",), checkov=("CKV_AWS_16",),
                awsguard=("rds-storage-encrypted", "aws-rds-instance-disallow-unencrypted-storage")),
    tags=["rds", "encryption"],
    unknowns="storageEncrypted unknown: skipped with the SDK's advisory preview message.",
)
