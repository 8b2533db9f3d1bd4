"""The AWS provider's Check, approximated (issue 13, item 2): autonames, schema defaults and validators, first as
pure rules, then through the offline preview (fixture ``check``: stack ``names`` and stack ``rejected``)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from offline import check
from offline.wire import SECRET_SIG, SECRET_SIG_KEY, UNKNOWN
from offline_support import FIXTURES, run_cli

STACK = "urn:pulumi:dev::app::"
CHECKED = ["--program", str(FIXTURES / "check")]


def _check(typ: str, name: str, inputs: dict) -> tuple[dict, dict]:
    return check.check_inputs(typ, name, f"{STACK}{typ}::{name}", inputs)


def _failure(typ: str, name: str, inputs: dict) -> str:
    with pytest.raises(check.CheckFailed) as err:
        _check(typ, name, inputs)
    return str(err.value)


# --- autonames ------------------------------------------------------------------------------------------------


# (type, logical name, property, expected pattern): one case per autoname rule in offline/check.py.
AUTONAME_CASES = [
    ("aws:iam/role:Role", "task-role", "name", r"task-role-[0-9a-f]{7}"),
    ("aws:ecs/cluster:Cluster", "cluster", "name", r"cluster-[0-9a-f]{7}"),
    ("aws:lb/targetGroup:TargetGroup", "web-tg", "name", r"web-tg-[0-9a-f]{7}"),
    ("aws:s3/bucket:Bucket", "Logs", "bucket", r"logs-[0-9a-f]{7}"),
    ("aws:kms/alias:Alias", "key", "name", r"alias/key-[0-9a-f]{7}"),
    ("aws:sns/topic:Topic", "alarms", "name", r"alarms-[0-9a-f]{7}"),
    ("aws:rds/instance:Instance", "db", "identifier", r"db[0-9a-f]{7}"),
]


@pytest.mark.parametrize("typ,name,prop,pattern", AUTONAME_CASES)
def test_an_unnamed_resource_gets_its_logical_name_and_seven_hex_chars(typ, name, prop, pattern):
    checked, notes = _check(typ, name, {})
    assert re.fullmatch(pattern, checked[prop]), checked[prop]
    assert notes["autonamed"] == {prop: checked[prop]}
    assert _check(typ, name, {})[0][prop] == checked[prop]  # deterministic offline: derived from the URN


def test_every_autoname_rule_has_a_case():
    assert {check.AUTONAMES[c[0]] for c in AUTONAME_CASES} == set(check.AUTONAMES.values())


def test_a_fifo_topic_name_ends_in_fifo():
    checked, _ = _check("aws:sns/topic:Topic", "jobs", {"fifoTopic": True})
    assert re.fullmatch(r"jobs-[0-9a-f]{7}\.fifo", checked["name"])


def test_a_name_the_program_set_or_left_to_an_output_or_a_prefix_is_kept():
    assert _check("aws:iam/role:Role", "r", {"name": "given"})[0]["name"] == "given"
    assert _check("aws:iam/role:Role", "r", {"name": UNKNOWN})[0]["name"] == UNKNOWN
    checked, notes = _check("aws:iam/role:Role", "r", {"namePrefix": "app-"})
    assert "name" not in checked and "autonamed" not in notes


def test_types_without_an_autoname_rule_are_left_alone():
    assert _check("aws:route53/record:Record", "www", {"type": "A"}) == ({"type": "A"}, {})


def test_a_logical_name_too_long_for_the_maximum_fails_as_the_provider_fails():
    name = "a-target-group-name-far-too-long"
    assert _failure("aws:lb/targetGroup:TargetGroup", name, {}) == (
        f"aws:lb/targetGroup:TargetGroup resource '{name}' has a problem: could not make instance of "
        f"'aws:lb/targetGroup:TargetGroup': name '{name}-' plus 7 random chars is longer than maximum length 32")
    assert "maximum length 64" in _failure("aws:iam/role:Role", "r" * 57, {})
    _check("aws:iam/role:Role", "r" * 56, {})  # 56 + "-" + 7 = 64: fits


# --- defaults -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("typ,prop,value", [(t, p, v) for t, d in check.DEFAULTS.items() for p, v in d.items()])
def test_a_truthy_schema_default_is_added_when_unset_and_never_overrides(typ, prop, value):
    checked, notes = _check(typ, "x", {})
    assert checked[prop] == value and notes["defaults"][prop] == value
    assert _check(typ, "x", {prop: UNKNOWN})[0][prop] == UNKNOWN


# --- validators -----------------------------------------------------------------------------------------------


# (type, name, inputs, property, reason): one rejected value per validator in offline/check.py.
REJECTED = [
    ("aws:lb/loadBalancer:LoadBalancer", "lb", {"name": "web_lb"}, "name",
     'only alphanumeric characters and hyphens allowed in "name": "web_lb"'),
    ("aws:alb/loadBalancer:LoadBalancer", "internal-web", {}, "name", 'cannot begin with "internal-"'),
    ("aws:lb/loadBalancer:LoadBalancer", "lb", {"desyncMitigationMode": "lax"}, "desyncMitigationMode",
     'expected desync_mitigation_mode to be one of ["monitor" "defensive" "strictest"], got lax'),
    ("aws:alb/loadBalancer:LoadBalancer", "lb", {"desyncMitigationMode": "off"}, "desyncMitigationMode",
     "got off"),
    ("aws:lb/targetGroup:TargetGroup", "tg", {"name": "tg-"}, "name", '"name" cannot end with a hyphen'),
    ("aws:alb/targetGroup:TargetGroup", "tg", {"name": "x" * 33}, "name",
     '"name" cannot be longer than 32 characters'),
    ("aws:cloudwatch/logGroup:LogGroup", "logs", {"retentionInDays": 2.0}, "retentionInDays",
     "expected retention_in_days to be one of [0 1 3 5 7 14 30 60 90 120 150 180 365 400 545 731 1096 1827 2192 "
     "2557 2922 3288 3653], got 2"),
    ("aws:ec2/vpc:Vpc", "vpc", {"cidrBlock": "10.0.0.1/16"}, "cidrBlock",
     '"10.0.0.1/16" is not a valid IPv4 CIDR block; did you mean "10.0.0.0/16"?'),
    ("aws:ec2/subnet:Subnet", "sn", {"cidrBlock": "10.0.300.0/24"}, "cidrBlock",
     '"10.0.300.0/24" is not a valid CIDR block'),
    ("aws:ec2/securityGroup:SecurityGroup", "sg", {"ingress": [{"cidrBlocks": ["0.0.0.0/0", "10.1.2.3/8"]}]},
     "ingress[0].cidrBlocks[1]", 'did you mean "10.0.0.0/8"?'),
    ("aws:ec2/securityGroup:SecurityGroup", "sg", {"egress": [{"cidrBlocks": ["::1/64"]}]},
     "egress[0].cidrBlocks[0]", 'is not a valid IPv6 CIDR block; did you mean "::/64"?'),
    ("aws:ec2/securityGroupRule:SecurityGroupRule", "r", {"cidrBlocks": ["everywhere"]}, "cidrBlocks[0]",
     '"everywhere" is not a valid CIDR block'),
    ("aws:ecs/taskDefinition:TaskDefinition", "td", {"executionRoleArn": "exec-role"}, "executionRoleArn",
     '"execution_role_arn" (exec-role) is an invalid ARN: arn: invalid prefix'),
    ("aws:ecs/taskDefinition:TaskDefinition", "td", {"taskRoleArn": "arn:aws:iam::12345:role/x"}, "taskRoleArn",
     "invalid account ID value"),
    ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "a", {"policyArn": "arn:aws:iam::policy"},
     "policyArn", "arn: not enough sections"),
    ("aws:lb/listener:Listener", "https", {"certificateArn": "arn:aws:acm:useast1:123456789012:certificate/x"},
     "certificateArn", "invalid region value"),
]


@pytest.mark.parametrize("typ,name,inputs,prop,reason", REJECTED)
def test_a_value_the_provider_rejects_fails_naming_the_resource_and_property(typ, name, inputs, prop, reason):
    message = _failure(typ, name, inputs)
    assert message.startswith(f"{typ} resource '{name}''s property '{prop}' value "), message
    assert reason in message and message.endswith(f". Examine values at '{name}.{prop}'.")


def test_every_validator_has_a_rejected_case():
    assert {(t, p.replace("[]", "")) for t, p, _, _ in check.VALIDATORS} == {
        (t, re.sub(r"\[\d+\]", "", p)) for t, _, _, p, _ in REJECTED}


@pytest.mark.parametrize("typ,inputs", [
    ("aws:lb/loadBalancer:LoadBalancer", {"name": "web-alb", "desyncMitigationMode": "strictest"}),
    ("aws:lb/targetGroup:TargetGroup", {"name": "x" * 32}),
    ("aws:cloudwatch/logGroup:LogGroup", {"retentionInDays": 0.0}),
    ("aws:ec2/securityGroup:SecurityGroup", {"ingress": [{"cidrBlocks": ["10.0.0.0/8", "2001:db8::/32"]}]}),
    ("aws:ec2/vpc:Vpc", {"cidrBlock": UNKNOWN}),
    ("aws:ecs/taskDefinition:TaskDefinition", {"executionRoleArn": "arn:aws:iam::123456789012:role/exec"}),
    ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", {"policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}),
])
def test_valid_or_unknown_values_pass(typ, inputs):
    _check(typ, "ok", inputs)


def test_a_rejected_secret_is_not_shown():
    message = _failure("aws:ecs/taskDefinition:TaskDefinition", "td",
                       {"taskRoleArn": {SECRET_SIG_KEY: SECRET_SIG, "value": "hunter2"}})
    assert "value [secret] has a problem" in message and "hunter2" not in message


# --- through the offline preview ------------------------------------------------------------------------------


def test_autonames_are_known_at_preview_so_the_pack_judges_what_reads_them(tmp_path: Path):
    proc = run_cli(CHECKED + ["--stack", "names", "--mode", "preview"], tmp_path)
    rep = json.loads((tmp_path / "names" / "report.json").read_text())
    by_name = {r["name"]: r for r in rep["resources"]}
    role = by_name["app-role"]["inputs"]["name"]
    assert re.fullmatch(r"app-role-[0-9a-f]{7}", role)
    assert by_name["app-role-read"]["inputs"]["role"] == role  # unknown here before; known for real
    assert rep["stackOutputs"]["roleName"] == role
    assert by_name["app-role"]["providerCheck"] == {"autonamed": {"name": role}}
    assert by_name["app-lb"]["providerCheck"]["defaults"] == {"loadBalancerType": "application",
                                                               "desyncMitigationMode": "defensive"}
    # The log group's autoname makes the container definitions known: the root user fails the first preview.
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert [(v["policy"], v["urn"].rsplit("::", 1)[-1]) for v in rep["policies"]["violations"]
            if v["level"] == "mandatory"] == [("aws-ecs-taskdefinition-non-root-user", "root-task")]
    line = "Provider Check, approximated offline: 3 autonames and 2 schema defaults filled in, 16 validators run."
    assert line in proc.stdout
    assert "**Provider Check**, approximated offline: 3 autonames" in (tmp_path / "names" / "summary.md").read_text()
    faithfulness = " ".join(rep["faithfulness"])
    assert "The AWS provider's Check is approximated (offline/check.py)" in faithfulness
    assert "Not approximated: other aws types' autonames" in faithfulness


def test_a_check_failure_fails_the_preview_with_the_providers_message(tmp_path: Path):
    proc = run_cli(CHECKED + ["--stack", "rejected", "--mode", "preview", "--policy-pack", ""], tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    message = ("aws:lb/targetGroup:TargetGroup resource 'a-target-group-name-far-too-long' has a problem: could not "
               "make instance of 'aws:lb/targetGroup:TargetGroup': name 'a-target-group-name-far-too-long-' plus 7 "
               "random chars is longer than maximum length 32")
    assert f"error: the program failed: {message}\n" in proc.stdout
    rep = json.loads((tmp_path / "rejected" / "report.json").read_text())
    assert rep["error"] == message and rep["exitCode"] == 1
