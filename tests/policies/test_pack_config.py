"""The shipped pack configs are valid for the pack's schemas and keep the mandatory rules mandatory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from offline.analyzer import ConfigError, reconcile_config
from pack_fixtures import BASE, T, patch
from test_pack_metadata import MANDATORY

CONFIGS = sorted((Path(__file__).resolve().parents[2] / "policies/config").glob("*.json"))


def test_there_are_configs_for_every_stack():
    assert {c.stem for c in CONFIGS} >= {"dev", "staging", "prod"}


@pytest.mark.parametrize("path", CONFIGS, ids=[c.stem for c in CONFIGS])
def test_config_is_valid_and_never_lowers_a_mandatory_rule(pack_process, path):
    config = json.loads(path.read_text())
    assert "all" not in config
    effective = reconcile_config(pack_process.pack_info(), config)
    for name in MANDATORY:
        assert effective[name][0] == "mandatory", name
    pack_process.configure(config)
    pack_process.configure({})


def test_config_errors_are_reported_like_the_engine_does(pack_process):
    info = pack_process.pack_info()
    with pytest.raises(ConfigError, match="unknown policy"):
        reconcile_config(info, {"aws-no-such-rule": "advisory"})
    with pytest.raises(ConfigError, match="minRetentionDays"):
        reconcile_config(info, {"aws-cloudwatch-loggroup-retention": {"minRetentionDays": "a week"}})
    with pytest.raises(ConfigError, match="reason"):
        reconcile_config(info, {"aws-ec2-subnet-no-public-ip-on-launch": {"exemptions": [{"resource": "x"}]}})
    with pytest.raises(ConfigError, match="enforcement level"):
        reconcile_config(info, {"aws-rds-instance-multi-az": "sometimes"})


def test_prod_config_is_stricter_than_dev(pack):
    single_az = patch(BASE["rds"], multiAz=False, backupRetentionPeriod=7)
    configs = {c.stem: json.loads(c.read_text()) for c in CONFIGS}
    pack.configure(configs["dev"])
    assert pack.analyze_resource(T["rds"], "db", single_az).names() == []
    pack.configure(configs["prod"])
    result = pack.analyze_resource(T["rds"], "db", single_az)
    assert [(v.policy_name, v.enforcement_level) for v in result.violations] == [
        ("aws-rds-instance-backup-retention", "mandatory"), ("aws-rds-instance-multi-az", "mandatory")]


def test_an_exemption_names_its_reason_and_covers_only_the_resources_it_matches(pack):
    pack.configure({"aws-ec2-subnet-no-public-ip-on-launch": {"exemptions": [
        {"resource": "*-public-*", "reason": "load-balancer-only public subnets of another team's VPC"}]}})
    try:
        public = patch(BASE["subnet"], mapPublicIpOnLaunch=True)
        result = pack.analyze_resource(T["subnet"], "vpc-public-1", public)
        assert result.violations == ()
        reasons = [n.reason for n in result.not_applicable
                   if n.policy_name == "aws-ec2-subnet-no-public-ip-on-launch"]
        assert reasons and reasons[0].startswith("exempted by stack config: load-balancer-only public subnets")
        assert pack.analyze_resource(T["subnet"], "vpc-private-1", public).names() == [
            "aws-ec2-subnet-no-public-ip-on-launch"]
    finally:
        pack.configure({})


def test_prod_needs_no_subnet_exemption_since_the_program_turns_public_ips_off():
    prod = json.loads((CONFIGS[0].parent / "prod.json").read_text())
    assert "aws-ec2-subnet-no-public-ip-on-launch" not in prod
