"""Encryption: one customer-managed KMS key per stack for logs, ECR, RDS storage, Performance Insights
and the RDS-managed master secret."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional

import pulumi
import pulumi_aws as aws

from . import checks
from ._common import dns_suffix, partition_for_region, policy_json


def _key_policy(*, account_id: str, region: str) -> str:
    """Key policy: the account administers the key through IAM; CloudWatch Logs may use it for log groups
    of this account and region only; CloudWatch alarms of this account and region may use it to publish to the
    stack's encrypted alarm topic (SNS encrypts with the publisher's access to the key). Other services (ECR, RDS, Secrets Manager) use it through grants or
    on behalf of IAM principals that hold kms permissions, so they need no statement here."""
    partition = partition_for_region(region)
    return policy_json(
        {
            "Sid": "AccountAdministersKeyThroughIam",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
            "Action": "kms:*",
            "Resource": "*",
        },
        {
            "Sid": "CloudWatchLogsUsesKeyForThisAccount",
            "Effect": "Allow",
            "Principal": {"Service": f"logs.{region}.{dns_suffix(region)}"},
            "Action": [
                "kms:Decrypt",
                "kms:DescribeKey",
                "kms:Encrypt",
                "kms:GenerateDataKey",
                "kms:GenerateDataKeyWithoutPlaintext",
                "kms:ReEncryptFrom",
                "kms:ReEncryptTo",
            ],
            "Resource": "*",
            "Condition": {
                "ArnLike": {
                    "kms:EncryptionContext:aws:logs:arn": f"arn:{partition}:logs:{region}:{account_id}:log-group:*"
                }
            },
        },
        {
            "Sid": "CloudWatchAlarmsPublishToEncryptedTopic",
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": account_id},
                "ArnLike": {"aws:SourceArn": f"arn:{partition}:cloudwatch:{region}:{account_id}:alarm:*"},
            },
        },
    )


@dataclass(frozen=True)
class EncryptionArgs:
    """What the stack's KMS key needs. Checks: ``checks.kms_deletion_window``."""

    #: The account id (12 digits) that administers the key and whose log groups and alarms may use it.
    account_id: pulumi.Input[str]
    #: The stack's AWS region (aws:region); the key policy names its CloudWatch Logs service there.
    region: str
    #: Days between destroying the key and AWS deleting it: 7..30 (facts.KMS_DELETION_WINDOW_DAYS). Default 30.
    deletion_window_days: int = 30
    #: Keep the key when the stack is destroyed. Set it whenever anything that outlives the stack is encrypted
    #: with the key (the database's final snapshot): a deleted key makes such a snapshot unrestorable. Default false.
    retain_on_delete: bool = False
    #: Tags for every taggable child resource (key -> value). Default: none.
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        checks.validate(self, deletion_window_days=checks.kms_deletion_window)


class Encryption(pulumi.ComponentResource):
    key_arn: pulumi.Output[str]
    key_id: pulumi.Output[str]

    def __init__(self, name: str, args: EncryptionArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("webservice:keys:Encryption", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        key = aws.kms.Key(
            f"{name}-key",
            description=f"{name}: logs, container images, database storage and secret",
            enable_key_rotation=True,
            deletion_window_in_days=args.deletion_window_days,
            policy=pulumi.Output.from_input(args.account_id).apply(
                lambda account: _key_policy(account_id=account, region=args.region)),
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self, retain_on_delete=args.retain_on_delete),
        )
        # The alias always goes with the stack, so that a new stack of the same name can take it again.
        aws.kms.Alias(f"{name}-alias", name=f"alias/{name}", target_key_id=key.key_id, opts=child)
        self.key_arn = key.arn
        self.key_id = key.key_id
        self.register_outputs({"keyArn": self.key_arn, "keyId": self.key_id})
