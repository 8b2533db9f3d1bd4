"""Databases take minor engine upgrades automatically."""

from ..core.rules import LOW, RuleIds, resource_rule
from ..core.values import as_bool
from . import INSTANCE


def _validate(res, report):
    if as_bool(res.get("autoMinorVersionUpgrade")) is False:
        report("autoMinorVersionUpgrade is false; security patches in minor versions are not applied.")


POLICY = resource_rule(
    name="aws-rds-instance-auto-minor-upgrade",
    description="RDS instances have automatic minor version upgrades enabled.",
    types=(INSTANCE,),
    validate=_validate,
    severity=LOW,
    remediation="Remove autoMinorVersionUpgrade (true by default) or set it to true; pin the major version only.",
    ids=RuleIds(fsbp=("RDS.13",), checkov=("CKV_AWS_226",),
                cdk_nag=("HIPAA.Security-RDSAutomaticMinorVersionUpgradeEnabled",)),
    tags=["rds", "patching"],
    unknowns="autoMinorVersionUpgrade unknown: skipped with the SDK's advisory preview message.",
)
