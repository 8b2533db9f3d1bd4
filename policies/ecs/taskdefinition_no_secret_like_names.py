"""Environment variables whose names suggest a secret are reviewed (fuzzy findings)."""

import re

from ..core.containers import container_label, containers_or_skip
from ..core.rules import MEDIUM, RuleIds, resource_rule
from ..core.values import as_list
from ..readers.secrets import FUZZY, Finding, classify
from . import ALLOWED_NAMES_SCHEMA, TASK_DEFINITION, allowed_names


def _extra(name, patterns):
    for pattern in patterns:
        try:
            if isinstance(pattern, str) and isinstance(name, str) and re.search(pattern, name, re.I):
                return True
        except re.error:
            continue  # a broken pattern in the stack config matches nothing
    return False


def _validate(res, report):
    allowed = allowed_names(res)
    patterns = as_list(res.config("extraNamePatterns"))
    for i, c in enumerate(containers_or_skip(res)):
        for entry in as_list(c.get("environment")):
            if not isinstance(entry, dict):
                continue
            name = entry.get("name")
            found = classify(name, entry.get("value"))
            if found is None and _extra(name, patterns):
                found = Finding(FUZZY, "its name matches the stack's extraNamePatterns")
            if found is None or found.confidence != FUZZY or (isinstance(name, str) and name.upper() in allowed):
                continue
            report(f"{container_label(c, i)} passes {name!r} in plain environment and {found.why}. Move it to "
                   "\"secrets\", or list it in allowedNames with the reason it is not a secret.")


POLICY = resource_rule(
    name="aws-ecs-taskdefinition-no-secret-like-names",
    description="ECS container environment variables whose names suggest a secret (KEY, AUTH, SALT...) are moved "
                "to \"secrets\" or listed with a reason.",
    types=(TASK_DEFINITION,),
    validate=_validate,
    severity=MEDIUM,
    remediation="Move the value to \"secrets\" with valueFrom, or add {name, reason} to allowedNames in the "
                "stack's pack config.",
    ids=RuleIds(fsbp=("ECS.8",), cdk_nag=("AwsSolutions-ECS2",)),
    tags=["ecs", "secrets"],
    config={"allowedNames": ALLOWED_NAMES_SCHEMA,
            "extraNamePatterns": {"type": "array", "items": {"type": "string"}, "default": [],
                                  "description": "Extra case-insensitive regexes for secret-like variable names."}},
    unknowns="containerDefinitions unknown: skipped with the SDK's advisory preview message.",
)
