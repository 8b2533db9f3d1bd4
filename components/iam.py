"""IAM for AWS services: a role a service assumes, with its customer-managed policies attached."""

from __future__ import annotations

from typing import Mapping

import pulumi
import pulumi_aws as aws


def service_role(
    name: str,
    *,
    description: str,
    trust: pulumi.Input[str],
    policies: Mapping[str, tuple[str, pulumi.Input[str]]],
    tags: Mapping[str, str],
    opts: pulumi.ResourceOptions,
) -> tuple[aws.iam.Role, list[pulumi.Resource]]:
    """The role ``name`` with trust policy ``trust``, and per ``policies`` entry (logical name: description,
    document) a policy attached to the role; the policy and its attachment share that logical name. Returns the
    role and the attachments: whatever uses the role depends on them, so it never runs without its permissions."""
    role = aws.iam.Role(name, description=description, assume_role_policy=trust, tags=tags, opts=opts)
    attachments: list[pulumi.Resource] = []
    for policy_name, (policy_description, document) in policies.items():
        policy = aws.iam.Policy(policy_name, description=policy_description, policy=document, tags=tags, opts=opts)
        attachments.append(aws.iam.RolePolicyAttachment(policy_name, role=role.name, policy_arn=policy.arn,
                                                        opts=opts))
    return role, attachments
