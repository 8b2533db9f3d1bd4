"""Database snapshots carry the instance's tags."""

from ..core.rules import LOW, RuleIds, resource_rule
from ..core.values import as_bool
from . import INSTANCE


def _validate(res, report):
    if as_bool(res.get("copyTagsToSnapshot")) is not True:
        report("copyTagsToSnapshot is not true.")


POLICY = resource_rule(
    name="aws-rds-instance-copy-tags-to-snapshot",
    description="RDS instances copy their tags to snapshots.",
    types=(INSTANCE,),
    validate=_validate,
    severity=LOW,
    remediation="Set copyTagsToSnapshot: true.",
    ids=RuleIds(fsbp=("RDS.17",), checkov=("CKV2_AWS_60",)),
    tags=["rds", "hygiene"],
    unknowns="copyTagsToSnapshot unknown: skipped with the SDK's advisory preview message.",
)
