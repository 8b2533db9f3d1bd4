"""No secret travels in a container's plain environment."""

import re

from ..common import CRITICAL, RuleIds, as_list, container_label, containers_or_skip, resource_rule
from . import TASK_DEFINITION

# Names AWS Security Hub ECS.8 names explicitly.
_AWS_NAMES = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "ECS_ENGINE_AUTH_DATA"}
_SECRET_WORDS = {"password", "passwd", "pwd", "pass", "secret", "secrets", "token", "tokens", "credential",
                 "credentials", "creds", "passphrase", "apikey", "privatekey", "key"}
# A secret word followed by one of these names a reference to a secret, not the secret itself
# (DB_SECRET_ARN, KMS_KEY_ID, PASSWORD_FILE, TOKEN_TTL). The AWS names above are checked first.
_REFERENCE_NEXT = {"id", "arn", "arns", "name", "alias", "path", "file", "region", "prefix", "ttl", "version",
                   "ref", "uri"}
# "<word>_KEY" names that are not credentials: public keys and data/index keys.
_NOT_SECRET_KEYS = {"public", "sort", "partition", "primary", "foreign", "hash", "range", "cache", "object",
                    "idempotency", "lookup", "index", "routing", "s3"}
_VALUE_PATTERNS = (
    re.compile(r"^(?=[^\s]*[A-Z])(?=[^\s]*[a-z])(?=[^\s]*[0-9])[A-Za-z0-9/+]{40}$"),  # AWS secret access key
    re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),                    # AWS access key id
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),            # PEM private key
    re.compile(r"^[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@", re.I),  # URL with user:password@
)


def _tokens(name):
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return [t for t in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if t]


def secret_name(name, extra_patterns=()):
    """True if an environment variable name looks like it holds a secret."""
    if name.upper() in _AWS_NAMES:
        return True
    tokens = _tokens(name)
    if tokens and tokens[-1] in _REFERENCE_NEXT:
        return any(_search(p, name) for p in extra_patterns)  # DB_PASSWORD_SECRET_ARN names where the secret is
    for i, t in enumerate(tokens):
        if t == "key" and i > 0 and tokens[i - 1] in _NOT_SECRET_KEYS:
            continue  # a public key, or a data key such as SORT_KEY, is not a secret
        if t in _SECRET_WORDS and (i + 1 == len(tokens) or tokens[i + 1] not in _REFERENCE_NEXT):
            return True
    joined = "".join(tokens)
    if ("apikey" in joined or "privatekey" in joined) and not tokens[-1] in _REFERENCE_NEXT:
        return True
    return any(_search(p, name) for p in extra_patterns)


def _search(pattern, name):
    try:
        return isinstance(pattern, str) and re.search(pattern, name, re.I) is not None
    except re.error:
        return False  # a broken pattern in the stack config matches nothing


def secret_value(value):
    return isinstance(value, str) and any(p.search(value) for p in _VALUE_PATTERNS)


def _validate(res, report):
    allowed = {n.upper() for n in as_list(res.config("allowedNames")) if isinstance(n, str)}
    extra = as_list(res.config("extraNamePatterns"))
    for i, c in enumerate(containers_or_skip(res)):
        for entry in as_list(c.get("environment")):
            if not isinstance(entry, dict):
                continue
            name, value = entry.get("name"), entry.get("value")
            if not isinstance(name, str) or name.upper() in allowed:
                continue
            if secret_name(name, extra):
                report(f"{container_label(c, i)} passes {name!r} in plain environment. Move it to \"secrets\" "
                       "with valueFrom pointing at a Secrets Manager secret or SSM SecureString ARN.")
            elif secret_value(value):
                report(f"{container_label(c, i)} environment {name!r} holds a value that looks like a credential. "
                       "Move it to \"secrets\" with valueFrom.")


LEVEL_REASON = ("A secret in the task environment is readable by anyone with ecs:DescribeTaskDefinition and lands in "
                "state and logs (FSBP ECS.8 High).")

POLICY = resource_rule(
    name="aws-ecs-taskdefinition-no-plaintext-secrets",
    description="ECS containers take secrets through \"secrets\" with valueFrom, never as plain environment "
                "variables.",
    types=(TASK_DEFINITION,),
    validate=_validate,
    severity=CRITICAL,
    mandatory=True,
    remediation="Store the value in Secrets Manager (or SSM SecureString) and reference it from the container's "
                "\"secrets\": [{name, valueFrom: <ARN>[:jsonKey::]}]; grant the execution role read access to "
                "exactly that secret.",
    ids=RuleIds(fsbp=("ECS.8",), cdk_nag=("AwsSolutions-ECS2",)),
    tags=["ecs", "secrets"],
    config={
        "allowedNames": {"type": "array", "items": {"type": "string"}, "default": [],
                         "description": "Variable names that look secret but are not (e.g. PASSWORD_MIN_LENGTH)."},
        "extraNamePatterns": {"type": "array", "items": {"type": "string"}, "default": [],
                              "description": "Extra case-insensitive regexes for secret variable names."},
    },
    unknowns="containerDefinitions unknown: skipped with the SDK's advisory preview message.",
)
