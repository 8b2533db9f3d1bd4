"""IAM policies do not allow decryption with every KMS key."""

from ..core.rules import MEDIUM, RuleIds, resource_rule
from ..core.values import raise_unknown
from ..readers.iam import covers_actions
from . import DECRYPT_ACTIONS, IAM_DOC_TYPES, permission_statements, sensitive_grants


def _validate(res, report):
    found, unknown = permission_statements(res)
    for label, hits in sensitive_grants(found, DECRYPT_ACTIONS, lambda a: covers_actions([a]) or a.endswith(":*")):
        report(f"{label} allows {hits} on every KMS key; name the key ARNs.")
    if unknown:
        raise_unknown([unknown])


POLICY = resource_rule(
    name="aws-iam-policy-no-kms-decrypt-all-keys",
    description="IAM policies do not allow kms:Decrypt or kms:ReEncryptFrom on all KMS keys.",
    types=IAM_DOC_TYPES,
    validate=_validate,
    severity=MEDIUM,
    remediation="List the key ARNs in Resource (or use a kms:ViaService condition with specific keys).",
    ids=RuleIds(fsbp=("KMS.1", "KMS.2"), cdk_nag=("AwsSolutions-IAM5",)),
    url="https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html#kms-2",
    tags=["iam", "kms", "least-privilege"],
    unknowns="As aws-iam-policy-no-admin-access; service wildcards (kms:*) are left to "
             "aws-iam-policy-no-service-wildcards.",
)
