"""Database storage is encrypted at rest."""

from ..core.resources import NotApplicable
from ..core.rules import CRITICAL, RuleIds, resource_rule
from ..core.values import as_bool
from . import CLUSTER, INSTANCE, NATIVE_CLUSTER, NATIVE_INSTANCE


def _validate(res, report):
    if res.type in (INSTANCE, NATIVE_INSTANCE) and str(res.peek("engine") or "").lower().startswith("aurora"):
        raise NotApplicable("an Aurora instance's storage belongs to its cluster (aws.rds.Cluster is judged)")
    encrypted = as_bool(res.get("storageEncrypted"))
    if encrypted is None and (res.peek("replicateSourceDb") or res.peek("replicationSourceIdentifier")
                              or res.peek("sourceDbInstanceIdentifier") or res.peek("sourceDbClusterIdentifier")):
        raise NotApplicable("a read replica inherits its source's encryption")
    if encrypted is None and res.type in (CLUSTER, NATIVE_CLUSTER) and str(res.peek("engineMode") or "").lower() == "serverless":
        return  # Aurora Serverless v1 clusters are always encrypted (the provider's default is true)
    if encrypted is not True:
        report("storageEncrypted is not true. Encryption can only be chosen at creation (or via an encrypted "
               "snapshot copy).")


LEVEL_REASON = ("Unencrypted storage and snapshots expose data at rest, and encryption cannot be added later without "
                "a copy (FSBP RDS.3 Medium, raised for data exposure).")

POLICY = resource_rule(
    name="aws-rds-instance-storage-encrypted",
    description="RDS instances and Aurora clusters encrypt their storage at rest.",
    types=(INSTANCE, CLUSTER, NATIVE_INSTANCE, NATIVE_CLUSTER),
    validate=_validate,
    severity=CRITICAL,
    mandatory=True,
    remediation="Set storageEncrypted: true (optionally kmsKeyId for a customer-managed key).",
    ids=RuleIds(fsbp=("RDS.3", "RDS.27"), cdk_nag=("AwsSolutions-RDS2",), checkov=("CKV_AWS_16",),
                awsguard=("rds-storage-encrypted", "aws-rds-instance-disallow-unencrypted-storage")),
    tags=["rds", "encryption"],
    unknowns="storageEncrypted unknown: skipped with the SDK's advisory preview message.",
)
