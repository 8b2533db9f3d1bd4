"""Databases are not reachable from the internet."""

from ..common import CRITICAL, RuleIds, as_bool, resource_rule

INSTANCE = "aws:rds/instance:Instance"
CLUSTER = "aws:rds/cluster:Cluster"
CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"


def _validate(res, report):
    if as_bool(res.get("publiclyAccessible")) is True:
        report("publiclyAccessible is true. Set it to false and keep the instance in isolated subnets.")


POLICY = resource_rule(
    name="aws-rds-instance-not-public",
    description="RDS instances and Aurora cluster instances are not publicly accessible.",
    types=(INSTANCE, CLUSTER_INSTANCE),
    validate=_validate,
    severity=CRITICAL,
    mandatory=True,
    remediation="Set publiclyAccessible: false; reach the database from the tasks' security group only.",
    ids=RuleIds(fsbp=("RDS.2",), checkov=("CKV_AWS_17",), cdk_nag=("NIST.800.53.R5-RDSInstancePublicAccess",),
                awsguard=("rds-instance-public-access", "aws-rds-instance-disallow-public-access")),
    tags=["rds", "exposure"],
    unknowns="publiclyAccessible unknown: skipped with the SDK's advisory preview message.",
)
