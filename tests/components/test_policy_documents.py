"""Pure IAM/KMS/S3 policy documents: least privilege, service principals only."""

from __future__ import annotations

import json

from components._common import assume_role_policy, partition_for_region
from components.database import _monitoring_policy
from components.keys import _key_policy
from components.network import _flow_log_policy
from components.service import _access_log_bucket_policy
from components.task import _execution_role_policy, _task_role_exec_policy

REPO = "arn:aws:ecr:us-east-1:123456789012:repository/app"
LOGS = "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/app"
SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-abc-XyZ"
KEY = "arn:aws:kms:us-east-1:123456789012:key/0000"


def statements(document: str) -> dict[str, dict]:
    parsed = json.loads(document)
    assert parsed["Version"] == "2012-10-17"
    return {s["Sid"]: s for s in parsed["Statement"]}


def actions(statement: dict) -> list[str]:
    value = statement["Action"]
    return [value] if isinstance(value, str) else value


def execution_policy() -> dict[str, dict]:
    return statements(_execution_role_policy(repository_arn=REPO, log_group_arn=LOGS, secret_arn=SECRET,
                                             kms_key_arn=KEY, region="us-east-1"))


def test_execution_role_reads_exactly_the_db_secret():
    policy = execution_policy()
    assert policy["ReadDatabaseSecret"]["Action"] == "secretsmanager:GetSecretValue"
    assert policy["ReadDatabaseSecret"]["Resource"] == SECRET


def test_execution_role_decrypts_only_through_secrets_manager():
    decrypt = execution_policy()["DecryptDatabaseSecret"]
    assert (decrypt["Action"], decrypt["Resource"]) == ("kms:Decrypt", KEY)
    assert decrypt["Condition"] == {"StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}}


def test_execution_role_pulls_only_from_our_repository():
    pull = execution_policy()["PullAppImage"]
    assert pull["Resource"] == REPO
    assert all(a.startswith("ecr:") and "*" not in a for a in actions(pull))


def test_execution_role_writes_only_its_log_group():
    assert execution_policy()["WriteAppLogs"]["Resource"] == f"{LOGS}:*"


def test_only_unscoped_execution_action_is_the_ecr_token():
    unscoped = [s for s in execution_policy().values() if s["Resource"] == "*"]
    assert [actions(s) for s in unscoped] == [["ecr:GetAuthorizationToken"]]


def test_no_policy_uses_wildcard_actions():
    documents = [
        _execution_role_policy(repository_arn=REPO, log_group_arn=LOGS, secret_arn=SECRET, kms_key_arn=KEY,
                               region="us-east-1"),
        _task_role_exec_policy(exec_log_group_arn=LOGS, kms_key_arn=KEY),
        _flow_log_policy(LOGS),
        _monitoring_policy(region="us-east-1", account_id="123456789012"),
    ]
    for document in documents:
        for statement in statements(document).values():
            assert statement["Effect"] == "Allow"
            assert all("*" not in a for a in actions(statement)), statement


def test_task_role_exec_policy_scopes_logs_and_key():
    policy = statements(_task_role_exec_policy(exec_log_group_arn=LOGS, kms_key_arn=KEY))
    assert policy["WriteExecSessionLogs"]["Resource"] == [LOGS, f"{LOGS}:*"]
    assert policy["EncryptExecSession"]["Resource"] == KEY
    assert [s["Sid"] for s in policy.values() if s["Resource"] == "*"] == [
        "EcsExecChannelsHaveNoResourceScope", "DescribeLogGroupsHasNoResourceScope"]
    assert policy["DescribeLogGroupsHasNoResourceScope"]["Action"] == "logs:DescribeLogGroups"


def test_trust_policy_names_one_service_principal_and_our_account():
    trust = json.loads(assume_role_policy("ecs-tasks.amazonaws.com", account_id="123456789012",
                                          source_arn_like="arn:aws:ecs:us-east-1:123456789012:*"))
    (statement,) = trust["Statement"]
    assert statement["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}
    assert statement["Condition"]["ArnLike"] == {"aws:SourceArn": "arn:aws:ecs:us-east-1:123456789012:*"}


def test_key_policy_lets_cloudwatch_logs_of_this_account_use_the_key():
    policy = statements(_key_policy(account_id="123456789012", region="eu-west-1"))
    logs = policy["CloudWatchLogsUsesKeyForThisAccount"]
    assert logs["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}
    assert logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"] == \
        "arn:aws:logs:eu-west-1:123456789012:log-group:*"
    assert policy["AccountAdministersKeyThroughIam"]["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}


def test_access_log_bucket_accepts_elb_writes_for_our_account_only():
    policy = statements(_access_log_bucket_policy(bucket_arn="arn:aws:s3:::logs", account_id="123456789012",
                                                  elb_account_arn="arn:aws:iam::127311923021:root"))
    for sid in ("ElbAccountWritesAccessLogs", "ElbLogDeliveryWritesAccessLogs"):
        assert policy[sid]["Action"] == "s3:PutObject"
        assert policy[sid]["Resource"] == "arn:aws:s3:::logs/alb/AWSLogs/123456789012/*"
    assert policy["ElbAccountWritesAccessLogs"]["Principal"] == {"AWS": "arn:aws:iam::127311923021:root"}


def test_access_log_bucket_refuses_plain_http():
    deny = statements(_access_log_bucket_policy(bucket_arn="arn:aws:s3:::logs", account_id="1",
                                                elb_account_arn="x"))["DenyInsecureTransport"]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_partition_follows_region():
    assert [partition_for_region(r) for r in ("us-east-1", "cn-north-1", "us-gov-west-1")] == \
        ["aws", "aws-cn", "aws-us-gov"]
