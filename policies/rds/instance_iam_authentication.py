"""Databases accept IAM authentication."""

from ..core.resources import NotApplicable
from ..core.rules import LOW, RuleIds, resource_rule
from ..core.values import as_bool
from . import INSTANCE


def _validate(res, report):
    if as_bool(res.config("required")) is False:
        raise NotApplicable("IAM database authentication is not required in this stack (pack config)")
    if as_bool(res.get("iamDatabaseAuthenticationEnabled")) is not True:
        report("iamDatabaseAuthenticationEnabled is not true.")


POLICY = resource_rule(
    name="aws-rds-instance-iam-authentication",
    description="RDS instances enable IAM database authentication (advisory; configurable per stack).",
    types=(INSTANCE,),
    validate=_validate,
    severity=LOW,
    remediation="Set iamDatabaseAuthenticationEnabled: true and let applications use short-lived IAM tokens "
                "(rds-db:connect) instead of long-lived passwords.",
    ids=RuleIds(fsbp=("RDS.10",), checkov=("CKV_AWS_161",)),
    tags=["rds", "iam"],
    config={"required": {"type": "boolean", "default": True,
                         "description": "Whether this stack requires IAM database authentication."}},
    unknowns="iamDatabaseAuthenticationEnabled unknown: skipped with the SDK's advisory preview message.",
)
