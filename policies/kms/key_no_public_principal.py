"""KMS key policies grant nothing to everyone."""

from ..core.documents import public_statements
from ..core.rules import HIGH, RuleIds, resource_rule
from . import KEY


def _validate(res, report):
    for i in public_statements(res, "policy", report):
        report(f"Statement[{i}] allows every principal without a condition that restricts it to an organisation, "
               "account or source.")


LEVEL_REASON = ("A key policy open to every AWS principal lets anyone use the key to decrypt what it protects: the "
                "same exposure class as a public secret, so the same level (FSBP KMS.5).")

POLICY = resource_rule(
    name="aws-kms-key-no-public-principal",
    description="KMS key policies do not allow every principal unless a condition restricts them to an "
                "organisation, account or source.",
    types=(KEY,),
    validate=_validate,
    severity=HIGH,
    mandatory=True,
    remediation="Name the account root and the roles that use the key; use kms:ViaService / kms:CallerAccount "
                "conditions for service access.",
    ids=RuleIds(fsbp=("KMS.5",), checkov=("CKV_AWS_33",)),
    tags=["kms", "exposure"],
    unknowns="policy unknown: skipped with the SDK's advisory preview message.",
)
