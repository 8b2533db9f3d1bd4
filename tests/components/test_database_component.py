"""Database component: RDS MySQL hardening, parameter group, subnet group."""

from __future__ import annotations

import json

import pytest

from components.database import Database, DatabaseArgs

KEY = "arn:aws:kms:us-east-1:123456789012:key/k"
BASE = dict(
    vpc_id="vpc-1", subnet_ids=["iso-a", "iso-b"], instance_class="db.m7g.large", engine_version="8.4",
    db_name="app", username="appadmin", allocated_storage=50, max_allocated_storage=500, multi_az=True,
    backup_retention_days=14, deletion_protection=True, final_snapshot=True, monitoring_interval=60,
    kms_key_arn=KEY, region="us-east-1", account_id="123456789012", log_retention_days=365,
    tags={"project": "webservice"},
)


@pytest.fixture
def prod(run):
    return run(lambda: Database("db", DatabaseArgs(**BASE)))


@pytest.fixture
def dev(run):
    return run(lambda: Database("db", DatabaseArgs(**{
        **BASE, "instance_class": "db.t4g.micro", "multi_az": False, "backup_retention_days": 1,
        "deletion_protection": False, "final_snapshot": False, "monitoring_interval": 0})))


def instance(result):
    return result.get("aws:rds/instance:Instance", "db-db").inputs


def test_db_is_not_publicly_accessible(prod):
    assert instance(prod)["publiclyAccessible"] is False


def test_db_storage_is_encrypted_gp3_with_autoscaling(prod):
    db = instance(prod)
    assert db["storageEncrypted"] is True and db["kmsKeyId"] == KEY
    assert db["storageType"] == "gp3"
    assert (db["allocatedStorage"], db["maxAllocatedStorage"]) == (50, 500)


def test_db_is_mysql_84_with_extended_support_disabled_explicitly(prod):
    db = instance(prod)
    assert (db["engine"], db["engineVersion"]) == ("mysql", "8.4")
    assert db["engineLifecycleSupport"] == "open-source-rds-extended-support-disabled"


def test_mysql_80_on_purpose_gets_its_family_and_the_lifecycle_it_asked_for(run):
    result = run(lambda: Database("db", DatabaseArgs(**{
        **BASE, "engine_version": "8.0.43", "engine_lifecycle_support": "open-source-rds-extended-support"})))
    assert instance(result)["engineLifecycleSupport"] == "open-source-rds-extended-support"
    assert result.get("aws:rds/parameterGroup:ParameterGroup", "db-params").inputs["family"] == "mysql8.0"


def test_db_password_is_managed_by_rds(prod):
    db = instance(prod)
    assert db["manageMasterUserPassword"] is True
    assert db["masterUserSecretKmsKeyId"] == KEY
    assert "password" not in db and "passwordWo" not in db


def test_db_username_is_not_admin(prod):
    assert instance(prod)["username"] == "appadmin"


def test_db_lives_in_the_isolated_subnets(prod):
    group = prod.get("aws:rds/subnetGroup:SubnetGroup", "db-subnets")
    assert group.inputs["subnetIds"] == ["iso-a", "iso-b"]
    assert instance(prod)["dbSubnetGroupName"] == group.state["name"]


def test_parameter_group_requires_secure_transport(prod):
    group = prod.get("aws:rds/parameterGroup:ParameterGroup", "db-params")
    params = {p["name"]: p["value"] for p in group.inputs["parameters"]}
    # An RDS for MySQL instance parameter group takes the boolean 1 (ON is the Aurora cluster spelling).
    assert params["require_secure_transport"] == "1"
    assert group.inputs["family"] == "mysql8.4"
    assert instance(prod)["parameterGroupName"] == group.state["name"]


def test_prod_db_is_multi_az_protected_and_keeps_a_final_snapshot(prod):
    db = instance(prod)
    assert db["multiAz"] is True and db["deletionProtection"] is True
    assert db["skipFinalSnapshot"] is False
    assert db["backupRetentionPeriod"] == 14


def test_final_snapshot_name_is_unique_to_this_database_incarnation(prod):
    # The security group id is AWS-made and never reused, so no earlier deletion can have taken the name.
    group_id = prod.get("aws:ec2/securityGroup:SecurityGroup", "db-db-sg").id
    assert instance(prod)["finalSnapshotIdentifier"] == f"db-db-final-{group_id.removeprefix('sg-')}"
    from components.database import _final_snapshot_identifier
    assert _final_snapshot_identifier("webservice-prod-db", "sg-0a1b2c3d4e5f60718") == \
        "webservice-prod-db-final-0a1b2c3d4e5f60718"


def test_deletion_protected_db_is_also_protected_in_pulumi(prod, dev):
    assert prod.get("aws:rds/instance:Instance", "db-db").protect is True
    assert dev.get("aws:rds/instance:Instance", "db-db").protect is False


def test_instance_identifier_is_fixed_and_checked():
    from components.database import _identifier
    assert _identifier("webservice-Prod") == "webservice-prod-db"
    for bad in ("1webservice", "web--service", "w" * 61):
        with pytest.raises(ValueError, match="must be 1..63 letters, digits and hyphens"):
            _identifier(bad)


def test_rds_log_groups_exist_before_the_instance_with_retention_and_key(prod):
    db = prod.get("aws:rds/instance:Instance", "db-db")
    assert db.inputs["identifier"] == "db-db"
    for log in ("error", "slowquery"):
        group = prod.get("aws:cloudwatch/logGroup:LogGroup", f"db-db-{log}-logs")
        assert group.inputs["name"] == f"/aws/rds/instance/db-db/{log}"
        assert group.inputs["retentionInDays"] == 365 and group.inputs["kmsKeyId"] == KEY
        assert group.urn in db.dependencies


def test_dev_db_is_single_az_and_disposable(dev):
    db = instance(dev)
    assert db["multiAz"] is False and db["deletionProtection"] is False
    assert db["skipFinalSnapshot"] is True and "finalSnapshotIdentifier" not in db


def test_db_upgrades_minor_versions_and_exports_logs(prod):
    db = instance(prod)
    assert db["autoMinorVersionUpgrade"] is True
    assert db["enabledCloudwatchLogsExports"] == ["error", "slowquery"]


def test_db_hardening_flags(prod):
    db = instance(prod)
    assert db["iamDatabaseAuthenticationEnabled"] is True
    assert db["copyTagsToSnapshot"] is True
    assert db["caCertIdentifier"] == "rds-ca-rsa2048-g1"


def test_performance_insights_only_where_the_class_supports_it(prod, dev):
    assert instance(prod)["performanceInsightsEnabled"] is True
    assert instance(prod)["performanceInsightsKmsKeyId"] == KEY
    assert instance(dev)["performanceInsightsEnabled"] is False


def test_enhanced_monitoring_has_its_own_scoped_role(prod, dev):
    role = prod.get("aws:iam/role:Role", "db-monitoring-role")
    assert instance(prod)["monitoringInterval"] == 60
    assert instance(prod)["monitoringRoleArn"] == role.state["arn"]
    (trust,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": "monitoring.rds.amazonaws.com"}
    assert not dev.all("aws:iam/role:Role") and instance(dev)["monitoringInterval"] == 0


def test_db_security_group_has_no_inline_rules(prod):
    group = prod.get("aws:ec2/securityGroup:SecurityGroup", "db-db-sg").inputs
    assert group["description"] and "ingress" not in group and "egress" not in group
    assert instance(prod)["vpcSecurityGroupIds"] == [prod.get("aws:ec2/securityGroup:SecurityGroup", "db-db-sg").id]


@pytest.mark.parametrize("changes, message", [
    (dict(instance_class="m7g.large"), "instance_class='m7g.large'"),
    (dict(username="admin"), "username='admin'"),
    (dict(backup_retention_days=40), "backup_retention_days=40"),
    (dict(monitoring_interval=3), "monitoring_interval=3"),
    (dict(engine_version="8.1"), "engine_version='8.1': allowed values are 8.4 or 8.4.<patch>"),
    (dict(engine_lifecycle_support="yes"), "engine_lifecycle_support='yes'"),
    (dict(username="a2345678901234567"), "must be 1..16"),
    (dict(log_retention_days=8), "log_retention_days=8"),
])
def test_args_are_validated(changes, message):
    with pytest.raises(ValueError, match=message):
        DatabaseArgs(**{**BASE, **changes})
