"""Databases do not use a well-known admin user name."""

from ..core.rules import LOW, RuleIds, resource_rule
from ..core.values import as_list
from . import INSTANCE


def _validate(res, report):
    user = res.get("username")
    if user is None:
        return
    forbidden = {u.lower() for u in as_list(res.config("forbiddenUsernames")) if isinstance(u, str)}
    if isinstance(user, str) and user.lower() in forbidden:
        report(f"the master user name is {user!r}, a well-known default. Choose another (e.g. \"appadmin\").")


POLICY = resource_rule(
    name="aws-rds-instance-custom-admin-username",
    description="RDS instances use a master user name other than well-known defaults such as admin.",
    types=(INSTANCE,),
    validate=_validate,
    severity=LOW,
    remediation="Set username to a non-default name; changing it requires a new instance.",
    ids=RuleIds(fsbp=("RDS.25",)),
    tags=["rds", "hygiene"],
    config={"forbiddenUsernames": {"type": "array", "items": {"type": "string"},
                                   "default": ["admin", "administrator", "root", "sa", "master"],
                                   "description": "Master user names that are not allowed."}},
    unknowns="username unknown: skipped with the SDK's advisory preview message.",
)
