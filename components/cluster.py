"""Cluster: ECS cluster with Container Insights, Fargate capacity providers and logged ECS Exec sessions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional

import pulumi
import pulumi_aws as aws

from . import checks



@dataclass(frozen=True)
class ClusterArgs:
    """What the ECS cluster needs. Checks: ``checks.log_retention``."""

    #: ARN of the KMS key that encrypts the ECS Exec session logs and their log group.
    kms_key_arn: pulumi.Input[str]
    #: Days the ECS Exec log group keeps events: a CloudWatch Logs value (facts.LOG_RETENTION_DAYS).
    log_retention_days: int
    #: Tags for every taggable child resource (key -> value). Default: none.
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        checks.validate(self, log_retention_days=checks.log_retention)


class Cluster(pulumi.ComponentResource):
    cluster_arn: pulumi.Output[str]
    cluster_name: pulumi.Output[str]
    exec_log_group_name: pulumi.Output[str]
    exec_log_group_arn: pulumi.Output[str]
    capacity_providers: aws.ecs.ClusterCapacityProviders

    def __init__(self, name: str, args: ClusterArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("webservice:cluster:Cluster", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)

        exec_logs = aws.cloudwatch.LogGroup(
            f"{name}-exec-logs",
            retention_in_days=args.log_retention_days,
            kms_key_id=args.kms_key_arn,
            tags=tags,
            opts=child,
        )
        cluster = aws.ecs.Cluster(
            f"{name}-cluster",
            settings=[{"name": "containerInsights", "value": "enabled"}],
            configuration={
                "execute_command_configuration": {
                    "kms_key_id": args.kms_key_arn,
                    "logging": "OVERRIDE",
                    "log_configuration": {
                        "cloud_watch_log_group_name": exec_logs.name,
                        "cloud_watch_encryption_enabled": True,
                    },
                }
            },
            tags=tags,
            opts=child,
        )
        # Services choose their own mix; the cluster default is plain on-demand Fargate.
        self.capacity_providers = aws.ecs.ClusterCapacityProviders(
            f"{name}-capacity-providers",
            cluster_name=cluster.name,
            capacity_providers=["FARGATE", "FARGATE_SPOT"],
            default_capacity_provider_strategies=[{"capacity_provider": "FARGATE", "weight": 1, "base": 0}],
            opts=child,
        )
        self.cluster_arn = cluster.arn
        self.cluster_name = cluster.name
        self.exec_log_group_name = exec_logs.name
        self.exec_log_group_arn = exec_logs.arn
        self.register_outputs({
            "clusterArn": self.cluster_arn,
            "clusterName": self.cluster_name,
            "execLogGroupName": self.exec_log_group_name,
        })
