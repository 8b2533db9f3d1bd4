"""Small pure helpers shared by the components."""

from __future__ import annotations

import json
from typing import Any, Mapping


def partition_for_region(region: str) -> str:
    """The ARN partition of a region, known without asking AWS."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def dns_suffix(region: str) -> str:
    return "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"


def policy_json(*statements: Mapping[str, Any]) -> str:
    """An IAM policy document (version 2012-10-17) as compact, stable JSON."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, sort_keys=True,
                      separators=(",", ":"))


def assume_role_policy(service: str, *, account_id: str | None = None, source_arn_like: str | None = None) -> str:
    """A trust policy for one AWS service principal, optionally pinned to our account (confused deputy)."""
    statement: dict[str, Any] = {
        "Sid": "AllowServiceToAssume",
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
    }
    conditions: dict[str, Any] = {}
    if account_id:
        conditions["StringEquals"] = {"aws:SourceAccount": account_id}
    if source_arn_like:
        conditions["ArnLike"] = {"aws:SourceArn": source_arn_like}
    if conditions:
        statement["Condition"] = conditions
    return policy_json(statement)

