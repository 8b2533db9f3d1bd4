"""Settings validation: every rule, with the key, the bad value and what is allowed in the message."""

from __future__ import annotations

import dataclasses

import pytest

from components.cluster import ClusterArgs
from components.database import DatabaseArgs
from components.facts import FARGATE_SIZES
from components.monitoring import MonitoringArgs, NotificationsArgs, Thresholds
from components.network import NetworkArgs
from components.registry import RegistryArgs
from components.service import ServiceArgs
from components.settings import CONFIG_KEYS, Settings, load_settings
from components.task import TaskArgs
from tests.mocks import load_stack_config

VALID = Settings(
    project="webservice", stack="prod", region="us-east-1", cpu=1024, memory=2048, desired_count=3,
    min_count=3, max_count=12, spot_percent=0, architecture="ARM64", cpu_target_percent=60,
    requests_per_target=1000, vpc_cidr="10.0.0.0/16", az_count=3, nat_strategy="OnePerAz",
    container_port=8080, image_tag="", image_digest="", log_level="info", db_pool_size=10,
    enable_execute_command=False, log_retention_days=365, allow_http=False, domain_name="prod.example.com",
    hosted_zone_id="", hosted_zone_name="example.com", certificate_arn="", alb_access_logs=True,
    alb_deletion_protection=True, db_instance_class="db.m7g.large",
    db_engine_version="8.4", db_engine_lifecycle_support="open-source-rds-extended-support-disabled",
    db_name="app", db_username="appadmin", db_app_username="app", db_allocated_storage=50,
    db_max_allocated_storage=500, db_multi_az=True, db_backup_retention_days=14, db_deletion_protection=True,
    db_final_snapshot=True, db_monitoring_interval=60, alarm_emails=("oncall@example.com",), alarm_topic_arn="",
    alarm_5xx_percent=5, alarm_p99_latency_ms=1000, alarm_unhealthy_minutes=5, alarm_db_cpu_percent=80,
    alarm_db_free_storage_percent=10, alarm_db_free_memory_percent=10, alarm_db_connections_percent=80,
)


def error_for(**changes) -> str:
    """The single validation message for settings that differ from VALID by ``changes``."""
    with pytest.raises(ValueError) as raised:
        dataclasses.replace(VALID, **changes).validate()
    return str(raised.value)


def test_valid_settings_pass():
    assert VALID.validate() is VALID


def test_memory_off_the_step_is_rejected_for_large_cpu():
    message = error_for(cpu=8192, memory=18432)
    assert "memory=18432" in message and "16384..61440 in steps of 4096" in message


def test_negative_counts_are_rejected():
    message = error_for(min_count=-1, desired_count=-1, max_count=-1)
    assert "desiredCount=-1: must be 0 or more" in message and "minCount=-1: must be 0 or more" in message
    assert "maxCount=-1: must be at least 1" in message


@pytest.mark.parametrize("cidr", ["10.0.0.0/33", "10.0.0.1/16", "banana", "10.0.0.0/8", "fd00::/56"])
def test_bad_cidr_is_rejected(cidr):
    message = error_for(vpc_cidr=cidr)
    assert f"vpcCidr={cidr!r}" in message and "IPv4 CIDR" in message


@pytest.mark.parametrize("azs", [1, 4])
def test_az_count_outside_two_to_three_is_rejected(azs):
    assert f"azCount={azs}: allowed values are 2..3" in error_for(az_count=azs)


@pytest.mark.parametrize("share", [-1, 101])
def test_spot_share_outside_0_to_100_is_rejected(share):
    assert f"spotPercent={share}: allowed values are 0..100" in error_for(spot_percent=share)


REAL_CERT = "arn:aws:acm:us-east-1:210987654320:certificate/3f2a9c1e-8b7d-4e6f-9a1b-2c3d4e5f6a7b"
NO_DOMAIN = dict(domain_name="", hosted_zone_name="")


def test_prod_without_domain_or_certificate_is_rejected_naming_the_keys_to_set():
    message = error_for(**NO_DOMAIN)
    assert "domainName='', certificateArn='': stack 'prod' serves HTTPS only" in message
    assert "hostedZoneId or hostedZoneName" in message and "allowHttp: true" in message


def test_any_stack_with_allow_http_may_go_without_certificate():
    dataclasses.replace(VALID, stack="qa", allow_http=True, **NO_DOMAIN).validate()


def test_a_new_stack_without_allow_http_needs_a_certificate():
    assert "stack 'qa' serves HTTPS only" in error_for(stack="qa", **NO_DOMAIN)


def test_certificate_managed_elsewhere_is_accepted():
    dataclasses.replace(VALID, certificate_arn=REAL_CERT, **NO_DOMAIN).validate()


def test_certificate_that_is_not_an_acm_arn_is_rejected():
    message = error_for(certificate_arn="arn:aws:iam::111122223333:server-certificate/x", **NO_DOMAIN)
    assert "certificateArn=" in message and "ACM certificate ARN" in message


@pytest.mark.parametrize("arn", [
    "arn:aws:acm:us-east-1:111122223333:certificate/00000000-0000-0000-0000-000000000000",
    "arn:aws:acm:us-east-1:123456789012:certificate/3f2a9c1e-8b7d-4e6f-9a1b-2c3d4e5f6a7b",
    "arn:aws:acm:us-east-1:000000000000:certificate/3f2a9c1e-8b7d-4e6f-9a1b-2c3d4e5f6a7b",
    "arn:aws:acm:us-east-1:210987654320:certificate/00000000-0000-0000-0000-000000000000",
])
def test_placeholder_certificates_are_rejected(arn):
    assert "is a placeholder" in error_for(certificate_arn=arn, **NO_DOMAIN)


def test_domain_outside_its_zone_is_rejected():
    message = error_for(domain_name="app.example.org")
    assert "domainName='app.example.org': is not in the hosted zone 'example.com'" in message


def test_domain_equal_to_its_zone_apex_is_accepted():
    dataclasses.replace(VALID, domain_name="example.com").validate()


def test_zone_without_domain_is_rejected():
    assert "hostedZoneId: is used only with domainName" in error_for(
        hosted_zone_id="Z0123456789ABC", certificate_arn=REAL_CERT, **NO_DOMAIN)


@pytest.mark.parametrize("zone_id", ["z0123", "0123ABC", "Z" + "A" * 32, "Z01-23"])
def test_malformed_hosted_zone_id_is_rejected(zone_id):
    assert f"hostedZoneId={zone_id!r}: must be a Route 53 hosted zone id" in error_for(hosted_zone_id=zone_id)


@pytest.mark.parametrize("domain", ["App.example.com", "localhost", "-a.example.com", "a..example.com",
                                    "a_b.example.com", ("x" * 64) + ".example.com"])
def test_malformed_domain_is_rejected(domain):
    assert f"domainName={domain!r}: must be a lower-case DNS name" in error_for(domain_name=domain)


@pytest.mark.parametrize("digest", ["sha256:" + "A" * 64, "sha256:" + "0" * 63, "0" * 64, "sha512:" + "0" * 64])
def test_malformed_image_digest_is_rejected(digest):
    assert f"imageDigest={digest!r}: must be empty" in error_for(image_digest=digest)


def test_well_formed_image_digest_is_accepted():
    dataclasses.replace(VALID, image_digest="sha256:" + "0123456789abcdef" * 4).validate()


@pytest.mark.parametrize("stack", ["production-eu-west1", "Prod", "qa_1"])
def test_stack_names_that_make_invalid_resource_names_are_rejected(stack):
    message = error_for(stack=stack)
    assert f"project and stack 'webservice-{stack}'" in message and "1..20 of [a-z0-9-]" in message


def test_longest_allowed_stack_name_fits_the_alb_name_limit():
    stack = "x" * (20 - len("webservice-"))
    dataclasses.replace(VALID, stack=stack).validate()
    assert len(f"webservice-{stack}-alb-") + 7 == 32


def test_undeclared_keys_are_named():
    message = error_for(undeclared_keys=("cpuu", "certficateArn"))
    assert "cpuu: not a key of this project" in message and "certficateArn: not a key" in message


def test_max_storage_above_the_rds_limit_is_rejected():
    assert "dbMaxAllocatedStorage=70000" in error_for(db_max_allocated_storage=70000)


@pytest.mark.parametrize("klass", ["t4g.micro", "m7g.large", "cache.t4g.micro"])
def test_db_class_not_db_star_is_rejected(klass):
    message = error_for(db_instance_class=klass)
    assert f"dbInstanceClass={klass!r}" in message and "(db.*)" in message


@pytest.mark.parametrize("user", ["admin", "Root", "rdsadmin", "rdsrepladmin"])
def test_reserved_db_user_names_are_rejected_for_both_users(user):
    assert f"dbUsername={user!r}: must not be a reserved name" in error_for(db_username=user)
    assert f"dbAppUsername={user!r}: must not be a reserved name" in error_for(db_app_username=user)


def test_master_user_name_is_at_most_16_characters_and_app_user_at_most_32():
    assert "dbUsername='a234567890123456' " not in error_for(db_username="a234567890123456", db_name="1")
    assert ("dbUsername='a2345678901234567': must be 1..16 of [A-Za-z0-9_] starting with a letter"
            in error_for(db_username="a2345678901234567"))
    assert "dbAppUsername=" not in error_for(db_app_username="a" * 32, db_name="1")
    assert ("dbAppUsername='" + "a" * 33 + "': must be 1..32 of [A-Za-z0-9_] starting with a letter"
            in error_for(db_app_username="a" * 33))
    assert "dbAppUsername='app-user': must be 1..32" in error_for(db_app_username="app-user")


def test_app_user_must_not_be_the_master_user():
    assert ("dbAppUsername='AppAdmin': must differ from the master user (appadmin): the app never connects as "
            "the master user") in error_for(db_app_username="AppAdmin")


@pytest.mark.parametrize("version", ["8.4", "8.4.7", "8.0", "8.0.43"])
def test_mysql_84_and_80_versions_are_accepted(version):
    lifecycle = "open-source-rds-extended-support" if version.startswith("8.0") else \
        "open-source-rds-extended-support-disabled"
    changed = dataclasses.replace(VALID, db_engine_version=version, db_engine_lifecycle_support=lifecycle)
    assert changed.validate() is changed


@pytest.mark.parametrize("version", ["8", "8.1", "5.7", "9.0", "8.4.x", "8.4.1.2", "v8.4"])
def test_other_mysql_versions_are_rejected_with_the_allowed_lines(version):
    assert (f"dbEngineVersion={version!r}: allowed values are 8.4 or 8.4.<patch>, 8.0 or 8.0.<patch>"
            in error_for(db_engine_version=version))


def test_all_errors_come_in_one_exception():
    message = error_for(cpu=256, memory=4096, spot_percent=120, nat_strategy="Many", az_count=5,
                        db_instance_class="m7g.large", vpc_cidr="nope", undeclared_keys=("cpuu",), **NO_DOMAIN)
    for key in ("memory=4096", "spotPercent=120", "natStrategy='Many'", "azCount=5", "dbInstanceClass=",
                "certificateArn=''", "vpcCidr='nope'", "cpuu: not a key"):
        assert key in message
    assert message.count("\n  ") == 8


def test_platform_follows_architecture():
    assert VALID.platform == "linux/arm64"
    assert dataclasses.replace(VALID, architecture="X86_64").platform == "linux/amd64"


def _load(run, config, stack="prod"):
    holder = {}
    run(lambda: holder.setdefault("settings", load_settings()), stack=stack, config=config)
    return holder["settings"]


def _load_error(run, config, stack="dev") -> str:
    """The message of the one error load_settings raises for ``config``."""
    with pytest.raises(ValueError) as raised:
        run(lambda: load_settings(), stack=stack, config=config)
    return str(raised.value)


def test_load_settings_reads_pulumi_yaml_defaults_and_stack_file(run):
    settings = _load(run, load_stack_config("prod"))
    assert dataclasses.replace(settings, image_tag="") == VALID


def test_load_settings_keeps_an_explicit_zero(run):
    config = {**load_stack_config("dev"), "webservice:spotPercent": "0"}
    assert _load(run, config, stack="dev").spot_percent == 0


def test_load_settings_fails_before_any_resource_with_all_errors(run):
    config = {**load_stack_config("prod"), "webservice:cpu": "256", "webservice:memory": "4096",
              "webservice:natStrategy": "Many"}
    message = _load_error(run, config, stack="prod")
    assert "memory=4096" in message and "natStrategy='Many'" in message


def test_missing_required_key_is_reported(run):
    config = {k: v for k, v in load_stack_config("dev").items() if k != "aws:region"}
    with pytest.raises(ValueError, match=r"aws:region=None: required, must be a value"):
        run(lambda: load_settings(), stack="dev", config=config)


def test_mistyped_keys_are_all_reported_in_one_error(run):
    config = {**load_stack_config("dev"), "webservice:cpu": "lots", "webservice:dbMultiAz": "maybe",
              "webservice:maxCount": "2.5"}
    message = _load_error(run, config, stack="dev")
    assert "cpu='lots': must be an integer" in message
    assert "maxCount='2.5': must be an integer" in message
    assert "dbMultiAz='maybe': must be true or false" in message
    assert message.count("\n  ") == 3


def test_an_undeclared_key_in_the_project_namespace_is_an_error(run):
    config = {**load_stack_config("dev"), "webservice:cpuu": "256", "webservice:dbMultiAZ": "true",
              "other:key": "fine"}
    message = _load_error(run, config, stack="dev")
    assert "cpuu: not a key of this project" in message and "dbMultiAZ: not a key" in message
    assert "other" not in message


def test_undeclared_keys_are_reported_with_mistyped_ones(run):
    config = {**load_stack_config("dev"), "webservice:cpu": "lots", "webservice:memroy": "512"}
    message = _load_error(run, config, stack="dev")
    assert "cpu='lots': must be an integer" in message and "memroy: not a key of this project" in message


def test_pulumi_yaml_declares_exactly_the_keys_settings_reads_with_their_types():
    """Settings' table of keys against Pulumi.yaml's config schema: the same keys, the same types, and a key read
    as optional ("" when unset) exactly where Pulumi.yaml's default is ""."""
    import yaml
    from tests.mocks import ROOT

    declared = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["config"]
    read = {key: entry for key, entry in CONFIG_KEYS.items() if key != "aws:region"}
    assert set(read) == set(declared)
    assert {key: kind for key, (_, kind, _) in read.items()} == {key: d["type"] for key, d in declared.items()}
    assert {key for key, (_, _, method) in read.items() if method == "optional"} == \
        {key for key, d in declared.items() if d.get("default") == ""}
    assert CONFIG_KEYS["aws:region"] == ("region", "string", "require")


def test_prod_without_alarm_destination_is_rejected_and_dev_may_have_none():
    message = error_for(alarm_emails=(), alarm_topic_arn="")
    assert "alarmEmail=[], alarmTopicArn='': stack 'prod' must tell a person when an alarm fires" in message
    assert dataclasses.replace(VALID, alarm_emails=(), alarm_topic_arn="arn:aws:sns:us-east-1:210987654320:pager"
                               ).validate()
    assert dataclasses.replace(VALID, stack="dev", alarm_emails=()).validate()


def test_alarm_destinations_are_checked():
    assert ("alarmEmail=('ops at example',): each entry must be one e-mail address such as ops@example.com, not "
            "'ops at example'") in error_for(alarm_emails=("ops at example",))
    assert "alarmTopicArn='pager': must be an SNS topic ARN" in error_for(alarm_topic_arn="pager")
    assert ("the topic is in eu-west-1, but CloudWatch alarms can only notify a topic of their own region "
            "(us-east-1)") in error_for(alarm_topic_arn="arn:aws:sns:eu-west-1:210987654320:pager")


def test_alarm_email_must_be_a_list(run):
    config = {**load_stack_config("dev"), "webservice:alarmEmail": "ops@example.com"}
    assert "alarmEmail='ops@example.com': must be a list" in _load_error(run, config, stack="dev")


# -- Each shared rule, once through Settings (named by config key) and once through each Args that runs it (named
# -- by field): the same check, so the same problem after the name.

#: Valid values of the fields each Args class checks, as in VALID; every other required field is a resource
#: output or a value no check reads, and gets a placeholder.
CHECKED = {
    TaskArgs: dict(cpu=1024, memory=2048, architecture="ARM64", container_port=8080, log_retention_days=365,
                   db_app_user="app", log_level="info"),
    NetworkArgs: dict(az_count=3, nat_strategy="OnePerAz", log_retention_days=365),
    ClusterArgs: dict(log_retention_days=365),
    DatabaseArgs: dict(instance_class="db.m7g.large", engine_version="8.4", db_name="app", username="appadmin",
                       allocated_storage=50, max_allocated_storage=500, backup_retention_days=14,
                       monitoring_interval=60, log_retention_days=365,
                       engine_lifecycle_support="open-source-rds-extended-support-disabled"),
    ServiceArgs: dict(desired_count=3, min_count=3, max_count=12, spot_percent=0, container_port=8080,
                      certificate_arn="", domain_name="prod.example.com", hosted_zone_name="example.com",
                      region="us-east-1", log_retention_days=365),
    RegistryArgs: dict(platform="linux/arm64"),
    NotificationsArgs: dict(region="us-east-1", emails=("oncall@example.com",)),
    MonitoringArgs: dict(alarm_actions=["arn:aws:sns:us-east-1:210987654320:alarms"],
                         db_instance_class="db.m7g.large"),
    Thresholds: dict(five_xx_percent=5, p99_latency_ms=1000, unhealthy_minutes=5, db_cpu_percent=80,
                     db_free_storage_percent=10, db_free_memory_percent=10, db_connections_percent=80),
}


def build(cls, **changes):
    required = {f.name: "placeholder" for f in dataclasses.fields(cls)
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
    return cls(**{**required, **CHECKED[cls], **changes})


def args_error(cls, **changes) -> str:
    with pytest.raises(ValueError) as raised:
        build(cls, **changes)
    return str(raised.value)


def test_valid_args_pass():
    for cls in CHECKED:
        assert isinstance(build(cls), cls)


TOPIC_ELSEWHERE = "arn:aws:sns:eu-west-1:210987654320:pager"
CERT_ELSEWHERE = REAL_CERT.replace("us-east-1", "eu-west-1")
SHARED_RULES = [
    # config key, Settings changes, Args class, field, Args changes, the problem
    ("cpu", dict(cpu=300), TaskArgs, "cpu", dict(cpu=300),
     "allowed Fargate CPU units are " + ", ".join(map(str, FARGATE_SIZES))),
    ("memory", dict(cpu=256, memory=4096), TaskArgs, "memory", dict(cpu=256, memory=4096),
     "Fargate CPU 256 allows memory 512, 1024, 2048 (MiB)"),
    ("architecture", dict(architecture="arm64"), TaskArgs, "architecture", dict(architecture="arm64"),
     "allowed values are ARM64, X86_64"),
    ("containerPort", dict(container_port=80), TaskArgs, "container_port", dict(container_port=80),
     "allowed values are 1024..65535 (the container runs as a non-root user)"),
    ("containerPort", dict(container_port=80), ServiceArgs, "container_port", dict(container_port=80),
     "allowed values are 1024..65535 (the container runs as a non-root user)"),
    ("logLevel", dict(log_level="loud"), TaskArgs, "log_level", dict(log_level="loud"),
     "allowed values are trace, debug, info, warn, error, fatal"),
    *[("logRetentionDays", dict(log_retention_days=100), cls, "log_retention_days", dict(log_retention_days=100),
       "allowed values are 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, "
       "2922, 3288, 3653") for cls in (TaskArgs, NetworkArgs, ClusterArgs, DatabaseArgs, ServiceArgs)],
    ("dbAppUsername", dict(db_app_username="root"), TaskArgs, "db_app_user", dict(db_app_user="root"),
     "must not be a reserved name (admin, root, rdsadmin, rdsrepladmin, mysql.sys, mysql.session, mysql.infoschema)"),
    ("azCount", dict(az_count=4), NetworkArgs, "az_count", dict(az_count=4), "allowed values are 2..3"),
    ("natStrategy", dict(nat_strategy="None"), NetworkArgs, "nat_strategy", dict(nat_strategy="None"),
     "allowed values are Single, OnePerAz"),
    ("minCount", dict(min_count=4), ServiceArgs, "min_count", dict(min_count=4), "must be <= the desired count (3)"),
    ("minCount", dict(min_count=-1), ServiceArgs, "min_count", dict(min_count=-1), "must be 0 or more"),
    ("desiredCount", dict(desired_count=13), ServiceArgs, "desired_count", dict(desired_count=13),
     "must be <= the maximum count (12)"),
    ("maxCount", dict(min_count=0, desired_count=0, max_count=0), ServiceArgs, "max_count",
     dict(min_count=0, desired_count=0, max_count=0), "must be at least 1"),
    ("spotPercent", dict(spot_percent=101), ServiceArgs, "spot_percent", dict(spot_percent=101),
     "allowed values are 0..100"),
    ("certificateArn", dict(certificate_arn=CERT_ELSEWHERE, **NO_DOMAIN), ServiceArgs, "certificate_arn",
     dict(certificate_arn=CERT_ELSEWHERE, domain_name="", hosted_zone_name=""),
     "the certificate is in eu-west-1, but the ALB is in aws:region us-east-1; an ALB can only use an ACM "
     "certificate of its own region"),
    ("certificateArn", dict(certificate_arn=REAL_CERT), ServiceArgs, "certificate_arn",
     dict(certificate_arn=REAL_CERT), "set it or the domain name (prod.example.com), not both: a domain name gets "
     "a managed certificate; a certificate ARN is for one managed elsewhere"),
    ("domainName", dict(hosted_zone_name=""), ServiceArgs, "domain_name", dict(hosted_zone_name=""),
     "needs the Route 53 public hosted zone that holds it: set its hosted zone id or name"),
    ("domainName", dict(domain_name="a..example.com"), ServiceArgs, "domain_name",
     dict(domain_name="a..example.com"), "must be a lower-case DNS name such as app.example.com: 2 or more labels "
     "of [a-z0-9-], each 1..63 characters without a leading or trailing hyphen, 253 characters at most"),
    ("imageTag", dict(image_tag="latest"), RegistryArgs, "image_tag", dict(image_tag="latest"),
     "must be empty (content hash) or a Docker tag [A-Za-z0-9_.-]{1,128} other than 'latest'"),
    ("imageDigest", dict(image_digest="sha256:x"), RegistryArgs, "image_digest", dict(image_digest="sha256:x"),
     "must be empty (build the image here) or sha256: followed by 64 lower-case hex digits"),
    ("dbInstanceClass", dict(db_instance_class="m7g.large"), DatabaseArgs, "instance_class",
     dict(instance_class="m7g.large"), "must be an RDS class such as db.t4g.micro (db.*)"),
    ("dbInstanceClass", dict(db_instance_class="db.x2g.large"), MonitoringArgs, "db_instance_class",
     dict(db_instance_class="db.x2g.large"),
     "the alarms need the class's memory: use a db.t*, db.m* or db.r* class of size micro..Nxlarge"),
    ("dbEngineVersion", dict(db_engine_version="8.1"), DatabaseArgs, "engine_version", dict(engine_version="8.1"),
     "allowed values are 8.4 or 8.4.<patch>, 8.0 or 8.0.<patch>"),
    ("dbEngineLifecycleSupport", dict(db_engine_lifecycle_support="none"), DatabaseArgs,
     "engine_lifecycle_support", dict(engine_lifecycle_support="none"),
     "allowed values are open-source-rds-extended-support-disabled, open-source-rds-extended-support"),
    ("dbEngineLifecycleSupport", dict(db_engine_version="8.0"), DatabaseArgs, "engine_lifecycle_support",
     dict(engine_version="8.0"), "MySQL 8.0 is past RDS standard support, so RDS refuses to create it without "
     "Extended Support: use MySQL 8.4, or set open-source-rds-extended-support on purpose (billed per vCPU-hour)"),
    ("dbName", dict(db_name="1app"), DatabaseArgs, "db_name", dict(db_name="1app"),
     "must be 1..64 of [A-Za-z0-9_] starting with a letter"),
    ("dbUsername", dict(db_username="a2345678901234567"), DatabaseArgs, "username",
     dict(username="a2345678901234567"), "must be 1..16 of [A-Za-z0-9_] starting with a letter"),
    ("dbAllocatedStorage", dict(db_allocated_storage=10), DatabaseArgs, "allocated_storage",
     dict(allocated_storage=10), "allowed values are 20..65536 (GiB)"),
    ("dbMaxAllocatedStorage", dict(db_max_allocated_storage=40), DatabaseArgs, "max_allocated_storage",
     dict(max_allocated_storage=40), "must be >= the allocated storage (50) and <= 65536 (GiB)"),
    ("dbBackupRetentionDays", dict(db_backup_retention_days=36), DatabaseArgs, "backup_retention_days",
     dict(backup_retention_days=36), "allowed values are 0..35"),
    ("dbMonitoringInterval", dict(db_monitoring_interval=7), DatabaseArgs, "monitoring_interval",
     dict(monitoring_interval=7), "allowed values are 0, 1, 5, 10, 15, 30, 60"),
    ("alarmEmail", dict(alarm_emails=("ops at example",)), NotificationsArgs, "emails",
     dict(emails=("ops at example",)),
     "each entry must be one e-mail address such as ops@example.com, not 'ops at example'"),
    ("alarmTopicArn", dict(alarm_topic_arn=TOPIC_ELSEWHERE), NotificationsArgs, "external_topic_arn",
     dict(external_topic_arn=TOPIC_ELSEWHERE), "the topic is in eu-west-1, but CloudWatch alarms can only notify "
     "a topic of their own region (us-east-1)"),
    ("alarm5xxPercent", dict(alarm_5xx_percent=0), Thresholds, "five_xx_percent", dict(five_xx_percent=0),
     "allowed values are 1..100"),
    ("alarmP99LatencyMs", dict(alarm_p99_latency_ms=60001), Thresholds, "p99_latency_ms",
     dict(p99_latency_ms=60001), "allowed values are 1..60000"),
    ("alarmUnhealthyMinutes", dict(alarm_unhealthy_minutes=61), Thresholds, "unhealthy_minutes",
     dict(unhealthy_minutes=61), "allowed values are 1..60"),
    ("alarmDbCpuPercent", dict(alarm_db_cpu_percent=101), Thresholds, "db_cpu_percent",
     dict(db_cpu_percent=101), "allowed values are 1..100"),
    ("alarmDbFreeStoragePercent", dict(alarm_db_free_storage_percent=100), Thresholds, "db_free_storage_percent",
     dict(db_free_storage_percent=100), "allowed values are 1..99"),
    ("alarmDbFreeMemoryPercent", dict(alarm_db_free_memory_percent=0), Thresholds, "db_free_memory_percent",
     dict(db_free_memory_percent=0), "allowed values are 1..99"),
    ("alarmDbConnectionsPercent", dict(alarm_db_connections_percent=0), Thresholds, "db_connections_percent",
     dict(db_connections_percent=0), "allowed values are 1..100"),
]


@pytest.mark.parametrize("key, settings_changes, cls, field, args_changes, problem", SHARED_RULES,
                         ids=[f"{rule[0]}-{rule[2].__name__}-{index}" for index, rule in enumerate(SHARED_RULES)])
def test_a_shared_rule_reads_the_same_from_settings_and_from_args(key, settings_changes, cls, field, args_changes,
                                                                   problem):
    settings_value = getattr(dataclasses.replace(VALID, **settings_changes), CONFIG_KEYS[key][0])
    assert f"{key}={settings_value!r}: {problem}" in error_for(**settings_changes).split("\n  ")
    args_value = args_changes.get(field, CHECKED[cls].get(field))
    assert f"{field}={args_value!r}: {problem}" in args_error(cls, **args_changes).split("\n")
