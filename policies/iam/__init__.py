"""Rules for iam, and what they share: the IAM type tokens, the permissions documents of a resource and the
policies it attaches."""

from __future__ import annotations

import re
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from ..core.documents import actions, all_resources, allows, policy_document, statements
from ..core.resources import Resource
from ..core.values import as_list, is_unknown
from ..readers.iam import action_matches

IAM_DOC_TYPES = (
    "aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy", "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy", "aws:iam/role:Role",
)

ATTACHMENT_TYPES = (
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:iam/policyAttachment:PolicyAttachment",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment", "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
    "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive",
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive",
)

#: Actions the privilege-escalation and KMS-decrypt rules judge, which the wildcard-resource rule leaves to them.
DECRYPT_ACTIONS = ("kms:Decrypt", "kms:ReEncryptFrom")
ESCALATION_ACTIONS = [
    "iam:PassRole", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:AttachRolePolicy",
    "iam:AttachUserPolicy", "iam:AttachGroupPolicy", "iam:PutRolePolicy", "iam:PutUserPolicy",
    "iam:PutGroupPolicy", "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile",
    "iam:UpdateAssumeRolePolicy", "iam:AddUserToGroup", "iam:CreateRole", "sts:AssumeRole",
]


def policy_documents(res: Resource) -> List[Tuple[str, Any]]:
    """(label, raw document) pairs for the IAM types that carry permissions documents."""
    docs: List[Tuple[str, Any]] = []
    if res.type == "aws:iam/role:Role":
        inline = res.peek("inlinePolicies")
        for i, item in enumerate(as_list(inline) if not is_unknown(inline) else []):
            if isinstance(item, dict):
                docs.append((f"inlinePolicies[{i}]", item.get("policy")))
    else:
        docs.append(("policy", res.props.get("policy")))
    return docs


def permission_statements(res: Resource) -> Tuple[List[Tuple[str, Dict[str, Any]]], Optional[str]]:
    """(label, statement) for every statement of every permissions document on an IAM resource.

    Returns the statements and the label of the first unknown or malformed document (or None). Rules report
    definite findings first and then raise the preview skip for an unknown document.
    """
    found: List[Tuple[str, Dict[str, Any]]] = []
    unknown: Optional[str] = None
    if res.type == "aws:iam/role:Role" and is_unknown(res.props.get("inlinePolicies")):
        unknown = "inlinePolicies"
    for label, raw in policy_documents(res):
        if raw is None:
            continue
        if is_unknown(raw):
            unknown = unknown or label
            continue
        doc = policy_document(raw)
        for i, st in enumerate(statements(doc)):
            found.append((f"{label} Statement[{i}]", st))
    return found, unknown


_AWS_MANAGED = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/(.+)$")


def aws_managed_policy(arn: Any) -> Optional[str]:
    """The path/name of an AWS-managed policy ARN (e.g. "service-role/AmazonECSTaskExecutionRolePolicy")."""
    match = _AWS_MANAGED.match(arn) if isinstance(arn, str) else None
    return match.group(1) if match else None


def attached_policy_arns(res: Resource) -> List[Any]:
    """Policy ARNs a role (managedPolicyArns), an attachment (policyArn) or an exclusive attachment set
    (policyArns) attaches."""
    if res.type == "aws:iam/role:Role":
        return as_list(res.get("managedPolicyArns"))
    if res.type.endswith("PolicyAttachmentsExclusive"):
        return as_list(res.get("policyArns"))
    return [res.get("policyArn")]


def sensitive_grants(found: Sequence[Tuple[str, Dict[str, Any]]], sensitive: Sequence[str],
                     skip: Callable[[str], bool]) -> List[Tuple[str, List[str]]]:
    """(label, matched actions) for Allow statements on every resource whose actions (globs allowed) grant any of
    ``sensitive``; actions for which ``skip(action)`` is true are left to other rules."""
    out = []
    for label, st in found:
        if not allows(st) or not all_resources(st):
            continue
        granted = [a for a in actions(st) if not skip(a)]
        hits = sorted({s for s in sensitive for a in granted if action_matches(a, s)})
        if hits:
            out.append((label, hits))
    return out
