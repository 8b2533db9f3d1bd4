"""IAM policies do not grant whole services ("s3:*") without a recorded reason."""

from ..core.documents import actions, allows, resources_of
from ..core.rules import MEDIUM, RuleIds, resource_rule
from ..core.values import as_list, raise_unknown
from ..readers.iam import grants_everything_on_all
from . import IAM_DOC_TYPES, permission_statements


def _validate(res, report):
    allowed = res.config("allowedWildcardActions") or {}
    found, unknown = permission_statements(res)
    for label, st in found:
        if not allows(st) or grants_everything_on_all(st):
            continue  # administrator access is aws-iam-policy-no-admin-access
        not_actions = [a for a in as_list(st.get("NotAction")) if isinstance(a, str)]
        if not_actions:
            report(f"{label} allows every action except {not_actions} (Allow with NotAction) on "
                   f"{resources_of(st)}. List the allowed actions instead.")
        for action in actions(st):
            if action in ("*", "*:*"):
                report(f"{label} allows every action (\"*\") on {resources_of(st)}.")
            elif action.endswith(":*") and action not in allowed:
                report(f"{label} allows {action!r}, every action of the service. List the actions needed, or "
                       "record the wildcard with a reason in allowedWildcardActions.")
    if unknown:
        raise_unknown([unknown])


POLICY = resource_rule(
    name="aws-iam-policy-no-service-wildcards",
    description="IAM policies grant no service-wide wildcard actions (\"<service>:*\"), and no Allow with "
                "NotAction, unless the stack config records a reason for that action.",
    types=IAM_DOC_TYPES,
    validate=_validate,
    severity=MEDIUM,
    remediation="Replace \"<service>:*\" with the specific actions; if a wildcard is truly needed, add it to "
                "allowedWildcardActions with the reason.",
    ids=RuleIds(fsbp=("IAM.21",), cdk_nag=("AwsSolutions-IAM5",), checkov=("CKV_AWS_63", "CKV_AWS_49")),
    tags=["iam", "least-privilege"],
    config={"allowedWildcardActions": {
        "type": "object", "additionalProperties": {"type": "string", "minLength": 10}, "default": {},
        "description": "Service wildcards (e.g. \"logs:*\") allowed in this stack, each mapped to its reason."}},
    unknowns="As aws-iam-policy-no-admin-access.",
)
