"""Database: RDS for MySQL (8.4 LTS by default) in the isolated subnets, RDS-managed master secret, TLS
required, IAM database authentication for the app user, and its own log groups."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

from . import checks
from ._common import assume_role_policy, partition_for_region, policy_json
from .facts import ENGINE_LIFECYCLES, MYSQL_FAMILIES, performance_insights_supported
from .iam import service_role

MYSQL_PORT = 3306
CA_CERT = "rds-ca-rsa2048-g1"
LOG_EXPORTS = ["error", "slowquery"]
#: Parameters applied to every instance. require_secure_transport refuses unencrypted client connections; an
#: RDS for MySQL *instance* parameter group takes it as the boolean 1 (Aurora cluster groups take ON).
PARAMETERS = {
    "require_secure_transport": ("1", "immediate"),
    "slow_query_log": ("1", "immediate"),
    "long_query_time": ("2", "immediate"),
    "log_output": ("FILE", "immediate"),
}


def _monitoring_policy(*, region: str, account_id: str) -> str:
    """Enhanced Monitoring writes OS metrics to the RDSOSMetrics log group; nothing else."""
    partition = partition_for_region(region)
    group = f"arn:{partition}:logs:{region}:{account_id}:log-group:RDSOSMetrics"
    return policy_json(
        {"Sid": "ManageMetricsGroup", "Effect": "Allow",
         "Action": ["logs:CreateLogGroup", "logs:PutRetentionPolicy"], "Resource": group},
        {"Sid": "WriteMetrics", "Effect": "Allow",
         "Action": ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:GetLogEvents", "logs:PutLogEvents"],
         "Resource": f"{group}:log-stream:*"},
    )


#: DB instance identifiers: 1..63 letters, digits and hyphens, a letter first, no "--", no trailing hyphen.
_IDENTIFIER = re.compile(r"^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,62}$")


def _identifier(name: str) -> str:
    """The instance identifier, fixed so that the RDS log groups can be created before the instance."""
    identifier = f"{name}-db".lower()
    if not _IDENTIFIER.match(identifier):
        raise ValueError(f"name={name!r}: the DB instance identifier {identifier!r} must be 1..63 letters, digits "
                         "and hyphens, start with a letter, and have no '--' and no trailing hyphen")
    return identifier


def _final_snapshot_identifier(identifier: str, security_group_id: str) -> str:
    """A final snapshot name that no earlier deletion can have taken: AWS never reuses a security group id, and
    the DB's security group is created and destroyed with it."""
    return f"{identifier}-final-{security_group_id.removeprefix('sg-')}"


@dataclass(frozen=True)
class DatabaseArgs:
    """What the RDS for MySQL instance needs. Checks: ``checks.db_instance_class``, ``engine_version``,
    ``engine_lifecycle``, ``db_name``, ``master_user``, ``log_retention``, the storage and backup ranges,
    ``monitoring_interval``."""

    #: The VPC of the database's security group.
    vpc_id: pulumi.Input[str]
    #: The isolated subnets (no route to the internet) of the DB subnet group, one per AZ.
    subnet_ids: pulumi.Input[Sequence[str]]
    #: The RDS instance class, db.<family>.<size>, e.g. db.t4g.micro.
    instance_class: str
    #: RDS for MySQL version: "8.4" or "8.0", optionally with a patch ("8.4.7") (facts.MYSQL_FAMILIES).
    engine_version: str
    #: The schema created with the instance: 1..64 of [A-Za-z0-9_] starting with a letter.
    db_name: str
    #: The master user: 1..16 of [A-Za-z0-9_] starting with a letter, not a reserved name. RDS manages its password.
    username: str
    #: gp3 storage at creation, in GiB: 20..65536 (facts.ALLOCATED_STORAGE_GIB).
    allocated_storage: int
    #: Storage autoscaling's ceiling in GiB: at least ``allocated_storage``, at most 65536.
    max_allocated_storage: int
    #: A standby in another AZ.
    multi_az: bool
    #: Days of automated backups: 0..35, 0 = none (facts.BACKUP_RETENTION_DAYS).
    backup_retention_days: int
    #: RDS deletion protection, and Pulumi's protect on the instance.
    deletion_protection: bool
    #: Take a final snapshot (with a never-reused name) when the instance is deleted.
    final_snapshot: bool
    #: Enhanced Monitoring interval in seconds: 0 (off), 1, 5, 10, 15, 30 or 60 (facts.MONITORING_INTERVALS).
    monitoring_interval: int
    #: ARN of the KMS key for storage, the master secret, Performance Insights and the log groups.
    kms_key_arn: pulumi.Input[str]
    #: The stack's AWS region (aws:region), for the ARNs in the Enhanced Monitoring policy.
    region: str
    #: The account id (12 digits), for the Enhanced Monitoring role's trust and policy.
    account_id: pulumi.Input[str]
    #: RDS engine_lifecycle_support, always sent: without it RDS enrols the instance in paid Extended Support.
    #: One of facts.ENGINE_LIFECYCLES; a major past standard support needs the second. Default: disabled.
    engine_lifecycle_support: str = ENGINE_LIFECYCLES[0]
    #: Retention of the error and slow-query log groups, in days: a CloudWatch Logs value. Default 30.
    log_retention_days: int = 30
    #: Tags for every taggable child resource (key -> value). Default: none.
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        checks.validate(
            self, instance_class=checks.db_instance_class, engine_version=checks.engine_version,
            engine_lifecycle_support=lambda lifecycle: checks.engine_lifecycle(
                lifecycle, engine_version=self.engine_version),
            db_name=checks.db_name, username=checks.master_user, log_retention_days=checks.log_retention,
            allocated_storage=checks.allocated_storage,
            max_allocated_storage=lambda gib: checks.max_allocated_storage(gib, allocated=self.allocated_storage),
            backup_retention_days=checks.backup_retention, monitoring_interval=checks.monitoring_interval)


class Database(pulumi.ComponentResource):
    identifier: str
    resource_id: pulumi.Output[str]
    address: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    port: int
    db_name: str
    secret_arn: pulumi.Output[Optional[str]]
    security_group_id: pulumi.Output[str]

    def __init__(self, name: str, args: DatabaseArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("webservice:database:Database", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        identifier = _identifier(name)

        # No rules here: the service component allows exactly the tasks' group in on 3306.
        security_group = aws.ec2.SecurityGroup(
            f"{name}-db-sg",
            description="MySQL: reachable only from the app tasks' security group",
            vpc_id=args.vpc_id,
            tags={**tags, "Name": f"{name}-db"},
            opts=child,
        )
        subnet_group = aws.rds.SubnetGroup(
            f"{name}-subnets",
            description="Isolated subnets (no route to the internet)",
            subnet_ids=args.subnet_ids,
            tags=tags,
            opts=child,
        )
        parameter_group = aws.rds.ParameterGroup(
            f"{name}-params",
            family=MYSQL_FAMILIES[checks.mysql_major(args.engine_version) or ""],
            description="TLS required; slow query log",
            parameters=[{"name": key, "value": value, "apply_method": method}
                        for key, (value, method) in sorted(PARAMETERS.items())],
            tags=tags,
            opts=child,
        )

        monitoring_role_arn: Optional[pulumi.Output[str]] = None
        monitoring_deps: list[pulumi.Resource] = []
        if args.monitoring_interval:
            monitoring_role, monitoring_deps = service_role(
                f"{name}-monitoring-role",
                description="RDS Enhanced Monitoring",
                trust=pulumi.Output.from_input(args.account_id).apply(
                    lambda account: assume_role_policy("monitoring.rds.amazonaws.com", account_id=account)),
                policies={f"{name}-monitoring-policy": (
                    "Write Enhanced Monitoring metrics to RDSOSMetrics",
                    pulumi.Output.from_input(args.account_id).apply(
                        lambda account: _monitoring_policy(region=args.region, account_id=account)))},
                tags=tags,
                opts=child,
            )
            monitoring_role_arn = monitoring_role.arn

        # RDS would create these itself on the first export, with no retention and no key, and keep them after
        # the instance is gone. Created first, they follow the stack's retention, key and lifetime.
        log_groups = [
            aws.cloudwatch.LogGroup(
                f"{name}-db-{log}-logs",
                name=f"/aws/rds/instance/{identifier}/{log}",
                retention_in_days=args.log_retention_days,
                kms_key_id=args.kms_key_arn,
                tags=tags,
                opts=child,
            )
            for log in LOG_EXPORTS
        ]

        performance_insights = performance_insights_supported(args.instance_class)
        instance = aws.rds.Instance(
            f"{name}-db",
            identifier=identifier,
            engine="mysql",
            engine_version=args.engine_version,
            engine_lifecycle_support=args.engine_lifecycle_support,
            instance_class=args.instance_class,
            allocated_storage=args.allocated_storage,
            max_allocated_storage=args.max_allocated_storage,
            storage_type="gp3",
            storage_encrypted=True,
            kms_key_id=args.kms_key_arn,
            db_name=args.db_name,
            username=args.username,
            manage_master_user_password=True,
            master_user_secret_kms_key_id=args.kms_key_arn,
            iam_database_authentication_enabled=True,
            port=MYSQL_PORT,
            db_subnet_group_name=subnet_group.name,
            vpc_security_group_ids=[security_group.id],
            publicly_accessible=False,
            parameter_group_name=parameter_group.name,
            ca_cert_identifier=CA_CERT,
            multi_az=args.multi_az,
            backup_retention_period=args.backup_retention_days,
            backup_window="03:00-04:00",
            maintenance_window="sun:04:30-sun:05:30",
            copy_tags_to_snapshot=True,
            deletion_protection=args.deletion_protection,
            skip_final_snapshot=not args.final_snapshot,
            final_snapshot_identifier=security_group.id.apply(
                lambda group_id: _final_snapshot_identifier(identifier, group_id)) if args.final_snapshot else None,
            auto_minor_version_upgrade=True,
            allow_major_version_upgrade=False,
            enabled_cloudwatch_logs_exports=LOG_EXPORTS,
            performance_insights_enabled=performance_insights,
            performance_insights_kms_key_id=args.kms_key_arn if performance_insights else None,
            performance_insights_retention_period=7 if performance_insights else None,
            monitoring_interval=args.monitoring_interval,
            monitoring_role_arn=monitoring_role_arn,
            tags=tags,
            # A deletion-protected database is also protected in Pulumi: `destroy` and a replacement stop before
            # asking AWS, instead of failing half-way through.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*monitoring_deps, *log_groups],
                                        protect=args.deletion_protection),
        )
        self.identifier = identifier
        self.resource_id = instance.resource_id
        self.address = instance.address
        self.endpoint = instance.endpoint
        self.port = MYSQL_PORT
        self.db_name = args.db_name
        self.secret_arn = instance.master_user_secrets.apply(lambda secrets: secrets[0].secret_arn)
        self.security_group_id = security_group.id
        self.register_outputs({
            "identifier": self.identifier,
            "resourceId": self.resource_id,
            "address": self.address,
            "endpoint": self.endpoint,
            "secretArn": self.secret_arn,
            "securityGroupId": self.security_group_id,
        })
