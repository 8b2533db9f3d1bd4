"""One small check per rule, and the one wording of a failed check.

A check takes the value to judge (and, after ``*``, the other values the rule depends on) and returns what is
wrong with it, or ``""`` when it is fine. It never names a field: ``problems`` does, as ``<name>=<value>:
<problem>``, where the name is the config key for ``Settings`` (its fields carry the key) and the field name for
a component's Args. So a bad value reads the same wherever it is caught.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
from typing import Any, Callable, Mapping, Optional, Sequence, Union

from .facts import (ALLOCATED_STORAGE_GIB, ARCHITECTURES, AZ_COUNTS, BACKUP_RETENTION_DAYS, DB_USER_MAX,
                    DOCKER_PLATFORMS, ENGINE_LIFECYCLES, EXAMPLE_ACCOUNTS, FARGATE_SIZES, KMS_DELETION_WINDOW_DAYS,
                    LOG_LEVELS, LOG_RETENTION_DAYS, MASTER_USER_MAX, MONITORING_INTERVALS, MYSQL_FAMILIES,
                    MYSQL_PAST_STANDARD_SUPPORT, NAT_STRATEGIES, RESERVED_DB_USERS, UNPRIVILEGED_PORTS,
                    db_class_memory_gib, fargate_memory_options)

Check = Callable[[Any], str]

_ACM_ARN = re.compile(r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[A-Za-z0-9-]+$")
_DB_CLASS = re.compile(r"^db\.[a-z0-9-]+\.[a-z0-9]+$")
_DB_USER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_MYSQL_VERSION = re.compile(r"^(\d+\.\d+)(\.\d+)?$")
_IMAGE_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_IMAGE_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
#: A DNS name ACM can issue for: 2+ labels of [a-z0-9-], each 1..63 without a leading or trailing hyphen.
_DNS_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_EMAIL = re.compile(r"^[^@\s,]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_SNS_TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):[A-Za-z0-9_-]{1,256}(\.fifo)?$")


# -- the wording ---------------------------------------------------------------------------------------------

def problems(obj: Any, rules: Mapping[str, Union[Check, Sequence[Check]]]) -> list[str]:
    """``<name>=<value>: <problem>`` for every check of ``rules`` (field -> check or checks) that ``obj``'s field
    fails. The name is the field's config key when its metadata has one (``Settings``), else the field name."""
    fields = {f.name: f for f in dataclasses.fields(obj)}
    messages = []
    for name, field_checks in rules.items():
        value = getattr(obj, name)
        shown = fields[name].metadata.get("key", name)
        for check in field_checks if isinstance(field_checks, Sequence) else (field_checks,):
            problem = check(value)
            if problem:
                messages.append(f"{shown}={value!r}: {problem}")
    return messages


def validate(obj: Any, **rules: Union[Check, Sequence[Check]]) -> None:
    """Raise one ValueError that lists every failed check of an Args object (see ``problems``)."""
    messages = problems(obj, rules)
    if messages:
        raise ValueError("\n".join(messages))


def one_of(value: Any, allowed: Sequence[Any]) -> str:
    return "" if value in allowed else f"allowed values are {', '.join(map(str, allowed))}"


def between(value: int, low: int, high: int, unit: str = "") -> str:
    return "" if isinstance(value, int) and low <= value <= high else f"allowed values are {low}..{high}{unit}"


def at_least(value: int, low: int) -> str:
    return "" if value >= low else ("must be 0 or more" if low == 0 else f"must be at least {low}")


# -- task and scaling ----------------------------------------------------------------------------------------

def fargate_cpu(cpu: int) -> str:
    return "" if cpu in FARGATE_SIZES else f"allowed Fargate CPU units are {', '.join(map(str, FARGATE_SIZES))}"


def fargate_memory(memory: int, *, cpu: int) -> str:
    """Memory for a valid CPU size (an invalid CPU is ``fargate_cpu``'s problem, not this one's)."""
    options = fargate_memory_options(cpu)
    if not options or memory in options:
        return ""
    shown = ", ".join(map(str, options)) if len(options) <= 4 else \
        f"{options[0]}..{options[-1]} in steps of {options[1] - options[0]}"
    return f"Fargate CPU {cpu} allows memory {shown} (MiB)"


def architecture(value: str) -> str:
    return one_of(value, ARCHITECTURES)


def docker_platform(value: str) -> str:
    return one_of(value, tuple(DOCKER_PLATFORMS.values()))


def container_port(port: int) -> str:
    low, high = UNPRIVILEGED_PORTS
    return between(port, low, high, " (the container runs as a non-root user)")


def log_level(value: str) -> str:
    return one_of(value, LOG_LEVELS)


def log_retention(days: int) -> str:
    return one_of(days, LOG_RETENTION_DAYS)


def task_count(count: int) -> str:
    return at_least(count, 0)


def max_count(count: int) -> str:
    return at_least(count, 1)


def min_count(count: int, *, desired: int) -> str:
    return "" if count <= desired else f"must be <= the desired count ({desired})"


def desired_count(count: int, *, maximum: int) -> str:
    return "" if count <= maximum else f"must be <= the maximum count ({maximum})"


def spot_percent(value: int) -> str:
    return between(value, 0, 100)


# -- network and load balancer -------------------------------------------------------------------------------

def az_count(value: int) -> str:
    return between(value, AZ_COUNTS[0], AZ_COUNTS[-1])


def nat_strategy(value: str) -> str:
    return one_of(value, NAT_STRATEGIES)


def dns_name(name: str) -> str:
    """A public DNS name a certificate can be issued for (empty: none)."""
    labels = name.split(".")
    if not name:
        return ""
    if len(name) > 253 or len(labels) < 2 or not all(_DNS_LABEL.match(label) for label in labels):
        return ("must be a lower-case DNS name such as app.example.com: 2 or more labels of [a-z0-9-], "
                "each 1..63 characters without a leading or trailing hyphen, 253 characters at most")
    return ""


def certificate_arn(arn: str, *, region: str) -> str:
    """The listener's ACM certificate in ``region`` (empty: none)."""
    if not arn:
        return ""
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


def single_certificate_source(arn: str, *, domain_name: str) -> str:
    """A certificate ARN and a domain name (which gets a managed certificate) exclude each other."""
    if arn and domain_name:
        return (f"set it or the domain name ({domain_name}), not both: a domain name gets a managed "
                "certificate; a certificate ARN is for one managed elsewhere")
    return ""


def domain_zone(domain_name: str, *, zone_id: str, zone_name: str) -> str:
    """A domain name needs the Route 53 public hosted zone that holds it."""
    if domain_name and not (zone_id or zone_name):
        return "needs the Route 53 public hosted zone that holds it: set its hosted zone id or name"
    return ""


# -- registry ------------------------------------------------------------------------------------------------

def image_tag(tag: str) -> str:
    ok = not tag or (tag != "latest" and _IMAGE_TAG.match(tag))
    return "" if ok else "must be empty (content hash) or a Docker tag [A-Za-z0-9_.-]{1,128} other than 'latest'"


def image_digest(digest: str) -> str:
    ok = not digest or _IMAGE_DIGEST.match(digest)
    return "" if ok else "must be empty (build the image here) or sha256: followed by 64 lower-case hex digits"


# -- database ------------------------------------------------------------------------------------------------

def mysql_major(engine_version: str) -> Optional[str]:
    """The major line ("8.4") of an RDS for MySQL version given as "8.4" or "8.4.<patch>", or None when the
    version is malformed or a major this program does not deploy."""
    match = _MYSQL_VERSION.match(engine_version)
    return match.group(1) if match and match.group(1) in MYSQL_FAMILIES else None


def db_instance_class(value: str) -> str:
    return "" if _DB_CLASS.match(value) else "must be an RDS class such as db.t4g.micro (db.*)"


def db_class_memory(value: str) -> str:
    """The alarms size their thresholds from the class's memory."""
    if db_class_memory_gib(value) is None:
        return "the alarms need the class's memory: use a db.t*, db.m* or db.r* class of size micro..Nxlarge"
    return ""


def engine_version(version: str) -> str:
    if mysql_major(version) is None:
        return "allowed values are " + ", ".join(f"{m} or {m}.<patch>" for m in MYSQL_FAMILIES)
    return ""


def engine_lifecycle(value: str, *, engine_version: str) -> str:
    problem = one_of(value, ENGINE_LIFECYCLES)
    major = mysql_major(engine_version)
    if not problem and major in MYSQL_PAST_STANDARD_SUPPORT and value == ENGINE_LIFECYCLES[0]:
        problem = (f"MySQL {major} is past RDS standard support, so RDS refuses to create it without Extended "
                   f"Support: use MySQL {next(iter(MYSQL_FAMILIES))}, or set {ENGINE_LIFECYCLES[1]} on purpose "
                   "(billed per vCPU-hour)")
    return problem


def db_user(user: str, max_length: int = DB_USER_MAX) -> str:
    """A MySQL user name of at most ``max_length`` characters that RDS does not reserve."""
    if not (_DB_USER.match(user) and len(user) <= max_length):
        return f"must be 1..{max_length} of [A-Za-z0-9_] starting with a letter"
    if user.lower() in RESERVED_DB_USERS:
        return f"must not be a reserved name ({', '.join(RESERVED_DB_USERS)})"
    return ""


def master_user(user: str) -> str:
    return db_user(user, MASTER_USER_MAX)


def app_user(user: str, *, master: str) -> str:
    """The app's own database user: a valid name other than the master user's."""
    if not db_user(user) and user.lower() == master.lower():
        return f"must differ from the master user ({master}): the app never connects as the master user"
    return db_user(user)


def backup_retention(days: int) -> str:
    return between(days, *BACKUP_RETENTION_DAYS)


def allocated_storage(gib: int) -> str:
    return between(gib, *ALLOCATED_STORAGE_GIB, " (GiB)")


def max_allocated_storage(gib: int, *, allocated: int) -> str:
    """Storage autoscaling's ceiling: at least the allocated storage, at most RDS's limit."""
    if allocated <= gib <= ALLOCATED_STORAGE_GIB[1]:
        return ""
    return f"must be >= the allocated storage ({allocated}) and <= {ALLOCATED_STORAGE_GIB[1]} (GiB)"


def monitoring_interval(seconds: int) -> str:
    return one_of(seconds, MONITORING_INTERVALS)


# -- keys and monitoring -------------------------------------------------------------------------------------

def kms_deletion_window(days: int) -> str:
    return between(days, *KMS_DELETION_WINDOW_DAYS)


def alarm_emails(emails: Sequence[Any]) -> str:
    bad = [email for email in emails if not (isinstance(email, str) and _EMAIL.match(email))]
    return f"each entry must be one e-mail address such as ops@example.com, not {bad[0]!r}" if bad else ""


def alarm_topic_arn(arn: str, *, region: str) -> str:
    """An existing SNS topic that alarms of ``region`` can notify (empty: none)."""
    if not arn:
        return ""
    match = _SNS_TOPIC_ARN.match(arn)
    if not match:
        return "must be an SNS topic ARN arn:aws:sns:<region>:<account>:<name>"
    if match.group(1) != region:
        return (f"the topic is in {match.group(1)}, but CloudWatch alarms can only notify a topic of their own "
                f"region ({region})")
    return ""


#: Allowed values of each alarm threshold, by ``monitoring.Thresholds`` field.
ALARM_THRESHOLD_RANGES = {
    "five_xx_percent": (1, 100), "p99_latency_ms": (1, 60000), "unhealthy_minutes": (1, 60),
    "db_cpu_percent": (1, 100), "db_free_storage_percent": (1, 99), "db_free_memory_percent": (1, 99),
    "db_connections_percent": (1, 100),
}


def alarm_threshold(name: str) -> Check:
    """The check of the alarm threshold ``name`` (a ``Thresholds`` field)."""
    low, high = ALARM_THRESHOLD_RANGES[name]
    return lambda value: between(value, low, high)


# -- settings only: the account and network a stack lives in ----------------------------------------------------

_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$")
#: Route 53 hosted zone ids: Z plus upper-case letters and digits, at most 32 characters.
_ZONE_ID = re.compile(r"^Z[A-Z0-9]{1,31}$")
_DB_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")


def region(value: str) -> str:
    return "" if _REGION.match(value) else "must be an AWS region such as us-east-1"


def vpc_cidr(value: str) -> str:
    try:
        net = ipaddress.ip_network(value, strict=True)
    except ValueError:
        return "must be an IPv4 CIDR such as 10.0.0.0/16 (host bits zero)"
    if net.version != 4 or not 16 <= net.prefixlen <= 24:
        return "must be an IPv4 CIDR with a prefix from /16 to /24"
    return ""


def hosted_zone_id(value: str) -> str:
    ok = not value or _ZONE_ID.match(value)
    return "" if ok else "must be a Route 53 hosted zone id: Z followed by up to 31 upper-case letters and digits"


def db_name(value: str) -> str:
    return "" if _DB_NAME.match(value) else "must be 1..64 of [A-Za-z0-9_] starting with a letter"
