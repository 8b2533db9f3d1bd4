"""Every database's parameter group forces TLS (stack rule)."""

import re

from ..core.rules import MEDIUM, RuleIds, stack_rule
from ..core.values import as_bool, as_list, is_unknown, raise_unknown
from . import INSTANCE, PARAMETER_GROUP

_TLS_PARAMS = {"mysql": ("require_secure_transport", {"1", "on", "true"}),
               "mariadb": ("require_secure_transport", {"1", "on", "true"}),
               "postgres": ("rds.force_ssl", {"1", "on", "true"})}


def _family(engine):
    engine = str(engine or "mysql").lower()
    return next((k for k in _TLS_PARAMS if engine.startswith(k)), None)


def _major(version):
    """The leading integer of an engine version or parameter group family ("16.3" -> 16, "postgres16" -> 16)."""
    match = re.search(r"(\d+)", version) if isinstance(version, str) else None
    return int(match.group(1)) if match else None


def tls_by_default(family, *versions):
    """PostgreSQL 15 and later set rds.force_ssl=1 in their default parameter groups."""
    return family == "postgres" and any((_major(v) or 0) >= 15 for v in versions)


def requires_tls(group, family, default=False):
    name, values = _TLS_PARAMS[family]
    params = group.peek("parameters")
    if is_unknown(params):
        return None
    for p in as_list(params):
        if isinstance(p, dict) and isinstance(p.get("name"), str) and p["name"].strip().lower() == name:
            value = p.get("value")
            if is_unknown(value):
                return None
            flag = as_bool(value)  # "1", "ON", "true", and 1.0 when sent as a number
            return flag is True if flag is not None else str(value).strip().lower() in values
    return default or tls_by_default(family, group.peek("family"))


def _validate(stack, report):
    groups = stack.of_type(PARAMETER_GROUP)
    undecided = None
    for db in stack.of_type(INSTANCE):
        family = _family(db.peek("engine"))
        if family is None:
            continue
        tls_param = _TLS_PARAMS[family][0]
        found, unresolved = stack.resolve(db, "parameterGroupName", groups, keys=("name", "id"))
        name = db.peek("parameterGroupName")
        default = tls_by_default(family, db.peek("engineVersion"))
        if found:
            for group in found:
                verdict = requires_tls(group, family, default)
                if verdict is None:
                    undecided = f"{group.name}.parameters"
                elif not verdict:
                    report(f"parameter group {group.name!r} of database {db.name!r} does not set {tls_param} "
                           "to ON/1.", db.urn)
        elif unresolved:
            undecided = f"{db.name}.parameterGroupName"
        elif (not name or (isinstance(name, str) and name.startswith("default."))) and \
                not tls_by_default(family, db.peek("engineVersion"), name):
            report(f"database {db.name!r} uses the default parameter group, which does not force TLS; attach a "
                   f"parameter group with {tls_param}=ON.", db.urn)
    if undecided:
        raise_unknown([undecided])


POLICY = stack_rule(
    name="aws-rds-parametergroup-require-tls",
    description="Every MySQL, MariaDB or PostgreSQL instance uses a parameter group that requires TLS "
                "(require_secure_transport / rds.force_ssl).",
    types=(INSTANCE,),
    validate=_validate,
    severity=MEDIUM,
    remediation="Create an aws.rds.ParameterGroup with require_secure_transport=ON (MySQL/MariaDB) or "
                "rds.force_ssl=1 (PostgreSQL) and set the instance's parameterGroupName to it.",
    ids=RuleIds(checkov=("CKV2_AWS_69",)),
    url="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/mysql-ssl-connections.html",
    tags=["rds", "encryption-in-transit", "stack"],
    unknowns="Follows parameterGroupName by value or property dependency. A group named but not in the stack "
             "(managed elsewhere) is not judged. Unknown parameters or an unfollowable reference: skipped with the "
             "SDK's advisory preview message after any definite finding.",
)
