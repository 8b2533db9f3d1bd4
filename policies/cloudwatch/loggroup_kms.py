"""Log groups are encrypted with a customer-managed KMS key."""

from ..core.rules import LOW, RuleIds, report_if_unset, resource_rule
from . import LOG_GROUP

POLICY = resource_rule(
    name="aws-cloudwatch-loggroup-kms",
    description="CloudWatch log groups are encrypted with a customer-managed KMS key.",
    types=(LOG_GROUP,),
    validate=report_if_unset("kmsKeyId",
                             "kmsKeyId is not set; log data is encrypted only with the service key."),
    severity=LOW,
    remediation="Create a KMS key whose policy allows logs.<region>.amazonaws.com and pass its ARN as kmsKeyId.",
    ids=RuleIds(checkov=("CKV_AWS_158",), cdk_nag=("NIST.800.53.R5-CloudWatchLogGroupEncrypted",)),
    url="https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html",
    tags=["logs", "encryption"],
    unknowns="An unknown kmsKeyId (a key created in the same preview) counts as set; never skips.",
)
