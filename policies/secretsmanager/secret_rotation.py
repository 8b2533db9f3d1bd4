"""Every secret rotates automatically (stack rule)."""

from ..core.rules import MEDIUM, RuleIds, stack_rule
from . import ROTATION, SECRET


def _validate(stack, report):
    secrets = stack.of_type(SECRET)
    covered, undecided = set(), False
    for rotation in stack.of_type(ROTATION):
        found, unresolved = stack.resolve(rotation, "secretId", secrets, keys=("id", "arn", "name"))
        covered |= {s.urn for s in found}
        undecided = undecided or (unresolved and not found)
    if undecided:
        return
    for secret in secrets:
        if secret.urn not in covered:
            report(f"secret {secret.name!r} has no aws.secretsmanager.SecretRotation.", secret.urn)


POLICY = stack_rule(
    name="aws-secretsmanager-secret-rotation",
    description="Every Secrets Manager secret in the stack has automatic rotation.",
    types=(SECRET,),
    validate=_validate,
    severity=MEDIUM,
    remediation="Add an aws.secretsmanager.SecretRotation for the secret, or let RDS manage the master password "
                "(manageMasterUserPassword), which rotates it without a secret resource in the stack.",
    ids=RuleIds(fsbp=("SecretsManager.1",), cdk_nag=("AwsSolutions-SMG4",), checkov=("CKV2_AWS_57",)),
    tags=["secretsmanager", "rotation", "stack"],
    unknowns="Matches rotations by secretId value or property dependency. A rotation whose secretId is unknown "
             "without dependency information suppresses the findings (it may cover any secret).",
)
