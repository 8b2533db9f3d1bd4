"""Every invoke the program declares has an offline answer, and unknown invokes are errors."""

from __future__ import annotations

import ast

import pytest

from offline import fakes

from offline_support import ROOT


def _declared_tokens() -> tuple[str, ...]:
    tree = ast.parse((ROOT / "components" / "__init__.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "INVOKE_TOKENS" for t in node.targets):
            return tuple(ast.literal_eval(node.value))
    raise AssertionError("components/__init__.py declares no INVOKE_TOKENS")


@pytest.mark.parametrize("token", _declared_tokens())
def test_every_declared_invoke_has_an_offline_answer(token: str):
    assert fakes.invoke(token, REQUIRED_ARGS.get(token, {}), "us-east-1")


#: Invokes that AWS answers only with a selector; without one the fake refuses, as the provider does.
REQUIRED_ARGS = {"aws:route53/getZone:getZone": {"name": "example.com", "privateZone": False},
                 "aws:ec2/getRouteTables:getRouteTables": {"vpcId": "vpc-0123"}}


@pytest.mark.parametrize("token", sorted(REQUIRED_ARGS))
def test_lookups_without_a_selector_are_refused(token: str):
    with pytest.raises(fakes.UnknownInvoke):
        fakes.invoke(token, {}, "us-east-1")


def test_zone_lookup_is_stable_and_marked_fake():
    zone = fakes.invoke("aws:route53/getZone:getZone", {"name": "example.com."}, "us-east-1")
    assert zone == fakes.invoke("aws:route53/getZone:getZone", {"name": "example.com"}, "us-east-1")
    assert zone["name"] == "example.com" and zone["zoneId"].startswith("Z")


def test_caller_identity_is_clearly_fake():
    assert fakes.invoke("aws:index/getCallerIdentity:getCallerIdentity", {}, "us-east-1")["accountId"] == "123456789012"


def test_an_unknown_invoke_is_an_error_not_a_guess():
    with pytest.raises(fakes.UnknownInvoke, match="aws:ec2/getVpc:getVpc"):
        fakes.invoke("aws:ec2/getVpc:getVpc", {}, "us-east-1")


def test_policy_document_invoke_renders_iam_json():
    doc = fakes.invoke("aws:iam/getPolicyDocument:getPolicyDocument", {"statements": [
        {"actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::b/*"],
         "principals": [{"type": "Service", "identifiers": ["ecs-tasks.amazonaws.com"]}]}]}, "us-east-1")
    assert '"Action": "s3:GetObject"' in doc["json"]
    assert '"Service": "ecs-tasks.amazonaws.com"' in doc["json"]
