"""Cluster (Container Insights, capacity providers, logged ECS Exec) and Encryption (KMS CMK)."""

from __future__ import annotations

import json

import pytest

from components.cluster import Cluster, ClusterArgs
from components.keys import Encryption, EncryptionArgs

KEY = "arn:aws:kms:us-east-1:123456789012:key/k"


@pytest.fixture
def cluster(run):
    return run(lambda: Cluster("c", ClusterArgs(kms_key_arn=KEY, log_retention_days=7, tags={"a": "b"})))


def test_cluster_has_container_insights(cluster):
    settings = cluster.get("aws:ecs/cluster:Cluster", "c-cluster").inputs["settings"]
    assert settings == [{"name": "containerInsights", "value": "enabled"}]


def test_cluster_logs_exec_sessions_encrypted(cluster):
    config = cluster.get("aws:ecs/cluster:Cluster", "c-cluster").inputs["configuration"]["executeCommandConfiguration"]
    group = cluster.get("aws:cloudwatch/logGroup:LogGroup", "c-exec-logs")
    assert config["logging"] == "OVERRIDE" and config["kmsKeyId"] == KEY
    assert config["logConfiguration"] == {"cloudWatchLogGroupName": group.state["name"],
                                          "cloudWatchEncryptionEnabled": True}
    assert group.inputs["retentionInDays"] == 7 and group.inputs["kmsKeyId"] == KEY


def test_cluster_offers_fargate_and_fargate_spot(cluster):
    providers = cluster.get("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", "c-capacity-providers")
    assert providers.inputs["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]


def test_cluster_args_are_validated():
    with pytest.raises(ValueError, match="log_retention_days=2"):
        ClusterArgs(kms_key_arn=KEY, log_retention_days=2)


@pytest.fixture
def keys(run):
    return run(lambda: Encryption("k", EncryptionArgs(account_id="123456789012", region="us-east-1")))


def test_kms_key_rotates(keys):
    key = keys.get("aws:kms/key:Key", "k-key").inputs
    assert key["enableKeyRotation"] is True
    assert key.get("bypassPolicyLockoutSafetyCheck") in (None, False)


def test_kms_key_policy_names_no_wildcard_principal(keys):
    policy = json.loads(keys.get("aws:kms/key:Key", "k-key").inputs["policy"])
    for statement in policy["Statement"]:
        assert statement["Principal"] not in ("*", {"AWS": "*"})


def test_encryption_args_are_validated():
    with pytest.raises(ValueError, match="deletion_window_days=3: allowed values are 7..30"):
        EncryptionArgs(account_id="1", region="us-east-1", deletion_window_days=3)


def test_key_is_deleted_with_the_stack_unless_asked_to_outlive_it(run, keys):
    assert keys.get("aws:kms/key:Key", "k-key").retain_on_delete is False
    kept = run(lambda: Encryption("k", EncryptionArgs(account_id="123456789012", region="us-east-1",
                                                      retain_on_delete=True)))
    assert kept.get("aws:kms/key:Key", "k-key").retain_on_delete is True
    # The alias goes with the stack either way, so a new stack of the same name can take it again.
    assert kept.get("aws:kms/alias:Alias", "k-alias").retain_on_delete is False
