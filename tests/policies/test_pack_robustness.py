"""Odd input never crashes the pack: missing props, floats, invalid JSON, secret-wrapped values, unknowns.

"No crash" means: the gRPC call answers, and no rule hit its safety net (a not-applicable reason starting with
"internal error", which the rule wrappers produce instead of failing the call)."""

from __future__ import annotations

import json

import pytest

from offline.analyzer import StackResource
from offline.wire import SECRET_SIG_KEY, UNKNOWN, secret
from pack_fixtures import BASE, CONTAINER, RESOURCES, T, container, patch, taskdef
from test_pack_stack_rules import hardened

GARBAGE = [None, 0, 42, -1.5, "", "x", UNKNOWN, True, False, [], {}, [None, 1, "a", UNKNOWN, {}], {"a": UNKNOWN},
           secret("s"), secret({"k": [1, UNKNOWN]})]


def no_crash(result):
    errors = [n.reason for n in result.not_applicable if n.reason.startswith("internal error")]
    assert errors == []


def variants(props):
    yield {}
    yield {k: UNKNOWN for k in props}
    yield {k: secret(v) for k, v in props.items()}
    for key, value in props.items():
        for junk in GARBAGE:
            yield patch(props, **{key: junk})
        if isinstance(value, dict):
            for sub in value:
                for junk in (UNKNOWN, None, 7, "y", [], secret(value[sub])):
                    yield patch(props, **{key: patch(value, **{sub: junk})})
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for sub in value[0]:
                for junk in (UNKNOWN, None, 7, "y", {}):
                    yield patch(props, **{key: [patch(value[0], **{sub: junk})] + value[1:]})


@pytest.mark.parametrize("key,type_key,name", RESOURCES, ids=[f"{t}-{n}" for _, t, n in RESOURCES])
def test_resource_rules_survive_odd_values(pack_process, key, type_key, name):
    for props in variants(BASE[key]):
        no_crash(pack_process.analyze_resource(T[type_key], name, props))


CONTAINER_JUNK = ["[{not json", "", "null", "{}", "[]", "[1, 2]", '"text"', "[" * 5000, json.dumps([{}]),
                  json.dumps([{"name": "a", "user": None, "environment": "x", "image": 5}]),
                  json.dumps([{"environment": [None, 1, {"name": 5}, {"name": "DB_PASSWORD"}]}]),
                  json.dumps([{"name": "app", "user": UNKNOWN, "image": UNKNOWN}])]


def test_container_definition_rules_survive_malformed_json(pack_process):
    for junk in CONTAINER_JUNK:
        no_crash(pack_process.analyze_resource(T["taskdef"], "td", taskdef(containerDefinitions=junk)))
    for key in CONTAINER:
        for junk in GARBAGE:
            if junk == secret("s") or isinstance(junk, dict) and SECRET_SIG_KEY in junk:
                continue  # a JSON string never holds the wire's secret wrapper
            no_crash(pack_process.analyze_resource(T["taskdef"], "td", taskdef([container(**{key: junk})])))


def test_malformed_container_definitions_is_a_mandatory_violation_not_a_crash(pack_process):
    result = pack_process.analyze_resource(T["taskdef"], "td", taskdef(containerDefinitions="[{not json"))
    assert [(v.policy_name, v.enforcement_level) for v in result.violations] == [
        ("aws-ecs-taskdefinition-valid-container-definitions", "mandatory")]
    skipped = {n.policy_name for n in result.not_applicable}
    assert "aws-ecs-taskdefinition-non-root-user" in skipped


def test_secret_wrapped_values_are_judged_like_plain_ones(pack_process):
    result = pack_process.analyze_resource(T["rds"], "db", patch(BASE["rds"], publiclyAccessible=secret(True),
                                                                 username=secret("appadmin")))
    assert result.names() == ["aws-rds-instance-not-public"]
    wrapped = taskdef(containerDefinitions=secret(taskdef([container(privileged=True)])["containerDefinitions"]))
    assert pack_process.analyze_resource(T["taskdef"], "td", wrapped).names() == [
        "aws-ecs-taskdefinition-not-privileged"]


def test_numbers_arrive_as_floats_and_strings_are_tolerated(pack_process):
    assert pack_process.analyze_resource(T["rds"], "db", patch(BASE["rds"], backupRetentionPeriod=7.0)).names() == []
    assert pack_process.analyze_resource(T["rds"], "db", patch(BASE["rds"], backupRetentionPeriod="7")).names() == []
    assert pack_process.analyze_resource(T["rds"], "db", patch(BASE["rds"], backupRetentionPeriod=6.0)).names() == [
        "aws-rds-instance-backup-retention"]


def test_unknown_container_definitions_are_an_honest_preview_skip(pack_process):
    result = pack_process.analyze_resource(T["taskdef"], "td", taskdef(containerDefinitions=UNKNOWN))
    assert result.violations == ()
    skipped = {v.policy_name for v in result.skipped}
    assert "aws-ecs-taskdefinition-non-root-user" in skipped
    assert all(v.enforcement_level == "advisory" for v in result.skipped)


def test_unknown_role_arns_skip_only_the_role_rule(pack_process):
    result = pack_process.analyze_resource(T["taskdef"], "td", taskdef(executionRoleArn=UNKNOWN, taskRoleArn=UNKNOWN))
    assert result.violations == ()
    assert [v.policy_name for v in result.skipped] == ["aws-ecs-taskdefinition-separate-execution-role"]


def test_unknown_subnet_ids_and_security_groups_do_not_skip_anything(pack_process):
    service = patch(BASE["service"], networkConfiguration={"assignPublicIp": False, "subnets": [UNKNOWN, UNKNOWN],
                                                           "securityGroups": [UNKNOWN]})
    lb = patch(BASE["lb"], subnets=[UNKNOWN, UNKNOWN], securityGroups=[UNKNOWN])
    sg = patch(BASE["sg_tasks"], ingress=[{"protocol": "tcp", "fromPort": 8080, "toPort": 8080,
                                           "securityGroups": [UNKNOWN], "description": "from ALB"}])
    for type_key, props in (("service", service), ("lb", lb), ("sg", sg)):
        assert pack_process.analyze_resource(T[type_key], "r", props).diagnostics == ()


def test_a_definite_world_open_port_is_reported_even_when_another_rule_is_unknown(pack_process):
    sg = patch(BASE["sg_tasks"], ingress=[
        {"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"], "description": "ssh"},
        {"protocol": "tcp", "fromPort": 5432, "toPort": 5432, "cidrBlocks": [UNKNOWN], "description": "?"}])
    result = pack_process.analyze_resource(T["sg"], "app-tasks-sg", sg)
    assert "aws-ec2-securitygroup-no-world-admin-ports" in result.names()


def test_stack_rules_survive_odd_values(pack_process):
    base = hardened()
    for i, r in enumerate(base):
        for props in ({}, {k: UNKNOWN for k in r.props}, *[patch(dict(r.props), **{k: j})
                                                           for k in r.props for j in (None, 3, "z", [UNKNOWN], {})]):
            stack = list(base)
            stack[i] = StackResource(r.type, r.name, props, urn=r.urn, parent=r.parent,
                                     dependencies=r.dependencies, property_dependencies=r.property_dependencies)
            no_crash(pack_process.analyze_resources(stack))
