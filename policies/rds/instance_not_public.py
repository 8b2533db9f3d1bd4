"""Databases are not reachable from the internet."""

from ..core.rules import CRITICAL, RuleIds, resource_rule
from ..core.values import as_bool
from . import CLUSTER, CLUSTER_INSTANCE, INSTANCE, NATIVE_CLUSTER, NATIVE_INSTANCE


def _validate(res, report):
    if as_bool(res.get("publiclyAccessible")) is True:
        report("publiclyAccessible is true. Set it to false and keep the database in isolated subnets.")


LEVEL_REASON = "A public database endpoint is a direct data exposure (FSBP RDS.2 Critical)."

POLICY = resource_rule(
    name="aws-rds-instance-not-public",
    description="RDS instances, Aurora cluster instances and Multi-AZ DB clusters are not publicly accessible.",
    types=(INSTANCE, CLUSTER_INSTANCE, CLUSTER, NATIVE_INSTANCE, NATIVE_CLUSTER),
    validate=_validate,
    severity=CRITICAL,
    mandatory=True,
    remediation="Set publiclyAccessible: false; reach the database from the tasks' security group only.",
    ids=RuleIds(fsbp=("RDS.2",), checkov=("CKV_AWS_17",), cdk_nag=("NIST.800.53.R5-RDSInstancePublicAccess",),
                awsguard=("rds-instance-public-access", "aws-rds-instance-disallow-public-access")),
    tags=["rds", "exposure"],
    unknowns="publiclyAccessible unknown: skipped with the SDK's advisory preview message.",
)
