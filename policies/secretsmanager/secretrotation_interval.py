"""Secrets rotate at least every N days."""

import re

from ..core.rules import MEDIUM, RuleIds, resource_rule
from ..core.values import as_int

_RATE = re.compile(r"^rate\(\s*(\d+)\s+(day|days|hour|hours)\s*\)$", re.I)


def _validate(res, report):
    maximum = as_int(res.config("maxDays"))
    days = as_int(res.get("rotationRules", "automaticallyAfterDays"))
    if days is None:
        expression = res.get("rotationRules", "scheduleExpression")
        if not isinstance(expression, str):
            report("rotationRules sets neither automaticallyAfterDays nor scheduleExpression.")
            return
        match = _RATE.match(expression.strip())
        if not match:
            return  # a cron() schedule: its interval is not derived here
        days = int(match.group(1)) if match.group(2).lower().startswith("day") else 1
    if days > maximum:
        report(f"the secret rotates every {days} days; rotate at least every {maximum} days.")


POLICY = resource_rule(
    name="aws-secretsmanager-secretrotation-interval",
    description="Secrets Manager rotations run at least every maxDays days (90 by default).",
    types=("aws:secretsmanager/secretRotation:SecretRotation",),
    validate=_validate,
    severity=MEDIUM,
    remediation="Set rotationRules.automaticallyAfterDays (or a rate() schedule) to at most maxDays.",
    ids=RuleIds(fsbp=("SecretsManager.4",), checkov=("CKV_AWS_304",)),
    tags=["secretsmanager", "rotation"],
    config={"maxDays": {"type": "integer", "minimum": 1, "default": 90,
                        "description": "Longest allowed rotation interval in days."}},
    unknowns="automaticallyAfterDays or scheduleExpression unknown: skipped with the SDK's advisory preview "
             "message.",
)
