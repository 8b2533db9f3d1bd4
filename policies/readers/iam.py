"""IAM and resource-policy documents read by meaning, not spelling.

* A document is read like the other JSON the provider passes on (:mod:`.gojson`): element names in any case, and
  ``Statement``, ``Action``, ``Resource`` and principal lists given as one value or as a list.
* Action and resource patterns are IAM globs (``*`` and ``?``, case-insensitive for actions); a pattern "covers"
  a set when it matches every probe of that set, so ``*``, ``*:*``, ``?*``, ``arn:*`` and ``arn:aws:*`` all cover
  everything, and ``iam:*``, ``IAM:*`` or ``i?m:*`` cover the whole IAM service.
* ``NotAction`` and ``NotResource`` in an Allow grant everything except what they name.
* A resource policy open to ``*`` (or with ``NotPrincipal``) is public unless a condition really restricts it: a
  positive operator (not ``...IfExists``, not a negation, not ``Null``) on an organisation, account or source key,
  with a value that names a specific organisation, account, ARN, VPC or network.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import re
from typing import Any, Dict, Iterable, List, Mapping, Optional

from . import gojson

# Probes: a pattern covers a set when it matches every one of them.
_ALL_ACTIONS = ("iam:CreateUser", "s3:GetObject", "ec2:RunInstances", "sts:AssumeRole", "kms:Decrypt",
                "lambda:InvokeFunction", "organizations:LeaveOrganization")
IAM_ACTIONS = ("iam:AttachRolePolicy", "iam:PutUserPolicy", "iam:CreatePolicyVersion", "iam:PassRole",
               "iam:UpdateAssumeRolePolicy", "iam:CreateAccessKey", "iam:CreateUser", "iam:GetRole")
_PARTITIONS = ("aws", "aws-cn", "aws-us-gov")
_IAM_ARN_PROBES = ("arn:{p}:iam::111122223333:role/admin", "arn:{p}:iam::111122223333:user/x",
                   "arn:{p}:iam::111122223333:policy/x", "arn:{p}:iam::111122223333:group/g")
_ARN_PROBES = ("arn:{p}:s3:::bucket/key", "arn:{p}:iam::111122223333:role/admin",
               "arn:{p}:ec2:us-east-1:111122223333:instance/i-0", "arn:{p}:kms:eu-west-1:444455556666:key/k",
               "arn:{p}:secretsmanager:us-east-1:111122223333:secret:x")


def document(value: Any) -> Optional[Dict[str, Any]]:
    """A policy document from a JSON string or a dict (keys folded); None if missing, unknown or malformed."""
    if isinstance(value, str):
        try:
            value = gojson.loads(value)
        except (ValueError, RecursionError):
            return None
    else:
        value = gojson.view(value)
    return value if isinstance(value, dict) else None


def _list(value: Any) -> List[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def statements(doc: Optional[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    """The statements of a document, whether ``Statement`` is a list or a single object."""
    return [s for s in _list(doc.get("Statement")) if isinstance(s, dict)] if doc else []


def allows(st: Mapping[str, Any]) -> bool:
    effect = st.get("Effect")
    return isinstance(effect, str) and effect.strip().lower() == "allow"


def strings(st: Mapping[str, Any], key: str) -> List[str]:
    return [v for v in _list(st.get(key)) if isinstance(v, str)]


def _glob(pattern: str, value: str, case: bool) -> bool:
    if not case:
        pattern, value = pattern.lower(), value.lower()
    return fnmatch.fnmatchcase(value, pattern.replace("[", "[[]"))


def action_matches(pattern: str, action: str) -> bool:
    """IAM action globs: ``*`` and ``?``, case-insensitive."""
    return _glob(pattern.strip(), action, case=False)


def covers_actions(patterns: Iterable[str], probes: Iterable[str] = _ALL_ACTIONS) -> bool:
    """True if the patterns together match every probe action (by default: every action of every service)."""
    patterns = list(patterns)
    return all(any(action_matches(p, a) for p in patterns) for a in probes)


def covers_all_resources(patterns: Iterable[str], probes: Iterable[str] = _ARN_PROBES) -> bool:
    """True if the resource patterns match every ARN of some partition (``*``, ``arn:*``, ``arn:aws:*:*:*:*``);
    with ``probes``, every probe ARN of some partition."""
    patterns, probes = [p.strip() for p in patterns], list(probes)
    return any(all(any(_glob(p, probe.format(p=part), case=True) for p in patterns) for probe in probes)
               for part in _PARTITIONS)


def grants_everything_on_all(st: Mapping[str, Any]) -> Optional[str]:
    """Why an Allow statement amounts to administrator access, or None.

    Every action (``Action`` covering all, or any ``NotAction``), or the whole IAM service (which can grant itself
    the rest), on every resource (``Resource`` covering all, or any ``NotResource``).
    """
    if not allows(st):
        return None
    iam_only = False
    if "NotResource" in st:
        scope = f"every resource except {strings(st, 'NotResource')}"
    elif covers_all_resources(strings(st, "Resource")):
        scope = "every resource"
    elif covers_all_resources(strings(st, "Resource"), _IAM_ARN_PROBES):
        scope, iam_only = "every IAM role, user and policy", True
    else:
        return None
    if "NotAction" in st:
        excluded = strings(st, "NotAction")
        if iam_only:
            if any(action_matches(p, a) for p in excluded for a in IAM_ACTIONS):
                return None  # some of IAM is excluded: the narrower rules judge the rest
            return f"every action except {excluded}, the whole IAM service included, on {scope}"
        if excluded and covers_actions(excluded):
            return None  # excludes every action: grants nothing
        return f"every action except {excluded} on {scope}"
    acts = strings(st, "Action")
    if covers_actions(acts) and not iam_only:
        return f"every action ({', '.join(acts)}) on {scope}"
    if covers_actions(acts, IAM_ACTIONS):
        return f"the whole IAM service ({', '.join(acts)}) on {scope}, so the holder can grant itself anything"
    return None


# ---------------------------------------------------------------------------------------------------------------
# Resource policies: principals and conditions.


def everyone(st: Mapping[str, Any]) -> bool:
    """True if a statement names every principal: ``"*"`` alone or among AWS/Service/Federated/CanonicalUser
    principals, or any ``NotPrincipal`` (everyone but the ones named)."""
    if "NotPrincipal" in st:
        return True
    principal = st.get("Principal")
    if isinstance(principal, str):
        return principal.strip() == "*"
    if isinstance(principal, Mapping):
        return any(isinstance(p, str) and p.strip() == "*" for v in principal.values() for p in _list(v))
    return False


_ACCOUNT = re.compile(r"^\d{12}$")
_ORG = re.compile(r"^o-[a-z0-9]{10,32}$")
_ORG_PATH = re.compile(r"^o-[a-z0-9]{10,32}/r-[a-z0-9]{4,32}(/.*)?$")
_VPC = re.compile(r"^vpce?-[0-9a-f]{8,17}$")


def _arn_account_fixed(arn: str) -> bool:
    parts = arn.split(":")
    return len(parts) >= 6 and parts[0] == "arn" and bool(_ACCOUNT.match(parts[4])) and "*" not in ":".join(
        parts[:5]) and "?" not in ":".join(parts[:5])


def _narrow_network(value: str) -> bool:
    try:
        return ipaddress.ip_network(value.strip(), strict=False).prefixlen > 0
    except ValueError:
        return False


_RESTRICTING_KEYS = {
    "aws:principalorgid": lambda v: bool(_ORG.match(v)),
    "aws:sourceorgid": lambda v: bool(_ORG.match(v)),
    "aws:principalorgpaths": lambda v: bool(_ORG_PATH.match(v)),
    "aws:sourceorgpaths": lambda v: bool(_ORG_PATH.match(v)),
    "aws:principalaccount": lambda v: bool(_ACCOUNT.match(v)),
    "aws:sourceaccount": lambda v: bool(_ACCOUNT.match(v)),
    "aws:sourceowner": lambda v: bool(_ACCOUNT.match(v)),
    "kms:calleraccount": lambda v: bool(_ACCOUNT.match(v)),
    "aws:principalarn": _arn_account_fixed,
    "aws:sourcearn": _arn_account_fixed,
    "aws:sourcevpc": lambda v: bool(_VPC.match(v)),
    "aws:sourcevpce": lambda v: bool(_VPC.match(v)),
    "aws:sourceip": _narrow_network,
}
_POSITIVE = re.compile(r"^(for(any|all)value:)?(stringequals|stringequalsignorecase|stringlike|arnequals|arnlike|"
                       r"ipaddress)$")


def restricting_condition(condition: Any) -> Optional[str]:
    """The condition key that really restricts who may use an open statement, or None.

    The operator must be positive (``StringEquals``, ``StringLike``, ``ArnEquals``, ``ArnLike``, ``IpAddress``,
    optionally ``ForAnyValue:``/``ForAllValues:``) and not ``...IfExists``; every value must name a specific
    organisation, account, ARN in one account, VPC/endpoint or a network smaller than the internet.
    """
    if not isinstance(condition, Mapping):
        return None
    for operator, block in condition.items():
        if not isinstance(operator, str) or not _POSITIVE.match(operator.strip().lower()):
            continue
        if operator.strip().lower().startswith("forallvalues:"):
            continue  # true when the request has no value for the key at all
        if not isinstance(block, Mapping):
            continue
        for key, values in block.items():
            check = _RESTRICTING_KEYS.get(key.strip().lower()) if isinstance(key, str) else None
            values = _list(values)
            if check and values and all(isinstance(v, str) and check(v.strip()) for v in values):
                return key
    return None


def public_statement(st: Mapping[str, Any]) -> bool:
    """True if an Allow statement opens to every principal without a condition that really restricts it."""
    return allows(st) and everyone(st) and restricting_condition(st.get("Condition")) is None
