"""Log groups are encrypted with a customer-managed KMS key."""

from ..core.resources import unset
from ..core.rules import LOW, RuleIds, resource_rule
from . import LOG_GROUP


def _validate(res, report):
    if unset(res, "kmsKeyId"):
        report("kmsKeyId is not set; log data is encrypted only with the service key.")


POLICY = resource_rule(
    name="aws-cloudwatch-loggroup-kms",
    description="CloudWatch log groups are encrypted with a customer-managed KMS key.",
    types=(LOG_GROUP,),
    validate=_validate,
    severity=LOW,
    remediation="Create a KMS key whose policy allows logs.<region>.amazonaws.com and pass its ARN as kmsKeyId.",
    ids=RuleIds(checkov=("CKV_AWS_158",), cdk_nag=("NIST.800.53.R5-CloudWatchLogGroupEncrypted",)),
    url="https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html",
    tags=["logs", "encryption"],
    unknowns="An unknown kmsKeyId (a key created in the same preview) counts as set; never skips.",
)
