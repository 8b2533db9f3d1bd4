"""SNS topics are encrypted at rest with a KMS key."""

from ..core.rules import MEDIUM, RuleIds, report_if_unset, resource_rule
from . import TOPIC

POLICY = resource_rule(
    name="aws-sns-topic-kms",
    description="SNS topics are encrypted at rest with a KMS key.",
    types=(TOPIC,),
    validate=report_if_unset("kmsMasterKeyId",
                             "kmsMasterKeyId is not set; the topic's messages are stored unencrypted."),
    severity=MEDIUM,
    remediation=("Set kmsMasterKeyId to a customer-managed key whose policy lets the publishers use it (for "
                 "CloudWatch alarms: cloudwatch.amazonaws.com with kms:Decrypt and kms:GenerateDataKey*)."),
    ids=RuleIds(fsbp=("SNS.1",), cdk_nag=("AwsSolutions-SNS2",), checkov=("CKV_AWS_26",)),
    url="https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html",
    tags=["sns", "encryption"],
    unknowns="An unknown kmsMasterKeyId (a key created in the same preview) counts as set; never skips.",
)
