"""Task: log group, execution and task roles, and the Fargate task definition: a migrate container that runs
first with the RDS master secret, then the app container, which connects as its own user with IAM auth."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

import pulumi
import pulumi_aws as aws

from . import checks
from ._common import assume_role_policy, dns_suffix, partition_for_region, policy_json
from .iam import service_role

CONTAINER_NAME = "app"
MIGRATE_CONTAINER_NAME = "migrate"
APP_USER = "1000:1000"  # uid/gid of `node` in the official Node images
HEALTHCHECK_COMMAND = ["CMD", "node", "src/healthcheck.js"]
MIGRATE_COMMAND = ["node", "src/migrate.js"]
#: The app container's command in a one-off migration task (the migrateCommand output): the migrate container
#: runs as in every task, then the app container exits 0 at once and the task stops.
NO_OP_COMMAND = ["node", "-e", ""]
#: How the app user authenticates on AWS (DB_AUTH): an RDS IAM token per new connection, never a password.
DB_AUTH = "iam"
#: Seconds between SIGTERM and SIGKILL. Exceeds the app's own 20 s shutdown bound plus the target group's
#: 10 s deregistration delay, with 5 s to spare (tests/components/test_app_contract.py checks the order against
#: the app's config.js). Fargate allows at most 120.
STOP_TIMEOUT = 35
TMP_VOLUME = "tmp"
#: ECS Exec bind-mounts its agent and writes state; with a read-only root filesystem these paths need
#: writable task volumes (only when ECS Exec is enabled).
EXEC_AGENT_PATHS = {"exec-managed-agents": "/managed-agents", "exec-ssm-lib": "/var/lib/amazon/ssm",
                    "exec-ssm-log": "/var/log/amazon/ssm"}


def _container_definitions(
    *,
    image: str,
    port: int,
    log_group: str,
    region: str,
    db_host: str,
    db_port: int,
    db_name: str,
    db_secret_arn: str,
    db_app_user: str,
    db_pool_size: int,
    log_level: str,
    app_version: str,
    enable_execute_command: bool = False,
) -> list[dict[str, Any]]:
    """The app and migrate container definitions, in the ECS API's own shape. Pure: plain values in, plain JSON
    out. Only the migrate container sees the master secret, and ECS reads it at every task start, so a rotated
    password is picked up by the next task. The app container gets no password at all. ``TaskArgs`` has checked
    the port, log level and user."""
    database = {"DB_HOST": db_host, "DB_PORT": str(db_port), "DB_NAME": db_name, "DB_TLS": "true",
                "DB_AUTH": DB_AUTH, "LOG_LEVEL": log_level}
    app_environment = {**database, "PORT": str(port), "DB_USER": db_app_user, "DB_POOL_SIZE": str(db_pool_size),
                       "AWS_REGION": region, "APP_VERSION": app_version}
    migrate_environment = {**database, "DB_APP_USER": db_app_user}
    mounts = [{"sourceVolume": TMP_VOLUME, "containerPath": "/tmp", "readOnly": False}]
    if enable_execute_command:
        mounts += [{"sourceVolume": volume, "containerPath": path, "readOnly": False}
                   for volume, path in EXEC_AGENT_PATHS.items()]

    def hardened(name: str, environment: dict[str, str]) -> dict[str, Any]:
        """What both containers share: the image, a non-root user, a read-only root, no privileges, logs."""
        return {
            "name": name,
            "image": image,
            "user": APP_USER,
            "privileged": False,
            "readonlyRootFilesystem": True,
            "environment": [{"name": key, "value": value} for key, value in sorted(environment.items())],
            "linuxParameters": {"initProcessEnabled": True, "capabilities": {"drop": ["ALL"]}},
            "mountPoints": mounts,
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": log_group,
                    "awslogs-region": region,
                    "awslogs-stream-prefix": name,
                    "mode": "non-blocking",
                    "max-buffer-size": "4m",
                },
            },
        }

    app = {
        **hardened(CONTAINER_NAME, app_environment),
        "essential": True,
        "portMappings": [{"name": "http", "containerPort": port, "hostPort": port, "protocol": "tcp",
                          "appProtocol": "http"}],
        "dependsOn": [{"containerName": MIGRATE_CONTAINER_NAME, "condition": "SUCCESS"}],
        "healthCheck": {"command": HEALTHCHECK_COMMAND, "interval": 10, "timeout": 5, "retries": 3,
                        "startPeriod": 20},
        "stopTimeout": STOP_TIMEOUT,
    }
    migrate = {
        **hardened(MIGRATE_CONTAINER_NAME, migrate_environment),
        # Not essential: it exits when done; the app container starts only if it exited 0.
        "essential": False,
        "command": MIGRATE_COMMAND,
        "secrets": [
            {"name": "DB_ADMIN_PASSWORD", "valueFrom": f"{db_secret_arn}:password::"},
            {"name": "DB_ADMIN_USER", "valueFrom": f"{db_secret_arn}:username::"},
        ],
    }
    return [app, migrate]


def _db_connect_policy(*, region: str, account_id: str, resource_id: str, db_user: str) -> str:
    """RDS IAM authentication as exactly one database user of exactly one instance."""
    partition = partition_for_region(region)
    return policy_json({
        "Sid": "ConnectAsAppUser",
        "Effect": "Allow",
        "Action": "rds-db:connect",
        "Resource": f"arn:{partition}:rds-db:{region}:{account_id}:dbuser:{resource_id}/{db_user}",
    })


def _execution_role_policy(*, repository_arn: str, log_group_arn: str, secret_arn: str, kms_key_arn: str,
                           region: str) -> str:
    """Exactly what ECS needs to start the task: pull our image, write our log group, read the DB secret."""
    return policy_json(
        {
            "Sid": "EcrAuthorizationTokenHasNoResourceScope",
            "Effect": "Allow",
            "Action": "ecr:GetAuthorizationToken",
            "Resource": "*",
        },
        {
            "Sid": "PullAppImage",
            "Effect": "Allow",
            "Action": ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            "Resource": repository_arn,
        },
        {
            "Sid": "WriteAppLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": f"{log_group_arn}:*",
        },
        {
            "Sid": "ReadDatabaseSecret",
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": secret_arn,
        },
        {
            "Sid": "DecryptDatabaseSecret",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": kms_key_arn,
            "Condition": {"StringEquals": {"kms:ViaService": f"secretsmanager.{region}.{dns_suffix(region)}"}},
        },
    )


def _task_role_exec_policy(*, exec_log_group_arn: str, kms_key_arn: str) -> str:
    """What the running app needs for ECS Exec sessions. The SSM message channels have no resource scope."""
    return policy_json(
        {
            "Sid": "EcsExecChannelsHaveNoResourceScope",
            "Effect": "Allow",
            "Action": ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
                       "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"],
            "Resource": "*",
        },
        {
            "Sid": "WriteExecSessionLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            "Resource": [exec_log_group_arn, f"{exec_log_group_arn}:*"],
        },
        {
            # The SSM agent checks the session log group before it opens a session, and refuses the session
            # when this call fails. DescribeLogGroups has no resource-level scope: on anything but "*" it is
            # denied. It reveals log group names and settings, not log contents.
            "Sid": "DescribeLogGroupsHasNoResourceScope",
            "Effect": "Allow",
            "Action": "logs:DescribeLogGroups",
            "Resource": "*",
        },
        {
            "Sid": "EncryptExecSession",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": kms_key_arn,
        },
    )


@dataclass(frozen=True)
class TaskArgs:
    """What the task definition needs. Checks: ``checks.fargate_cpu``, ``fargate_memory``, ``architecture``,
    ``container_port``, ``log_retention``, ``db_user``, ``log_level``."""

    #: Task CPU units, a Fargate size: 256, 512, ... 16384 (facts.FARGATE_SIZES).
    cpu: int
    #: Task memory in MiB, one that Fargate allows for ``cpu`` (facts.FARGATE_SIZES).
    memory: int
    #: Task CPU architecture: "ARM64" or "X86_64" (facts.ARCHITECTURES); the image must be built for it.
    architecture: str
    #: Port the app listens on (PORT): 1024..65535, since the container runs as a non-root user.
    container_port: int
    #: The stack's AWS region (aws:region): log delivery, AWS_REGION, and the ARNs in the role policies.
    region: str
    #: The account id (12 digits), for the trust policies and the rds-db:connect ARN.
    account_id: pulumi.Input[str]
    #: The image the containers run: ``<repositoryUrl>:<tag>`` or ``<repositoryUrl>@sha256:...``.
    image_ref: pulumi.Input[str]
    #: What the task definition waits for: the pushed image, or the repository that holds it.
    image: pulumi.Resource
    #: ARN of the ECR repository the execution role may pull from.
    repository_arn: pulumi.Input[str]
    #: The database's host name (DB_HOST).
    db_host: pulumi.Input[str]
    #: The database's port (DB_PORT), 3306 for MySQL.
    db_port: int
    #: The database schema the app uses (DB_NAME).
    db_name: str
    #: ARN of the RDS-managed master secret; only the migrate container reads it (username and password).
    db_secret_arn: pulumi.Input[str]
    #: The DB instance's resource id (db-…), which names it in the rds-db:connect ARN.
    db_resource_id: pulumi.Input[str]
    #: The database user the app connects as (IAM authentication); the migrate container creates it. 1..32 of
    #: [A-Za-z0-9_] starting with a letter, not a reserved name (facts.RESERVED_DB_USERS).
    db_app_user: str
    #: ARN of the KMS key that encrypts the task's log group; the execution role may decrypt the DB secret with it.
    kms_key_arn: pulumi.Input[str]
    #: ARN of the cluster's ECS Exec log group, which the task role may write (with ``enable_execute_command``).
    exec_log_group_arn: pulumi.Input[str]
    #: Days the task's log group keeps events: a CloudWatch Logs value (facts.LOG_RETENTION_DAYS).
    log_retention_days: int
    #: MySQL connections per task (DB_POOL_SIZE).
    db_pool_size: int
    #: The app's log level (LOG_LEVEL): trace, debug, info, warn, error or fatal (facts.LOG_LEVELS).
    log_level: str
    #: Allow ECS Exec: writable volumes for its agent and the task-role policy for its channels and logs.
    enable_execute_command: bool
    #: The release the app reports (APP_VERSION): the image tag, or its digest when one is deployed. Default "".
    app_version: str = ""
    #: Tags for every taggable child resource (key -> value). Default: none.
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        checks.validate(self, cpu=checks.fargate_cpu,
                        memory=lambda memory: checks.fargate_memory(memory, cpu=self.cpu),
                        architecture=checks.architecture, container_port=checks.container_port,
                        log_retention_days=checks.log_retention, db_app_user=checks.db_user,
                        log_level=checks.log_level)


class Task(pulumi.ComponentResource):
    task_definition_arn: pulumi.Output[str]
    family: pulumi.Output[str]
    log_group_name: pulumi.Output[str]
    execution_role_arn: pulumi.Output[str]
    task_role_arn: pulumi.Output[str]

    def __init__(self, name: str, args: TaskArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("webservice:task:Task", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        partition = partition_for_region(args.region)
        # A plain name, so that the container definition does not wait for the log group to exist.
        log_group_name = f"/ecs/{name}"

        log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=log_group_name,
            retention_in_days=args.log_retention_days,
            kms_key_id=args.kms_key_arn,
            tags=tags,
            opts=child,
        )

        def ecs_trust(account: str) -> str:
            return assume_role_policy("ecs-tasks.amazonaws.com", account_id=account,
                                      source_arn_like=f"arn:{partition}:ecs:{args.region}:{account}:*")

        trust = pulumi.Output.from_input(args.account_id).apply(ecs_trust)
        execution_role, execution_attachments = service_role(
            f"{name}-execution-role",
            description="ECS starts the app task: image pull, log delivery, DB secret",
            trust=trust,
            policies={f"{name}-execution-policy": (
                "Pull the app image, write its logs, read the DB master secret",
                pulumi.Output.all(
                    repository_arn=args.repository_arn, log_group_arn=log_group.arn,
                    secret_arn=args.db_secret_arn, kms_key_arn=args.kms_key_arn,
                ).apply(lambda v: _execution_role_policy(region=args.region, **v)))},
            tags=tags,
            opts=child,
        )

        task_policies: dict[str, tuple[str, pulumi.Input[str]]] = {f"{name}-db-connect-policy": (
            "Connect to the database as the app user with an RDS IAM token",
            pulumi.Output.all(account_id=args.account_id, resource_id=args.db_resource_id).apply(
                lambda v: _db_connect_policy(region=args.region, db_user=args.db_app_user, **v)))}
        if args.enable_execute_command:
            task_policies[f"{name}-exec-policy"] = (
                "ECS Exec sessions: SSM channels and session logs",
                pulumi.Output.all(exec_log_group_arn=args.exec_log_group_arn, kms_key_arn=args.kms_key_arn).apply(
                    lambda v: _task_role_exec_policy(**v)))
        task_role, task_role_attachments = service_role(
            f"{name}-task-role",
            description="The running app: RDS IAM auth as its DB user, and ECS Exec channels when enabled",
            trust=trust,
            policies=task_policies,
            tags=tags,
            opts=child,
        )

        container_definitions = pulumi.Output.all(
            image=args.image_ref, db_host=args.db_host, db_secret_arn=args.db_secret_arn,
        ).apply(lambda v: json.dumps(_container_definitions(
            port=args.container_port, log_group=log_group_name, region=args.region, db_port=args.db_port,
            db_name=args.db_name, db_app_user=args.db_app_user, db_pool_size=args.db_pool_size,
            log_level=args.log_level, app_version=args.app_version,
            enable_execute_command=args.enable_execute_command, **v,
        ), sort_keys=True))

        volumes: list[dict[str, Any]] = [{"name": TMP_VOLUME}]
        if args.enable_execute_command:
            volumes += [{"name": volume} for volume in EXEC_AGENT_PATHS]
        task_definition = aws.ecs.TaskDefinition(
            f"{name}-taskdef",
            family=name,
            cpu=str(args.cpu),
            memory=str(args.memory),
            network_mode="awsvpc",
            requires_compatibilities=["FARGATE"],
            runtime_platform={"operating_system_family": "LINUX", "cpu_architecture": args.architecture},
            execution_role_arn=execution_role.arn,
            task_role_arn=task_role.arn,
            container_definitions=container_definitions,
            volumes=volumes,
            tags=tags,
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[args.image, log_group, *execution_attachments, *task_role_attachments]),
        )
        self.task_definition_arn = task_definition.arn
        self.family = task_definition.family
        self.log_group_name = log_group.name
        self.execution_role_arn = execution_role.arn
        self.task_role_arn = task_role.arn
        self.register_outputs({
            "taskDefinitionArn": self.task_definition_arn,
            "family": self.family,
            "logGroupName": self.log_group_name,
        })
