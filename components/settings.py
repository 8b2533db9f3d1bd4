"""Stack settings: read every config key once, validate all of it, return one frozen object.

Defaults live in ``Pulumi.yaml`` only. This module never invents a default: a key that Pulumi.yaml
declares without a default is required (``require_*``); every other key has its default there.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any, Optional

import pulumi
from pulumi.runtime import config

from . import checks
from .facts import ALB_NAME_MAX, AUTONAME_SUFFIX, DOCKER_PLATFORMS

#: Resource names derived from "<project>-<stack>": the ALB is autonamed "<project>-<stack>-alb-" plus Pulumi's
#: random suffix, and ALB (and target group) names have a length limit; the ALB access-log bucket name must be
#: lower case. So "<project>-<stack>" is at most 20 of [a-z0-9-].
NAME_PREFIX_MAX = ALB_NAME_MAX - len("-alb-") - AUTONAME_SUFFIX
_NAME_PREFIX = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
#: The stack that must tell a person when an alarm fires (alarmEmail or alarmTopicArn); others may have no one.
ALARM_DESTINATION_REQUIRED_STACKS = ("prod",)


def _key(name: str, *, optional: bool = False) -> Any:
    """A field read from the config key ``name``. An ``optional`` string key reads as "" when unset."""
    return field(metadata={"key": name, "optional": optional})


@dataclass(frozen=True)
class Settings:
    """Every setting of one stack, validated."""

    project: str
    stack: str
    region: str = _key("aws:region")
    # Task sizing and scaling
    cpu: int = _key("cpu")
    memory: int = _key("memory")
    desired_count: int = _key("desiredCount")
    min_count: int = _key("minCount")
    max_count: int = _key("maxCount")
    spot_percent: int = _key("spotPercent")
    architecture: str = _key("architecture")
    cpu_target_percent: int = _key("cpuTargetPercent")
    requests_per_target: int = _key("requestsPerTarget")
    # Network
    vpc_cidr: str = _key("vpcCidr")
    az_count: int = _key("azCount")
    nat_strategy: str = _key("natStrategy")
    # App
    container_port: int = _key("containerPort")
    image_tag: str = _key("imageTag", optional=True)
    image_digest: str = _key("imageDigest", optional=True)
    log_level: str = _key("logLevel")
    db_pool_size: int = _key("dbPoolSize")
    enable_execute_command: bool = _key("enableExecuteCommand")
    log_retention_days: int = _key("logRetentionDays")
    # Load balancer and its name
    allow_http: bool = _key("allowHttp")
    domain_name: str = _key("domainName", optional=True)
    hosted_zone_id: str = _key("hostedZoneId", optional=True)
    hosted_zone_name: str = _key("hostedZoneName", optional=True)
    certificate_arn: str = _key("certificateArn", optional=True)
    alb_access_logs: bool = _key("albAccessLogs")
    alb_deletion_protection: bool = _key("albDeletionProtection")
    # Database
    db_instance_class: str = _key("dbInstanceClass")
    db_engine_version: str = _key("dbEngineVersion")
    db_name: str = _key("dbName")
    db_username: str = _key("dbUsername")
    db_app_username: str = _key("dbAppUsername")
    db_engine_lifecycle_support: str = _key("dbEngineLifecycleSupport")
    db_allocated_storage: int = _key("dbAllocatedStorage")
    db_max_allocated_storage: int = _key("dbMaxAllocatedStorage")
    db_multi_az: bool = _key("dbMultiAz")
    db_backup_retention_days: int = _key("dbBackupRetentionDays")
    db_deletion_protection: bool = _key("dbDeletionProtection")
    db_final_snapshot: bool = _key("dbFinalSnapshot")
    db_monitoring_interval: int = _key("dbMonitoringInterval")
    # Monitoring: where alarms go, and their thresholds
    alarm_emails: tuple[str, ...] = _key("alarmEmail")
    alarm_topic_arn: str = _key("alarmTopicArn", optional=True)
    alarm_5xx_percent: int = _key("alarm5xxPercent")
    alarm_p99_latency_ms: int = _key("alarmP99LatencyMs")
    alarm_unhealthy_minutes: int = _key("alarmUnhealthyMinutes")
    alarm_db_cpu_percent: int = _key("alarmDbCpuPercent")
    alarm_db_free_storage_percent: int = _key("alarmDbFreeStoragePercent")
    alarm_db_free_memory_percent: int = _key("alarmDbFreeMemoryPercent")
    alarm_db_connections_percent: int = _key("alarmDbConnectionsPercent")
    #: Keys set in the project's namespace that Pulumi.yaml does not declare (typos, removed keys).
    undeclared_keys: tuple[str, ...] = ()

    @property
    def platform(self) -> str:
        """Docker platform for the configured architecture."""
        return DOCKER_PLATFORMS.get(self.architecture, DOCKER_PLATFORMS["X86_64"])

    @property
    def https(self) -> bool:
        """The ALB serves HTTPS: with a managed certificate for domainName, or with certificateArn."""
        return bool(self.domain_name or self.certificate_arn)

    def errors(self) -> list[str]:
        """Every problem with these settings, one message per key and problem. Empty when valid. Each key's
        checks are the ones the components' Args run on the same value (``components.checks``)."""
        errs = _undeclared_errors(self.undeclared_keys)
        prefix = f"{self.project}-{self.stack}"
        if len(prefix) > NAME_PREFIX_MAX or not _NAME_PREFIX.match(prefix):
            errs.append(f"project and stack {prefix!r}: resource names start with '<project>-<stack>', which "
                        f"must be 1..{NAME_PREFIX_MAX} of [a-z0-9-] (ALB names are at most 32 characters with "
                        "Pulumi's 8-character suffix, and bucket names are lower case); use a shorter stack name")
        errs += checks.problems(self, {
            "region": checks.region,
            "cpu": checks.fargate_cpu,
            "memory": lambda memory: checks.fargate_memory(memory, cpu=self.cpu),
            "desired_count": (checks.task_count, lambda n: checks.desired_count(n, maximum=self.max_count)),
            "min_count": (checks.task_count, lambda n: checks.min_count(n, desired=self.desired_count)),
            "max_count": checks.max_count,
            "spot_percent": checks.spot_percent,
            "architecture": checks.architecture,
            "cpu_target_percent": lambda percent: checks.between(percent, 1, 100),
            "requests_per_target": lambda requests: checks.at_least(requests, 1),
            "vpc_cidr": checks.vpc_cidr,
            "az_count": checks.az_count,
            "nat_strategy": checks.nat_strategy,
            "container_port": checks.container_port,
            "image_tag": checks.image_tag,
            "image_digest": checks.image_digest,
            "log_level": checks.log_level,
            "db_pool_size": lambda size: checks.between(size, 1, 100),
            "log_retention_days": checks.log_retention,
            "db_instance_class": lambda klass: checks.db_instance_class(klass) or checks.db_class_memory(klass),
            "db_engine_version": checks.engine_version,
            "db_engine_lifecycle_support": lambda lifecycle: checks.engine_lifecycle(
                lifecycle, engine_version=self.db_engine_version),
            "db_name": checks.db_name,
            "db_username": checks.master_user,
            "db_app_username": lambda user: checks.app_user(user, master=self.db_username),
            "db_allocated_storage": checks.allocated_storage,
            "db_max_allocated_storage": lambda gib: checks.max_allocated_storage(
                gib, allocated=self.db_allocated_storage),
            "db_backup_retention_days": checks.backup_retention,
            "db_monitoring_interval": checks.monitoring_interval,
        })
        return errs + self._https_errors() + self._alarm_errors()

    def _alarm_errors(self) -> list[str]:
        """Where alarms go, and their thresholds."""
        errs = checks.problems(self, {
            "alarm_emails": checks.alarm_emails,
            "alarm_topic_arn": lambda arn: checks.alarm_topic_arn(arn, region=self.region),
            "alarm_5xx_percent": checks.alarm_threshold("five_xx_percent"),
            "alarm_p99_latency_ms": checks.alarm_threshold("p99_latency_ms"),
            "alarm_unhealthy_minutes": checks.alarm_threshold("unhealthy_minutes"),
            "alarm_db_cpu_percent": checks.alarm_threshold("db_cpu_percent"),
            "alarm_db_free_storage_percent": checks.alarm_threshold("db_free_storage_percent"),
            "alarm_db_free_memory_percent": checks.alarm_threshold("db_free_memory_percent"),
            "alarm_db_connections_percent": checks.alarm_threshold("db_connections_percent"),
        })
        if self.stack in ALARM_DESTINATION_REQUIRED_STACKS and not (self.alarm_emails or self.alarm_topic_arn):
            errs.append(f"alarmEmail=[], alarmTopicArn='': stack {self.stack!r} must tell a person when an alarm "
                        "fires; set alarmEmail (one or more addresses) or alarmTopicArn (an existing SNS topic), "
                        "or both")
        return errs

    def _https_errors(self) -> list[str]:
        """The HTTPS keys: exactly one way to get a certificate unless plain HTTP is allowed."""
        errs = checks.problems(self, {
            "domain_name": (checks.dns_name, lambda name: checks.domain_zone(
                name, zone_id=self.hosted_zone_id, zone_name=self.hosted_zone_name)),
            "hosted_zone_id": checks.hosted_zone_id,
            "hosted_zone_name": lambda zone: checks.dns_name(zone.rstrip(".")),
            "certificate_arn": (lambda arn: checks.certificate_arn(arn, region=self.region),
                                lambda arn: checks.single_certificate_source(arn, domain_name=self.domain_name)),
        })
        if not self.https and not self.allow_http:
            errs.append(f"domainName='', certificateArn='': stack {self.stack!r} serves HTTPS only; set "
                        "domainName plus hostedZoneId or hostedZoneName (a managed certificate and DNS record), "
                        "or certificateArn (a certificate of this account and region), or allowHttp: true for "
                        "plain HTTP")
        zone_keys = [k for k, v in (("hostedZoneId", self.hosted_zone_id),
                                    ("hostedZoneName", self.hosted_zone_name)) if v]
        if zone_keys and not self.domain_name:
            errs.append(f"{zone_keys[0]}: is used only with domainName; set domainName too, or remove it")
        zone = self.hosted_zone_name.rstrip(".")
        if (self.domain_name and zone and not checks.dns_name(zone)
                and not (self.domain_name == zone or self.domain_name.endswith("." + zone))):
            errs.append(f"domainName={self.domain_name!r}: is not in the hosted zone {zone!r}; use a name "
                        f"that ends in .{zone}")
        return errs

    def validate(self) -> "Settings":
        errs = self.errors()
        if errs:
            raise ValueError(f"invalid configuration for stack {self.stack!r}:\n  " + "\n  ".join(errs))
        return self


def _undeclared_errors(keys: tuple[str, ...]) -> list[str]:
    return [f"{key}: not a key of this project (Pulumi.yaml declares every key; check the spelling)" for key in keys]


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

    def optional(self, key: str) -> str:
        """A string key that may be unset: "" then."""
        self.keys.add(key)
        return self._config.get(key) or ""

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


#: Pulumi.yaml's type of a config key, and the reader method, by the annotation of its Settings field.
_KINDS = {"int": ("integer", "require_int"), "bool": ("boolean", "require_bool"), "str": ("string", "require"),
          "tuple[str, ...]": ("array", "require_list")}
#: Every config key Settings reads: key -> (Settings field, Pulumi.yaml type, reader method). ``aws:region`` is
#: the AWS provider's key; the others are the project's, each declared in Pulumi.yaml.
CONFIG_KEYS = {f.metadata["key"]: (f.name, _KINDS[str(f.type)][0],
                                   "optional" if f.metadata["optional"] else _KINDS[str(f.type)][1])
               for f in dataclasses.fields(Settings) if "key" in f.metadata}


def load_settings(config: Optional[pulumi.Config] = None, aws_config: Optional[pulumi.Config] = None) -> Settings:
    """Read every key once (defaults come from Pulumi.yaml), validate, and return the settings. Missing or
    mistyped keys are reported together; the other rules are checked once every key has its type."""
    c = _Reader(config or pulumi.Config())
    aws = _Reader(aws_config or pulumi.Config("aws"))
    values = {}
    for key, (name, _, method) in CONFIG_KEYS.items():
        reader, own_key = (aws, key.removeprefix("aws:")) if key.startswith("aws:") else (c, key)
        values[name] = getattr(reader, method)(own_key)
    settings = Settings(project=pulumi.get_project(), stack=pulumi.get_stack(), **values)
    settings = dataclasses.replace(settings, undeclared_keys=c.undeclared())
    # A key that does not exist is reported with the mistyped ones, since a typo is often both.
    read_errors = aws.errors + c.errors
    if read_errors:
        read_errors += _undeclared_errors(settings.undeclared_keys)
        raise ValueError(f"invalid configuration for stack {settings.stack!r}:\n  " + "\n  ".join(read_errors))
    return settings.validate()
