"""ECR repositories encrypt images with KMS."""

from ..core.rules import LOW, RuleIds, resource_rule
from ..core.values import as_bool, as_list, dig, is_unknown, raise_unknown
from . import REPOSITORY


def _validate(res, report):
    configs = as_list(res.get("encryptionConfigurations"))
    kind = dig(configs, 0, "encryptionType")
    if is_unknown(kind):
        raise_unknown(["encryptionConfigurations", 0, "encryptionType"])
    if not (isinstance(kind, str) and kind.upper().startswith("KMS")):
        report(f"encryptionConfigurations.encryptionType is {kind or 'AES256 (the default)'}; use KMS.")
        return
    if as_bool(res.config("requireCustomerManagedKey")) and not dig(configs, 0, "kmsKey"):
        report("encryptionType is KMS with the AWS-managed key; this stack requires a customer-managed kmsKey.")


POLICY = resource_rule(
    name="aws-ecr-repository-kms-encryption",
    description="ECR repositories encrypt images with KMS (optionally a customer-managed key).",
    types=(REPOSITORY,),
    validate=_validate,
    severity=LOW,
    remediation="Set encryptionConfigurations [{encryptionType: \"KMS\", kmsKey: <key ARN>}]. Encryption can "
                "only be chosen when the repository is created.",
    ids=RuleIds(checkov=("CKV_AWS_136",), awsguard=("aws-ecr-repository-disallow-unencrypted-repository",
                                                    "aws-ecr-repository-configure-customer-managed-key")),
    url="https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html",
    tags=["ecr", "encryption"],
    config={"requireCustomerManagedKey": {"type": "boolean", "default": False,
                                          "description": "Also require an explicit customer-managed kmsKey."}},
    unknowns="encryptionType unknown: skipped with the SDK's advisory preview message; an unknown kmsKey counts "
             "as set.",
)
