"""policies.core.resources on its own: a stack rule's resources unwrap the SDK's proxy only when read."""

from __future__ import annotations

import pytest

from types import SimpleNamespace

from policies.core import resources, rules
from policies.core.resources import LazyResource, Stack
from policies.core.rules import MEDIUM, RuleIds, stack_rule

T = "aws:ec2/securityGroup:SecurityGroup"


@pytest.fixture
def unwraps(monkeypatch):
    calls = []

    def counting_plain(raw):
        calls.append(raw)
        return dict(raw)

    monkeypatch.setattr(resources, "plain", counting_plain)
    monkeypatch.setattr(rules, "plain", counting_plain)  # where an eager rule would unwrap
    return calls


def test_props_are_unwrapped_on_first_read_and_only_once(unwraps):
    raw = {"ingress": [{"fromPort": 22}], "vpcId": "vpc-1"}
    res = LazyResource(raw, T, "sg", "urn:sg", None)
    assert unwraps == []
    assert res.get("vpcId") == "vpc-1"
    assert res.peek("ingress", 0, "fromPort") == 22
    assert res.props == raw
    assert unwraps == [raw]


def test_a_stack_rule_unwraps_only_what_it_reads(unwraps):
    stack = Stack([LazyResource({"n": i}, T if i == 0 else "aws:s3/bucket:Bucket", f"r{i}", f"urn:{i}", None)
                   for i in range(50)], {}, {})
    [sg] = stack.of_type(T)
    assert sg.get("n") == 0
    assert unwraps == [{"n": 0}]


def test_props_set_explicitly_are_not_unwrapped(unwraps):
    res = LazyResource({"a": 1}, T, "sg", "urn:sg", {"a": 2})
    assert res.get("a") == 2
    assert unwraps == []


def test_stack_rules_build_their_resources_lazily(unwraps):
    seen = []

    def judge(stack, report):
        for sg in stack.of_type(T):
            seen.append(sg.get("n"))

    policy = stack_rule(name="test-lazy", description="Reads security groups only.", types=(T,), validate=judge,
                        severity=MEDIUM, remediation="None.", ids=RuleIds(checkov=("CKV_TEST_1",)),
                        unknowns="Never skips.")
    args = SimpleNamespace(
        resources=[SimpleNamespace(resource_type=T if i == 0 else "aws:s3/bucket:Bucket", name=f"r{i}",
                                   urn=f"urn:{i}", props={"n": i}, parent=None, opts=None, dependencies=[],
                                   property_dependencies={}) for i in range(20)],
        get_config=lambda: None, not_applicable=lambda reason: None)
    policy.validate(args, lambda message, urn=None: None)
    assert seen == [0]
    assert unwraps == [{"n": 0}]
