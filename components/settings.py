"""Stack settings: read every config key once, validate all of it, return one frozen object.

Defaults live in ``Pulumi.yaml`` only. This module never invents a default: a key that Pulumi.yaml
declares without a default is required (``require_*``); every other key has its default there.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
from dataclasses import dataclass
from typing import Any, Optional

import pulumi
from pulumi.runtime import config

#: Fargate task sizes (Linux): CPU units -> allowed memory in MiB.
FARGATE_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}

ARCHITECTURES = ("ARM64", "X86_64")
#: "None" is deliberately absent: without NAT the private subnets have no route to ECR, Secrets Manager
#: or CloudWatch Logs (the only VPC endpoint is the S3 gateway for image layers), so tasks could never start.
NAT_STRATEGIES = ("Single", "OnePerAz")
AZ_COUNTS = (2, 3)
#: CloudWatch Logs accepts exactly these retention periods.
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
                      2557, 2922, 3288, 3653)
LOG_LEVELS = ("trace", "debug", "info", "warn", "error", "fatal")
MONITORING_INTERVALS = (0, 1, 5, 10, 15, 30, 60)
#: RDS for MySQL major versions this program deploys, and the parameter group family of each.
MYSQL_FAMILIES = {"8.4": "mysql8.4", "8.0": "mysql8.0"}
#: Majors past the end of RDS standard support (8.0: 2026-07-31). RDS refuses to create one with Extended
#: Support disabled, and bills Extended Support per vCPU-hour when it is enabled.
MYSQL_PAST_STANDARD_SUPPORT = ("8.0",)
#: engine_lifecycle_support values (RDS CreateDBInstance EngineLifecycleSupport).
ENGINE_LIFECYCLES = ("open-source-rds-extended-support-disabled", "open-source-rds-extended-support")
#: User names RDS for MySQL reserves for itself or that carry administrative meaning.
RESERVED_DB_USERS = ("admin", "root", "rdsadmin", "rdsrepladmin", "mysql.sys", "mysql.session",
                     "mysql.infoschema")
_ACM_ARN = re.compile(r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[A-Za-z0-9-]+$")
_DB_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
_DB_USER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
#: Longest user name: RDS CreateDBInstance allows 16 for the master user; MySQL 8 allows 32 for any user.
MASTER_USER_MAX, DB_USER_MAX = 16, 32
_MYSQL_VERSION = re.compile(r"^(\d+\.\d+)(\.\d+)?$")
_IMAGE_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$")
#: Account ids that AWS documentation uses in examples; a certificate there is a placeholder, never yours.
EXAMPLE_ACCOUNTS = ("000000000000", "111111111111", "111122223333", "123456789012", "210987654321",
                    "444455556666", "555555555555", "777788889999", "999999999999")
#: A DNS name ACM can issue for: 2+ labels of [a-z0-9-], each 1..63 without a leading or trailing hyphen.
_DNS_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
#: Route 53 hosted zone ids: Z plus upper-case letters and digits, at most 32 characters.
_ZONE_ID = re.compile(r"^Z[A-Z0-9]{1,31}$")
_IMAGE_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
#: Resource names derived from "<project>-<stack>": the ALB is autonamed "<project>-<stack>-alb-" plus 7
#: random characters, and ALB (and target group) names allow at most 32 characters of [A-Za-z0-9-]; the
#: ALB access-log bucket name must be lower case. So "<project>-<stack>" is at most 20 of [a-z0-9-].
NAME_PREFIX_MAX = 32 - len("-alb-") - 7
_NAME_PREFIX = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
#: The stack that must tell a person when an alarm fires (alarmEmail or alarmTopicArn); others may have no one.
ALARM_DESTINATION_REQUIRED_STACKS = ("prod",)
_EMAIL = re.compile(r"^[^@\s,]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_SNS_TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):[A-Za-z0-9_-]{1,256}(\.fifo)?$")
#: Memory (GiB) of an RDS instance size in the general-purpose and burstable families (db.t*, db.m*); the
#: memory-optimised families (db.r*) have twice as much from large up.
_GENERAL_PURPOSE_GIB = {"micro": 1, "small": 2, "medium": 4, "large": 8, "xlarge": 16}
#: RDS for MySQL's default max_connections is {DBInstanceClassMemory/12582880} (memory in bytes).
MYSQL_BYTES_PER_CONNECTION = 12582880


def fargate_memory_options(cpu: int) -> tuple[int, ...]:
    """Allowed memory (MiB) for a Fargate CPU size; empty when the CPU size itself is invalid."""
    return FARGATE_SIZES.get(cpu, ())


def mysql_major(engine_version: str) -> Optional[str]:
    """The major line ("8.4") of an RDS for MySQL version given as "8.4" or "8.4.<patch>", or None when the
    version is malformed or a major this program does not deploy."""
    match = _MYSQL_VERSION.match(engine_version)
    return match.group(1) if match and match.group(1) in MYSQL_FAMILIES else None


def db_user_problem(user: str, max_length: int = DB_USER_MAX) -> Optional[str]:
    """Why a MySQL user name of at most ``max_length`` characters is not allowed, or None."""
    if not (_DB_USER.match(user) and len(user) <= max_length):
        return f"must be 1..{max_length} of [A-Za-z0-9_] starting with a letter"
    if user.lower() in RESERVED_DB_USERS:
        return f"must not be a reserved name ({', '.join(RESERVED_DB_USERS)})"
    return None


def performance_insights_supported(instance_class: str) -> bool:
    """RDS for MySQL has no Performance Insights on the smallest burstable classes."""
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


#: Allowed values of each alarm threshold, by config key.
ALARM_THRESHOLD_RANGES = {
    "alarm5xxPercent": (1, 100), "alarmP99LatencyMs": (1, 60000), "alarmUnhealthyMinutes": (1, 60),
    "alarmDbCpuPercent": (1, 100), "alarmDbFreeStoragePercent": (1, 99), "alarmDbFreeMemoryPercent": (1, 99),
    "alarmDbConnectionsPercent": (1, 100),
}


def alarm_threshold_problem(key: str, value: int) -> str:
    low, high = ALARM_THRESHOLD_RANGES[key]
    return "" if isinstance(value, int) and low <= value <= high else f"allowed values are {low}..{high}"


def alarm_email_problem(email: Any) -> str:
    if isinstance(email, str) and _EMAIL.match(email):
        return ""
    return "each entry must be one e-mail address such as ops@example.com"


def alarm_topic_arn_problem(arn: str, region: str) -> str:
    match = _SNS_TOPIC_ARN.match(arn)
    if not match:
        return "must be an SNS topic ARN arn:aws:sns:<region>:<account>:<name>"
    if match.group(1) != region:
        return (f"the topic is in {match.group(1)}, but CloudWatch alarms can only notify a topic of their own "
                f"region ({region})")
    return ""


def dns_name_problem(name: str) -> str:
    """What is wrong with ``name`` as a public DNS name for a certificate; empty when it is fine."""
    labels = name.split(".")
    if len(name) > 253 or len(labels) < 2 or not all(_DNS_LABEL.match(label) for label in labels):
        return ("must be a lower-case DNS name such as app.example.com: 2 or more labels of [a-z0-9-], "
                "each 1..63 characters without a leading or trailing hyphen, 253 characters at most")
    return ""


def image_digest_problem(digest: str) -> str:
    """What is wrong with ``digest`` as an image digest to deploy; empty when it is fine (or empty)."""
    if digest and not _IMAGE_DIGEST.match(digest):
        return "must be empty (build the image here) or sha256: followed by 64 lower-case hex digits"
    return ""


def certificate_arn_problem(arn: str, region: str) -> str:
    """What is wrong with ``arn`` as the listener's ACM certificate in ``region``; empty when it is fine."""
    if not _ACM_ARN.match(arn):
        return "must be an ACM certificate ARN arn:aws:acm:<region>:<account>:certificate/<id>"
    _, _, _, arn_region, account, resource = arn.split(":", 5)
    if arn_region != region:
        return (f"the certificate is in {arn_region}, but the ALB is in aws:region {region}; an ALB can "
                "only use an ACM certificate of its own region")
    if account in EXAMPLE_ACCOUNTS or not resource.removeprefix("certificate/").strip("0-"):
        return (f"is a placeholder (example account {account} or an all-zero id); set the ARN of "
                "a certificate in your account, or use domainName for a managed one")
    return ""


@dataclass(frozen=True)
class Settings:
    """Every setting of one stack, validated."""

    project: str
    stack: str
    region: str
    # Task sizing and scaling
    cpu: int
    memory: int
    desired_count: int
    min_count: int
    max_count: int
    spot_percent: int
    architecture: str
    cpu_target_percent: int
    requests_per_target: int
    # Network
    vpc_cidr: str
    az_count: int
    nat_strategy: str
    # App
    container_port: int
    image_tag: str
    image_digest: str
    log_level: str
    db_pool_size: int
    enable_execute_command: bool
    log_retention_days: int
    # Load balancer and its name
    allow_http: bool
    domain_name: str
    hosted_zone_id: str
    hosted_zone_name: str
    certificate_arn: str
    alb_access_logs: bool
    alb_deletion_protection: bool
    # Database
    db_instance_class: str
    db_engine_version: str
    db_name: str
    db_username: str
    db_app_username: str
    db_engine_lifecycle_support: str
    db_allocated_storage: int
    db_max_allocated_storage: int
    db_multi_az: bool
    db_backup_retention_days: int
    db_deletion_protection: bool
    db_final_snapshot: bool
    db_monitoring_interval: int
    # Monitoring: where alarms go, and their thresholds
    alarm_emails: tuple[str, ...]
    alarm_topic_arn: str
    alarm_5xx_percent: int
    alarm_p99_latency_ms: int
    alarm_unhealthy_minutes: int
    alarm_db_cpu_percent: int
    alarm_db_free_storage_percent: int
    alarm_db_free_memory_percent: int
    alarm_db_connections_percent: int
    #: Keys set in the project's namespace that Pulumi.yaml does not declare (typos, removed keys).
    undeclared_keys: tuple[str, ...] = ()

    @property
    def platform(self) -> str:
        """Docker platform for the configured architecture."""
        return "linux/arm64" if self.architecture == "ARM64" else "linux/amd64"

    @property
    def https(self) -> bool:
        """The ALB serves HTTPS: with a managed certificate for domainName, or with certificateArn."""
        return bool(self.domain_name or self.certificate_arn)

    def errors(self) -> list[str]:
        """Every problem with these settings, one message per key. Empty when valid."""
        errs: list[str] = []

        def bad(key: str, value: object, allowed: str) -> None:
            errs.append(f"{key}={value!r}: {allowed}")

        errs.extend(_undeclared_errors(self.undeclared_keys))
        prefix = f"{self.project}-{self.stack}"
        if len(prefix) > NAME_PREFIX_MAX or not _NAME_PREFIX.match(prefix):
            errs.append(f"project and stack {prefix!r}: resource names start with '<project>-<stack>', which "
                        f"must be 1..{NAME_PREFIX_MAX} of [a-z0-9-] (ALB names are at most 32 characters with "
                        "Pulumi's 8-character suffix, and bucket names are lower case); use a shorter stack name")

        memory_options = fargate_memory_options(self.cpu)
        if not memory_options:
            bad("cpu", self.cpu, f"allowed Fargate CPU units are {', '.join(map(str, FARGATE_SIZES))}")
        elif self.memory not in memory_options:
            bad("memory", self.memory,
                f"Fargate CPU {self.cpu} allows memory {_describe_memory(memory_options)} (MiB)")
        for key, value in (("desiredCount", self.desired_count), ("minCount", self.min_count),
                           ("maxCount", self.max_count)):
            if value < 0:
                bad(key, value, "must be 0 or more")
        if self.min_count > self.desired_count:
            bad("minCount", self.min_count, f"must be <= desiredCount ({self.desired_count})")
        if self.desired_count > self.max_count:
            bad("desiredCount", self.desired_count, f"must be <= maxCount ({self.max_count})")
        if self.max_count < 1:
            bad("maxCount", self.max_count, "must be at least 1")
        if not 0 <= self.spot_percent <= 100:
            bad("spotPercent", self.spot_percent, "allowed values are 0..100")
        if self.architecture not in ARCHITECTURES:
            bad("architecture", self.architecture, f"allowed values are {', '.join(ARCHITECTURES)}")
        if not 1 <= self.cpu_target_percent <= 100:
            bad("cpuTargetPercent", self.cpu_target_percent, "allowed values are 1..100")
        if self.requests_per_target < 1:
            bad("requestsPerTarget", self.requests_per_target, "must be at least 1")
        try:
            net = ipaddress.ip_network(self.vpc_cidr, strict=True)
            if net.version != 4 or not 16 <= net.prefixlen <= 24:
                bad("vpcCidr", self.vpc_cidr, "must be an IPv4 CIDR with a prefix from /16 to /24")
        except ValueError:
            bad("vpcCidr", self.vpc_cidr, "must be an IPv4 CIDR such as 10.0.0.0/16 (host bits zero)")
        if self.az_count not in AZ_COUNTS:
            bad("azCount", self.az_count, "allowed values are 2..3")
        if self.nat_strategy not in NAT_STRATEGIES:
            bad("natStrategy", self.nat_strategy, f"allowed values are {', '.join(NAT_STRATEGIES)}")
        if not _REGION.match(self.region):
            bad("aws:region", self.region, "must be an AWS region such as us-east-1")
        if not 1024 <= self.container_port <= 65535:
            bad("containerPort", self.container_port,
                "allowed values are 1024..65535 (the container runs as a non-root user)")
        if self.image_tag and (self.image_tag == "latest" or not _IMAGE_TAG.match(self.image_tag)):
            bad("imageTag", self.image_tag,
                "must be empty (content hash) or a Docker tag [A-Za-z0-9_.-]{1,128} other than 'latest'")
        if self.log_level not in LOG_LEVELS:
            bad("logLevel", self.log_level, f"allowed values are {', '.join(LOG_LEVELS)}")
        if not 1 <= self.db_pool_size <= 100:
            bad("dbPoolSize", self.db_pool_size, "allowed values are 1..100")
        if self.log_retention_days not in LOG_RETENTION_DAYS:
            bad("logRetentionDays", self.log_retention_days,
                f"allowed values are {', '.join(map(str, LOG_RETENTION_DAYS))}")
        if image_digest_problem(self.image_digest):
            bad("imageDigest", self.image_digest, image_digest_problem(self.image_digest))
        errs.extend(self._https_errors())
        if not re.match(r"^db\.[a-z0-9-]+\.[a-z0-9]+$", self.db_instance_class):
            bad("dbInstanceClass", self.db_instance_class, "must be an RDS class such as db.t4g.micro (db.*)")
        major = mysql_major(self.db_engine_version)
        if major is None:
            bad("dbEngineVersion", self.db_engine_version,
                "allowed values are " + ", ".join(f"{m} or {m}.<patch>" for m in MYSQL_FAMILIES))
        if self.db_engine_lifecycle_support not in ENGINE_LIFECYCLES:
            bad("dbEngineLifecycleSupport", self.db_engine_lifecycle_support,
                f"allowed values are {', '.join(ENGINE_LIFECYCLES)}")
        elif major in MYSQL_PAST_STANDARD_SUPPORT and self.db_engine_lifecycle_support == ENGINE_LIFECYCLES[0]:
            bad("dbEngineLifecycleSupport", self.db_engine_lifecycle_support,
                f"MySQL {major} is past RDS standard support, so RDS refuses to create it without Extended "
                f"Support: use dbEngineVersion {next(iter(MYSQL_FAMILIES))}, or set {ENGINE_LIFECYCLES[1]} "
                f"on purpose (billed per vCPU-hour)")
        if not _DB_NAME.match(self.db_name):
            bad("dbName", self.db_name, "must be 1..64 of [A-Za-z0-9_] starting with a letter")
        for key, user, limit in (("dbUsername", self.db_username, MASTER_USER_MAX),
                                 ("dbAppUsername", self.db_app_username, DB_USER_MAX)):
            problem = db_user_problem(user, limit)
            if problem:
                bad(key, user, problem)
        if self.db_app_username.lower() == self.db_username.lower():
            bad("dbAppUsername", self.db_app_username,
                f"must differ from dbUsername ({self.db_username}): the app never connects as the master user")
        if not 20 <= self.db_allocated_storage <= 65536:
            bad("dbAllocatedStorage", self.db_allocated_storage, "allowed values are 20..65536 (GiB)")
        if not self.db_allocated_storage <= self.db_max_allocated_storage <= 65536:
            bad("dbMaxAllocatedStorage", self.db_max_allocated_storage,
                f"must be >= dbAllocatedStorage ({self.db_allocated_storage}) and <= 65536 (GiB)")
        if not 0 <= self.db_backup_retention_days <= 35:
            bad("dbBackupRetentionDays", self.db_backup_retention_days, "allowed values are 0..35")
        if self.db_monitoring_interval not in MONITORING_INTERVALS:
            bad("dbMonitoringInterval", self.db_monitoring_interval,
                f"allowed values are {', '.join(map(str, MONITORING_INTERVALS))}")
        if db_class_memory_gib(self.db_instance_class) is None and not any(e.startswith("dbInstanceClass=") for e in errs):
            bad("dbInstanceClass", self.db_instance_class,
                "the alarms need the class's memory: use a db.t*, db.m* or db.r* class of size micro..Nxlarge")
        errs.extend(self._alarm_errors())
        return errs

    def _alarm_errors(self) -> list[str]:
        """Where alarms go, and their thresholds."""
        errs: list[str] = []
        for email in self.alarm_emails:
            if alarm_email_problem(email):
                errs.append(f"alarmEmail={email!r}: {alarm_email_problem(email)}")
        if self.alarm_topic_arn and alarm_topic_arn_problem(self.alarm_topic_arn, self.region):
            errs.append(f"alarmTopicArn={self.alarm_topic_arn!r}: "
                        f"{alarm_topic_arn_problem(self.alarm_topic_arn, self.region)}")
        if self.stack in ALARM_DESTINATION_REQUIRED_STACKS and not (self.alarm_emails or self.alarm_topic_arn):
            errs.append(f"alarmEmail=[], alarmTopicArn='': stack {self.stack!r} must tell a person when an alarm "
                        "fires; set alarmEmail (one or more addresses) or alarmTopicArn (an existing SNS topic), "
                        "or both")
        for key, value in self.alarm_thresholds().items():
            if alarm_threshold_problem(key, value):
                errs.append(f"{key}={value!r}: {alarm_threshold_problem(key, value)}")
        return errs

    def alarm_thresholds(self) -> dict[str, int]:
        """The alarm thresholds by config key."""
        return {"alarm5xxPercent": self.alarm_5xx_percent, "alarmP99LatencyMs": self.alarm_p99_latency_ms,
                "alarmUnhealthyMinutes": self.alarm_unhealthy_minutes, "alarmDbCpuPercent": self.alarm_db_cpu_percent,
                "alarmDbFreeStoragePercent": self.alarm_db_free_storage_percent,
                "alarmDbFreeMemoryPercent": self.alarm_db_free_memory_percent,
                "alarmDbConnectionsPercent": self.alarm_db_connections_percent}

    def _https_errors(self) -> list[str]:
        """The HTTPS keys: exactly one way to get a certificate unless plain HTTP is allowed."""
        errs: list[str] = []
        zone_keys = [k for k, v in (("hostedZoneId", self.hosted_zone_id),
                                    ("hostedZoneName", self.hosted_zone_name)) if v]
        if self.domain_name and self.certificate_arn:
            errs.append(f"domainName={self.domain_name!r}, certificateArn={self.certificate_arn!r}: set one, "
                        "not both (domainName gets a managed certificate; certificateArn is for one managed "
                        "elsewhere)")
        elif not self.https and not self.allow_http:
            errs.append(f"domainName='', certificateArn='': stack {self.stack!r} serves HTTPS only; set "
                        "domainName plus hostedZoneId or hostedZoneName (a managed certificate and DNS record), "
                        "or certificateArn (a certificate of this account and region), or allowHttp: true for "
                        "plain HTTP")
        if self.domain_name:
            problem = dns_name_problem(self.domain_name)
            if problem:
                errs.append(f"domainName={self.domain_name!r}: {problem}")
            if not zone_keys:
                errs.append(f"domainName={self.domain_name!r}: needs the Route 53 public hosted zone that holds "
                            "it: set hostedZoneId or hostedZoneName")
        elif zone_keys:
            errs.append(f"{zone_keys[0]}: is used only with domainName; set domainName too, or remove it")
        if self.hosted_zone_id and not _ZONE_ID.match(self.hosted_zone_id):
            errs.append(f"hostedZoneId={self.hosted_zone_id!r}: must be a Route 53 hosted zone id: Z followed by "
                        "up to 31 upper-case letters and digits")
        if self.hosted_zone_name:
            zone = self.hosted_zone_name.rstrip(".")
            problem = dns_name_problem(zone)
            if problem:
                errs.append(f"hostedZoneName={self.hosted_zone_name!r}: {problem}")
            elif self.domain_name and not (self.domain_name == zone or self.domain_name.endswith("." + zone)):
                errs.append(f"domainName={self.domain_name!r}: is not in the hosted zone {zone!r}; use a name "
                            f"that ends in .{zone}")
        if self.certificate_arn:
            problem = certificate_arn_problem(self.certificate_arn, self.region)
            if problem:
                errs.append(f"certificateArn={self.certificate_arn!r}: {problem}")
        return errs

    def validate(self) -> "Settings":
        errs = self.errors()
        if errs:
            raise ValueError(f"invalid configuration for stack {self.stack!r}:\n  " + "\n  ".join(errs))
        return self


def _undeclared_errors(keys: tuple[str, ...]) -> list[str]:
    return [f"{key}: not a key of this project (Pulumi.yaml declares every key; check the spelling)" for key in keys]


def _describe_memory(options: tuple[int, ...]) -> str:
    if len(options) <= 4:
        return ", ".join(map(str, options))
    step = options[1] - options[0]
    return f"{options[0]}..{options[-1]} in steps of {step}"


class _Reader:
    """Reads typed keys from a ``pulumi.Config`` and collects missing or mistyped ones, instead of stopping at
    the first, so that one error can name them all."""

    _KINDS = {"require": "a value", "require_int": "an integer", "require_bool": "true or false"}

    def __init__(self, config: pulumi.Config) -> None:
        self._config = config
        self.errors: list[str] = []
        self.keys: set[str] = set()

    def _read(self, method: str, key: str, placeholder: Any) -> Any:
        self.keys.add(key)
        try:
            return getattr(self._config, method)(key)
        except (pulumi.ConfigMissingError, pulumi.ConfigTypeError):
            raw = self._config.get(key)
            shown = f"{self._config.name}:{key}" if self._config.name != pulumi.get_project() else key
            self.errors.append(f"{shown}={raw!r}: {'required, ' if raw is None else ''}"
                               f"must be {self._KINDS[method]}")
            return placeholder

    def require(self, key: str) -> str:
        return self._read("require", key, "")

    def require_int(self, key: str) -> int:
        return self._read("require_int", key, 0)

    def require_bool(self, key: str) -> bool:
        return self._read("require_bool", key, False)

    def get(self, key: str) -> Optional[str]:
        self.keys.add(key)
        return self._config.get(key)

    def require_list(self, key: str) -> tuple[Any, ...]:
        """A list-typed key (a YAML list in the stack file)."""
        self.keys.add(key)
        try:
            value = self._config.get_object(key)
        except pulumi.ConfigTypeError:
            value = None
        if not isinstance(value, list):
            self.errors.append(f"{key}={self._config.get(key)!r}: must be a list, e.g. [ops@example.com]")
            return ()
        return tuple(value)

    def undeclared(self) -> tuple[str, ...]:
        """Keys set in this namespace that were never read: the CLI passes every one, declared or not."""
        prefix = f"{self._config.name}:"
        present = set(config.CONFIG.get()) | set(config.get_config_env())
        return tuple(sorted(k.removeprefix(prefix) for k in present
                            if k.startswith(prefix) and k.removeprefix(prefix) not in self.keys))


def load_settings(config: Optional[pulumi.Config] = None, aws_config: Optional[pulumi.Config] = None) -> Settings:
    """Read every key once (defaults come from Pulumi.yaml), validate, and return the settings. Missing or
    mistyped keys are reported together; the other rules are checked once every key has its type."""
    c = _Reader(config or pulumi.Config())
    aws = _Reader(aws_config or pulumi.Config("aws"))
    settings = Settings(
        project=pulumi.get_project(),
        stack=pulumi.get_stack(),
        region=aws.require("region"),
        cpu=c.require_int("cpu"),
        memory=c.require_int("memory"),
        desired_count=c.require_int("desiredCount"),
        min_count=c.require_int("minCount"),
        max_count=c.require_int("maxCount"),
        spot_percent=c.require_int("spotPercent"),
        architecture=c.require("architecture"),
        cpu_target_percent=c.require_int("cpuTargetPercent"),
        requests_per_target=c.require_int("requestsPerTarget"),
        vpc_cidr=c.require("vpcCidr"),
        az_count=c.require_int("azCount"),
        nat_strategy=c.require("natStrategy"),
        container_port=c.require_int("containerPort"),
        image_tag=c.get("imageTag") or "",
        image_digest=c.get("imageDigest") or "",
        log_level=c.require("logLevel"),
        db_pool_size=c.require_int("dbPoolSize"),
        enable_execute_command=c.require_bool("enableExecuteCommand"),
        log_retention_days=c.require_int("logRetentionDays"),
        allow_http=c.require_bool("allowHttp"),
        domain_name=c.get("domainName") or "",
        hosted_zone_id=c.get("hostedZoneId") or "",
        hosted_zone_name=c.get("hostedZoneName") or "",
        certificate_arn=c.get("certificateArn") or "",
        alb_access_logs=c.require_bool("albAccessLogs"),
        alb_deletion_protection=c.require_bool("albDeletionProtection"),
        db_instance_class=c.require("dbInstanceClass"),
        db_engine_version=c.require("dbEngineVersion"),
        db_name=c.require("dbName"),
        db_username=c.require("dbUsername"),
        db_app_username=c.require("dbAppUsername"),
        db_engine_lifecycle_support=c.require("dbEngineLifecycleSupport"),
        db_allocated_storage=c.require_int("dbAllocatedStorage"),
        db_max_allocated_storage=c.require_int("dbMaxAllocatedStorage"),
        db_multi_az=c.require_bool("dbMultiAz"),
        db_backup_retention_days=c.require_int("dbBackupRetentionDays"),
        db_deletion_protection=c.require_bool("dbDeletionProtection"),
        db_final_snapshot=c.require_bool("dbFinalSnapshot"),
        db_monitoring_interval=c.require_int("dbMonitoringInterval"),
        alarm_emails=c.require_list("alarmEmail"),
        alarm_topic_arn=c.get("alarmTopicArn") or "",
        alarm_5xx_percent=c.require_int("alarm5xxPercent"),
        alarm_p99_latency_ms=c.require_int("alarmP99LatencyMs"),
        alarm_unhealthy_minutes=c.require_int("alarmUnhealthyMinutes"),
        alarm_db_cpu_percent=c.require_int("alarmDbCpuPercent"),
        alarm_db_free_storage_percent=c.require_int("alarmDbFreeStoragePercent"),
        alarm_db_free_memory_percent=c.require_int("alarmDbFreeMemoryPercent"),
        alarm_db_connections_percent=c.require_int("alarmDbConnectionsPercent"),
    )
    settings = dataclasses.replace(settings, undeclared_keys=c.undeclared())
    # A key that does not exist is reported with the mistyped ones, since a typo is often both.
    read_errors = aws.errors + c.errors
    if read_errors:
        read_errors += _undeclared_errors(settings.undeclared_keys)
        raise ValueError(f"invalid configuration for stack {settings.stack!r}:\n  " + "\n  ".join(read_errors))
    return settings.validate()
