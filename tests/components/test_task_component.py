"""Task component: log group, roles and the Fargate task definition."""

from __future__ import annotations

import json

import pulumi_docker as docker
import pytest

from components.task import Task, TaskArgs

KEY = "arn:aws:kms:us-east-1:123456789012:key/k"
SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-1-AbC"
BASE = dict(
    cpu=256, memory=512, architecture="ARM64", container_port=8080, region="us-east-1",
    account_id="123456789012", image_ref="repo.example/app:sha-1", repository_arn="arn:aws:ecr:::repository/app",
    db_host="db.internal", db_port=3306, db_name="app", db_secret_arn=SECRET, db_resource_id="db-ABCDEF123",
    db_app_user="app", app_version="sha-1", kms_key_arn=KEY,
    exec_log_group_arn="arn:aws:logs:us-east-1:123456789012:log-group:exec", log_retention_days=7,
    db_pool_size=10, log_level="info", enable_execute_command=False,
    tags={"project": "webservice"},
)


def build(run, **changes):
    def program():
        image = docker.Image("image", image_name="repo.example/app:sha-1", build={"context": "app"})
        Task("app", TaskArgs(image=image, **{**BASE, **changes}))
    return run(program)


@pytest.fixture
def task(run):
    return build(run)


@pytest.fixture
def task_with_exec(run):
    return build(run, enable_execute_command=True, architecture="X86_64", cpu=1024, memory=2048)


def taskdef(result):
    return result.get("aws:ecs/taskDefinition:TaskDefinition", "app-taskdef")


def test_task_definition_is_fargate_awsvpc_with_configured_size(task):
    inputs = taskdef(task).inputs
    assert inputs["requiresCompatibilities"] == ["FARGATE"]
    assert inputs["networkMode"] == "awsvpc"
    assert (inputs["cpu"], inputs["memory"]) == ("256", "512")


def test_task_definition_uses_the_configured_architecture(task, task_with_exec):
    assert taskdef(task).inputs["runtimePlatform"] == {"operatingSystemFamily": "LINUX", "cpuArchitecture": "ARM64"}
    assert taskdef(task_with_exec).inputs["runtimePlatform"]["cpuArchitecture"] == "X86_64"


def containers(result):
    return {c["name"]: c for c in json.loads(taskdef(result).inputs["containerDefinitions"])}


def test_task_definition_references_the_tagged_image_in_both_containers(task):
    assert {c["image"] for c in containers(task).values()} == {"repo.example/app:sha-1"}


def test_task_has_the_app_and_a_migrate_container_that_it_waits_for(task):
    found = containers(task)
    assert sorted(found) == ["app", "migrate"]
    assert found["app"]["dependsOn"] == [{"containerName": "migrate", "condition": "SUCCESS"}]
    assert found["migrate"]["essential"] is False


def test_master_secret_only_in_migrate_and_no_db_password_in_app(task):
    found = containers(task)
    assert {s["valueFrom"] for s in found["migrate"]["secrets"]} == {f"{SECRET}:password::", f"{SECRET}:username::"}
    assert "secrets" not in found["app"]
    assert not [e for e in found["app"]["environment"] if "PASSWORD" in e["name"]]


def test_task_role_may_connect_as_the_app_user_only(task):
    document = json.loads(task.get("aws:iam/policy:Policy", "app-db-connect-policy").inputs["policy"])
    (statement,) = document["Statement"]
    assert statement["Action"] == "rds-db:connect" and statement["Effect"] == "Allow"
    assert statement["Resource"] == "arn:aws:rds-db:us-east-1:123456789012:dbuser:db-ABCDEF123/app"
    attachment = task.get("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "app-db-connect-policy")
    assert attachment.inputs["role"] == task.get("aws:iam/role:Role", "app-task-role").state["name"]
    assert attachment.urn in taskdef(task).dependencies


def test_task_definition_depends_on_the_image(task):
    assert task.get("docker:index/image:Image", "image").urn in taskdef(task).dependencies


def test_task_definition_has_a_tmp_volume(task):
    assert taskdef(task).inputs["volumes"] == [{"name": "tmp"}]


def test_exec_agent_volumes_exist_only_with_exec(task_with_exec):
    names = [v["name"] for v in taskdef(task_with_exec).inputs["volumes"]]
    assert names == ["tmp", "exec-managed-agents", "exec-ssm-lib", "exec-ssm-log"]


def test_execution_and_task_roles_differ(task):
    inputs = taskdef(task).inputs
    assert inputs["executionRoleArn"] != inputs["taskRoleArn"]


def test_roles_trust_only_ecs_tasks(task):
    for role in task.all("aws:iam/role:Role"):
        (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
        assert statement["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}


def test_no_aws_managed_policies_are_attached(task_with_exec):
    for attachment in task_with_exec.all("aws:iam/rolePolicyAttachment:RolePolicyAttachment"):
        assert ":aws:policy/" not in attachment.inputs["policyArn"]
    for role in task_with_exec.all("aws:iam/role:Role"):
        assert "managedPolicyArns" not in role.inputs and "inlinePolicies" not in role.inputs


def test_execution_policy_reads_exactly_the_db_secret(task):
    document = json.loads(task.get("aws:iam/policy:Policy", "app-execution-policy").inputs["policy"])
    reads = [s for s in document["Statement"] if "secretsmanager:GetSecretValue" in json.dumps(s["Action"])]
    assert [s["Resource"] for s in reads] == [SECRET]


def test_task_role_has_only_the_db_connect_policy_without_exec(task):
    attachments = task.all("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert sorted(a.name for a in attachments) == ["app-db-connect-policy", "app-execution-policy"]


def test_task_role_gets_exec_channels_with_exec(task_with_exec):
    attachment = task_with_exec.get("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "app-exec-policy")
    assert attachment.inputs["role"] == task_with_exec.get("aws:iam/role:Role", "app-task-role").state["name"]


def test_log_group_has_retention_and_kms_key(task):
    group = task.get("aws:cloudwatch/logGroup:LogGroup", "app-logs").inputs
    assert group == {"name": "/ecs/app", "retentionInDays": 7, "kmsKeyId": KEY, "tags": {"project": "webservice"}}


def test_container_logs_go_to_the_task_log_group(task):
    for container in containers(task).values():
        assert container["logConfiguration"]["options"]["awslogs-group"] == "/ecs/app"


def test_task_definition_is_tagged(task):
    assert taskdef(task).inputs["tags"] == {"project": "webservice"}


@pytest.mark.parametrize("changes, message", [
    (dict(cpu=256, memory=4096), "memory=4096: Fargate CPU 256 allows memory 512, 1024, 2048"),
    (dict(cpu=300), "cpu=300: allowed Fargate CPU units are 256, 512"),
    (dict(container_port=80), "container_port=80: allowed values are 1024..65535"),
    (dict(log_level="loud"), "log_level='loud': allowed values are trace, debug"),
    (dict(db_app_user="root"), "db_app_user='root': must not be a reserved name"),
    (dict(architecture="arm"), "architecture='arm': allowed values are ARM64, X86_64"),
    (dict(log_retention_days=2), "log_retention_days=2"),
    (dict(db_app_user="1app"), "db_app_user='1app': must be 1..32"),
])
def test_args_are_validated(changes, message):
    with pytest.raises(ValueError, match=message):
        TaskArgs(image=None, **{**BASE, **changes})
