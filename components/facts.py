"""AWS facts and limits the program relies on, each with its source. Plain data and pure lookups only: what AWS
(or the app) allows, never what a stack chooses. ``checks`` judges values against these; ``settings`` and the
components' Args both call those checks.

To add a Fargate size, add its row to ``FARGATE_SIZES`` and its expected memory to the table test in
``tests/components/test_facts.py``.
"""

from __future__ import annotations

import re
from typing import Optional

#: Fargate task sizes (Linux): CPU units -> allowed memory in MiB. Source: ECS Developer Guide, "Task CPU and
#: memory" (RegisterTaskDefinition ``memory``); 8192 and 16384 need Linux platform 1.4.0, the default.
FARGATE_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}

#: ECS task CPU architecture -> the Docker platform an image for it is built for. Source: ECS API
#: RuntimePlatform ``cpuArchitecture`` (X86_64 | ARM64); OCI platform names.
DOCKER_PLATFORMS = {"ARM64": "linux/arm64", "X86_64": "linux/amd64"}
ARCHITECTURES = tuple(DOCKER_PLATFORMS)

#: Availability zones the network spans (a program limit: awsx allocates the subnets of 2 or 3 AZs here).
AZ_COUNTS = (2, 3)
#: awsx NatGatewayStrategy values this program deploys. "None" is deliberately absent: without NAT the private
#: subnets have no route to ECR, Secrets Manager or CloudWatch Logs (the only VPC endpoint is the S3 gateway for
#: image layers), so tasks could never start.
NAT_STRATEGIES = ("Single", "OnePerAz")

#: CloudWatch Logs accepts exactly these retention periods. Source: CloudWatch Logs API, PutRetentionPolicy
#: ``retentionInDays``.
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
                      2557, 2922, 3288, 3653)

#: The app's log levels (LOG_LEVEL). Source: app/src/config.js ``LOG_LEVELS`` (pino), without "silent".
LOG_LEVELS = ("trace", "debug", "info", "warn", "error", "fatal")

#: Ports the container may listen on: it runs as a non-root user with every capability dropped, so no port
#: below 1024 (Linux needs CAP_NET_BIND_SERVICE for those). Source: ECS task definition ``portMappings``.
UNPRIVILEGED_PORTS = (1024, 65535)

#: RDS Enhanced Monitoring intervals in seconds, 0 = off. Source: RDS API, CreateDBInstance
#: ``MonitoringInterval``.
MONITORING_INTERVALS = (0, 1, 5, 10, 15, 30, 60)
#: Automated backup retention in days, 0 = no backups. Source: RDS API, CreateDBInstance
#: ``BackupRetentionPeriod``.
BACKUP_RETENTION_DAYS = (0, 35)
#: gp3 storage of an RDS for MySQL instance in GiB. Source: RDS API, CreateDBInstance ``AllocatedStorage``
#: (General Purpose SSD, MySQL).
ALLOCATED_STORAGE_GIB = (20, 65536)
#: RDS for MySQL major versions this program deploys, and the parameter group family of each. Source: RDS User
#: Guide, "Supported MySQL major versions on Amazon RDS" (8.4 is the LTS line).
MYSQL_FAMILIES = {"8.4": "mysql8.4", "8.0": "mysql8.0"}
#: Majors past the end of RDS standard support (8.0: 2026-07-31). RDS refuses to create one with Extended
#: Support disabled, and bills Extended Support per vCPU-hour when it is enabled. Source: RDS User Guide,
#: "Using Amazon RDS Extended Support".
MYSQL_PAST_STANDARD_SUPPORT = ("8.0",)
#: engine_lifecycle_support values. Source: RDS API, CreateDBInstance ``EngineLifecycleSupport``.
ENGINE_LIFECYCLES = ("open-source-rds-extended-support-disabled", "open-source-rds-extended-support")
#: User names RDS for MySQL reserves for itself or that carry administrative meaning. Source: RDS User Guide,
#: "Master user account privileges" and MySQL's reserved accounts.
RESERVED_DB_USERS = ("admin", "root", "rdsadmin", "rdsrepladmin", "mysql.sys", "mysql.session",
                     "mysql.infoschema")
#: Longest user name: RDS CreateDBInstance allows 16 for the master user (``MasterUsername``, MySQL); MySQL 8
#: allows 32 for any user (MySQL Reference Manual, "Account Names").
MASTER_USER_MAX, DB_USER_MAX = 16, 32

#: The pending window of a KMS key scheduled for deletion, in days. Source: KMS API, ScheduleKeyDeletion
#: ``PendingWindowInDays``.
KMS_DELETION_WINDOW_DAYS = (7, 30)

#: Account ids that AWS documentation uses in examples; a certificate there is a placeholder, never yours.
EXAMPLE_ACCOUNTS = ("000000000000", "111111111111", "111122223333", "123456789012", "210987654321",
                    "444455556666", "555555555555", "777788889999", "999999999999")
#: ALB (and target group) names allow at most 32 characters of [A-Za-z0-9-]. Source: ELBv2 API,
#: CreateLoadBalancer ``Name``. Pulumi autonames a resource with a 7-character random suffix after a "-".
ALB_NAME_MAX, AUTONAME_SUFFIX = 32, 7

#: Memory (GiB) of an RDS instance size in the general-purpose and burstable families (db.t*, db.m*); the
#: memory-optimised families (db.r*) have twice as much from large up. Source: RDS User Guide, "DB instance
#: classes" (hardware specifications).
_GENERAL_PURPOSE_GIB = {"micro": 1, "small": 2, "medium": 4, "large": 8, "xlarge": 16}
#: RDS for MySQL's default max_connections is {DBInstanceClassMemory/12582880} (memory in bytes). Source: RDS
#: User Guide, "Maximum number of database connections".
MYSQL_BYTES_PER_CONNECTION = 12582880


def fargate_memory_options(cpu: int) -> tuple[int, ...]:
    """Allowed memory (MiB) for a Fargate CPU size; empty when the CPU size itself is invalid."""
    return FARGATE_SIZES.get(cpu, ())


def performance_insights_supported(instance_class: str) -> bool:
    """RDS for MySQL has no Performance Insights on the smallest burstable classes (RDS User Guide,
    "Amazon RDS DB engine, Region, and instance class support for Performance Insights")."""
    family, _, size = instance_class.removeprefix("db.").partition(".")
    return not (family.startswith("t") and size in ("micro", "small"))


def db_class_memory_gib(instance_class: str) -> Optional[int]:
    """Memory of an RDS class of the db.t*, db.m* or db.r* families in GiB, or None for another class."""
    match = re.match(r"^db\.([tmr])[0-9][a-z0-9]*\.(?:(\d+)(?=xlarge))?([a-z]+)$", instance_class)
    if not match or match.group(3) not in _GENERAL_PURPOSE_GIB:
        return None
    family, times, size = match.group(1), int(match.group(2) or 1), match.group(3)
    if family == "r":
        return 16 * times * (2 if size == "xlarge" else 1) if size in ("large", "xlarge") else None
    return _GENERAL_PURPOSE_GIB[size] * times


def mysql_max_connections(instance_class: str) -> Optional[int]:
    """RDS for MySQL's default max_connections for a class, from its nominal memory. RDS computes it from
    DBInstanceClassMemory, which is a little less than the nominal memory, so the real value is a little lower."""
    gib = db_class_memory_gib(instance_class)
    return None if gib is None else gib * 1024 ** 3 // MYSQL_BYTES_PER_CONNECTION
