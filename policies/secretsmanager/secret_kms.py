"""Secrets are encrypted with a customer-managed KMS key."""

from ..core.rules import LOW, RuleIds, report_if_unset, resource_rule
from . import SECRET

POLICY = resource_rule(
    name="aws-secretsmanager-secret-kms",
    description="Secrets Manager secrets are encrypted with a customer-managed KMS key.",
    types=(SECRET,),
    validate=report_if_unset("kmsKeyId",
                             "kmsKeyId is not set; the secret uses the AWS-managed key aws/secretsmanager."),
    severity=LOW,
    remediation="Pass kmsKeyId with a customer-managed key and allow the readers kms:Decrypt on it.",
    ids=RuleIds(checkov=("CKV_AWS_149",), cdk_nag=("NIST.800.53.R5-SecretsManagerUsingKMSKey",),
                awsguard=("aws-secretsmanager-secret-configure-customer-managed-key",)),
    url="https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html",
    tags=["secretsmanager", "encryption"],
    unknowns="An unknown kmsKeyId counts as set; never skips.",
)
