"""Stack rules through AnalyzeStack: a hardened stack passes; each case removes or changes one link."""

from __future__ import annotations

from typing import Dict, List

import pytest
from pulumi_policy import StackValidationPolicy

from offline.analyzer import StackResource
from offline.wire import UNKNOWN, make_urn
from pack_fixtures import BASE, SECRET_ARN, T, patch
from policies.pack import POLICIES

AWSX = "awsx:ec2:Vpc"


def res(key: str, name: str, props: Dict, *, parent: str = "", deps=(), prop_deps=None) -> StackResource:
    type_ = T[key]
    return StackResource(type_, name, props, urn=make_urn("dev", "app", parent, type_, name), parent=parent or None,
                         dependencies=tuple(deps), property_dependencies=prop_deps or {})


def urn(key: str, name: str) -> str:
    return make_urn("dev", "app", "", T[key], name)


FORWARD = {"type": "forward", "targetGroupArn": "arn:tg"}
REDIRECT_HTTPS = {"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}


def hardened() -> List[StackResource]:
    """A small stack with every relationship the stack rules follow, all compliant (outputs included)."""
    return [
        res("vpc", "vpc", {"id": "vpc-1", "cidrBlock": "10.0.0.0/16"}),
        res("flow_log", "vpc-flow", {"vpcId": "vpc-1", "trafficType": "ALL"},
            prop_deps={"vpcId": [urn("vpc", "vpc")]}),
        res("repo", "app-repo", patch(BASE["repo"], name="app-repo-1a2b", arn="arn:ecr:app")),
        res("lifecycle", "app-repo-lifecycle", {"repository": "app-repo-1a2b", "policy": "{}"}),
        res("igw", "igw", {"id": "igw-1", "vpcId": "vpc-1"}),
        res("subnet", "public-1", {"id": "subnet-pub-1", "vpcId": "vpc-1", "mapPublicIpOnLaunch": True}),
        res("subnet", "isolated-1", {"id": "subnet-iso-1", "vpcId": "vpc-1"}),
        res("subnet", "isolated-2", {"id": "subnet-iso-2", "vpcId": "vpc-1"}),
        res("route_table", "public-rt", {"id": "rtb-pub", "routes": []}),
        res("route", "public-default", {"routeTableId": "rtb-pub", "destinationCidrBlock": "0.0.0.0/0",
                                        "gatewayId": "igw-1"}),
        res("route_table", "isolated-rt", {"id": "rtb-iso", "routes": []}),
        res("rt_assoc", "public-1-rt", {"subnetId": "subnet-pub-1", "routeTableId": "rtb-pub"}),
        res("rt_assoc", "isolated-1-rt", {"subnetId": "subnet-iso-1", "routeTableId": "rtb-iso"}),
        res("rt_assoc", "isolated-2-rt", {"subnetId": "subnet-iso-2", "routeTableId": "rtb-iso"}),
        res("subnet_group", "db-subnets", {"name": "app-db", "subnetIds": ["subnet-iso-1", "subnet-iso-2"]}),
        res("param_group", "db-params", {"name": "app-mysql8", "family": "mysql8.0", "parameters": [
            {"name": "require_secure_transport", "value": "ON", "applyMethod": "immediate"}]}),
        res("sg", "db-sg", patch(BASE["sg_db"], id="sg-db")),
        res("sg", "tasks-sg", patch(BASE["sg_tasks"], id="sg-tasks")),
        res("sg_rule", "db-from-tasks", BASE["sg_rule"]),
        res("rds", "db", BASE["rds"]),
        res("secret", "api-key", patch(BASE["secret"], arn=SECRET_ARN, id=SECRET_ARN)),
        res("rotation", "api-key-rotation", BASE["rotation"]),
        res("listener", "http", patch(BASE["listener"], arn="arn:listener/http")),
        res("listener", "https", patch(BASE["listener_https"], arn="arn:listener/https")),
        res("listener_rule", "api", {"listenerArn": "arn:listener/https", "priority": 10,
                                     "conditions": [{"pathPattern": {"values": ["/api/*"]}}], "actions": [FORWARD]}),
    ]


def replace(stack: List[StackResource], name: str, new: StackResource = None) -> List[StackResource]:
    out = [r for r in stack if r.name != name]
    return out + ([new] if new is not None else [])


def change(stack: List[StackResource], name: str, **props) -> List[StackResource]:
    old = next(r for r in stack if r.name == name)
    new = StackResource(old.type, old.name, patch(dict(old.props), **props), urn=old.urn, parent=old.parent,
                        dependencies=old.dependencies, property_dependencies=old.property_dependencies)
    return replace(stack, name, new)


def findings(pack, stack):
    result = pack.analyze_resources(stack)
    assert [n for n in result.not_applicable if n.reason.startswith("internal error")] == []
    for v in result.violations:
        assert v.enforcement_level == "advisory", v
    return sorted((v.policy_name, v.urn.rsplit("::", 1)[-1]) for v in result.violations), result


def test_hardened_stack_passes_every_stack_rule(pack_process):
    found, result = findings(pack_process, hardened())
    assert found == []
    assert result.skipped == ()


CASES = {
    # rule: list of (id, stack, expected (rule, resource name) findings)
    "aws-ec2-vpc-flow-logs": [
        ("no-flow-log", replace(hardened(), "vpc-flow"), [("aws-ec2-vpc-flow-logs", "vpc")]),
        ("flow-log-by-value-only", change(replace(hardened(), "vpc-flow",
                                                  res("flow_log", "vpc-flow", {"vpcId": "vpc-1"})), "vpc"), []),
        ("flow-log-for-another-vpc", replace(hardened(), "vpc-flow", res("flow_log", "vpc-flow", {"vpcId": "vpc-9"})),
         [("aws-ec2-vpc-flow-logs", "vpc")]),
    ],
    "aws-ecr-repository-lifecycle-policy": [
        ("no-lifecycle", replace(hardened(), "app-repo-lifecycle"),
         [("aws-ecr-repository-lifecycle-policy", "app-repo")]),
        ("lifecycle-by-dependency-in-preview",
         replace(hardened(), "app-repo-lifecycle",
                 res("lifecycle", "app-repo-lifecycle", {"repository": UNKNOWN},
                     prop_deps={"repository": [urn("repo", "app-repo")]})), []),
    ],
    "aws-rds-parametergroup-require-tls": [
        ("tls-off", change(hardened(), "db-params", parameters=[{"name": "require_secure_transport", "value": "OFF"}]),
         [("aws-rds-parametergroup-require-tls", "db")]),
        ("tls-param-missing", change(hardened(), "db-params", parameters=[]),
         [("aws-rds-parametergroup-require-tls", "db")]),
        ("default-parameter-group", change(hardened(), "db", parameterGroupName="default.mysql8.0"),
         [("aws-rds-parametergroup-require-tls", "db")]),
        ("no-parameter-group", change(hardened(), "db", parameterGroupName=None),
         [("aws-rds-parametergroup-require-tls", "db")]),
        ("tls-1", change(hardened(), "db-params", parameters=[{"name": "require_secure_transport", "value": "1"}]), []),
        ("tls-param-name-upper-case",
         change(hardened(), "db-params", parameters=[{"name": "REQUIRE_SECURE_TRANSPORT", "value": "ON"}]), []),
        # PostgreSQL 15+ default groups already set rds.force_ssl=1; older ones do not.
        ("postgres16-default-group-forces-tls",
         change(hardened(), "db", engine="postgres", engineVersion="16.3",
                parameterGroupName="default.postgres16"), []),
        ("postgres14-default-group",
         change(hardened(), "db", engine="postgres", engineVersion="14.10", parameterGroupName="default.postgres14"),
         [("aws-rds-parametergroup-require-tls", "db")]),
        ("postgres16-force-ssl-off",
         change(change(hardened(), "db", engine="postgres", engineVersion="16.3"), "db-params", family="postgres16",
                parameters=[{"name": "rds.force_ssl", "value": "0"}]),
         [("aws-rds-parametergroup-require-tls", "db")]),
    ],
    "aws-rds-instance-no-internet-routed-subnets": [
        ("db-in-public-subnet", change(hardened(), "db-subnets", subnetIds=["subnet-iso-1", "subnet-pub-1"]),
         [("aws-rds-instance-no-internet-routed-subnets", "db")]),
        ("inline-igw-route", change(hardened(), "isolated-rt", routes=[{"cidrBlock": "0.0.0.0/0",
                                                                       "gatewayId": "igw-1"}]),
         [("aws-rds-instance-no-internet-routed-subnets", "db")]),
        ("route-via-nat-is-fine", change(hardened(), "isolated-rt", routes=[{"cidrBlock": "0.0.0.0/0",
                                                                            "natGatewayId": "nat-1"}]), []),
    ],
    "aws-rds-instance-security-group-sources": [
        ("inline-cidr-on-3306", change(hardened(), "db-sg", ingress=[
            {"protocol": "tcp", "fromPort": 3306, "toPort": 3306, "cidrBlocks": ["10.0.0.0/16"], "description": "vpc"}]),
         [("aws-rds-instance-security-group-sources", "db-sg")]),
        ("standalone-rule-cidr", change(hardened(), "db-from-tasks", sourceSecurityGroupId=None,
                                        cidrBlocks=["10.0.1.0/24"]),
         [("aws-rds-instance-security-group-sources", "db-from-tasks")]),
        ("inline-all-protocols-as-float", change(hardened(), "db-sg", ingress=[
            {"protocol": -1, "fromPort": 0, "toPort": 0, "cidrBlocks": ["10.0.0.0/16"], "description": "vpc"}]),
         [("aws-rds-instance-security-group-sources", "db-sg")]),
        ("vpc-ingress-rule-cidr-by-dependency", hardened() + [
            res("sg_ingress", "db-from-vpc", {"securityGroupId": UNKNOWN, "ipProtocol": "tcp", "fromPort": 3300,
                                              "toPort": 3310, "cidrIpv4": "10.0.0.0/16", "description": "vpc"},
                prop_deps={"securityGroupId": [urn("sg", "db-sg")]})],
         [("aws-rds-instance-security-group-sources", "db-from-vpc")]),
        ("other-port-cidr-is-not-the-db-port", change(hardened(), "db-sg", ingress=[
            {"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["10.0.0.0/16"], "description": "x"}]), []),
    ],
    "aws-lb-listenerrule-http-redirects-only": [
        ("forward-on-http-listener", change(hardened(), "api", listenerArn="arn:listener/http"),
         [("aws-lb-listenerrule-http-redirects-only", "api")]),
        ("forward-on-http-listener-by-dependency-in-preview",
         replace(hardened(), "api", res("listener_rule", "api", {"listenerArn": UNKNOWN, "actions": [FORWARD]},
                                        prop_deps={"listenerArn": [urn("listener", "http")]})),
         [("aws-lb-listenerrule-http-redirects-only", "api")]),
        ("alb-module-rule-on-http-listener",
         replace(hardened(), "api", res("alb_listener_rule", "api", {"listenerArn": "arn:listener/http",
                                                                     "actions": [FORWARD]})),
         [("aws-lb-listenerrule-http-redirects-only", "api")]),
        # A redirect keeps the request's protocol unless it names HTTPS.
        ("redirect-without-protocol-on-http-listener",
         change(hardened(), "api", listenerArn="arn:listener/http",
                actions=[{"type": "redirect", "redirect": {"path": "/v2/#{path}", "statusCode": "HTTP_302"}}]),
         [("aws-lb-listenerrule-http-redirects-only", "api")]),
        ("redirect-to-https-on-http-listener",
         change(hardened(), "api", listenerArn="arn:listener/http", actions=[REDIRECT_HTTPS]), []),
        ("fixed-response-on-http-listener",
         change(hardened(), "api", listenerArn="arn:listener/http", actions=[
             {"type": "fixed-response", "fixedResponse": {"contentType": "text/plain", "statusCode": "404"}}]), []),
        ("rule-on-a-listener-managed-elsewhere", change(hardened(), "api", listenerArn="arn:listener/other"), []),
    ],
    "aws-secretsmanager-secret-rotation": [
        ("no-rotation", replace(hardened(), "api-key-rotation"), [("aws-secretsmanager-secret-rotation", "api-key")]),
        ("rotation-by-dependency",
         replace(hardened(), "api-key-rotation",
                 res("rotation", "api-key-rotation", {"secretId": UNKNOWN},
                     prop_deps={"secretId": [urn("secret", "api-key")]})), []),
    ],
}
FLAT = [(rule, cid, stack, expected) for rule, cases in CASES.items() for cid, stack, expected in cases]


@pytest.mark.parametrize("rule,cid,stack,expected", FLAT, ids=[f"{r}-{c}" for r, c, _, _ in FLAT])
def test_stack_rule_case(pack_process, rule, cid, stack, expected):
    found, _ = findings(pack_process, stack)
    assert found == sorted(expected)


def test_every_stack_rule_has_a_passing_and_a_failing_fixture():
    from test_pack_second_round import ACROSS, STACK_CASES

    stack_rules = {p.name for p in POLICIES if isinstance(p, StackValidationPolicy)} - {ACROSS}
    failing = {rule for rule, _, _, expected in FLAT if expected}
    assert stack_rules <= set(CASES)
    assert stack_rules <= failing
    assert {caught for _, _, caught in STACK_CASES} == {True, False}
    # the hardened stack is the passing fixture of every stack rule (test_hardened_stack_passes_every_stack_rule)


# --- awsx: the VPC component's children may be invisible -------------------------------------------------------


def awsx_vpc(props=None):
    return StackResource(AWSX, "vpc", props or {"vpcId": "vpc-7"})


def test_awsx_vpc_without_visible_children_and_without_flow_log_is_reported(pack_process):
    found, _ = findings(pack_process, [awsx_vpc()])
    assert found == [("aws-ec2-vpc-flow-logs", "vpc")]


def test_awsx_vpc_flow_log_matched_by_vpc_id_output(pack_process):
    log = res("flow_log", "flow", {"vpcId": "vpc-7"})
    assert findings(pack_process, [awsx_vpc(), log])[0] == []


def test_awsx_vpc_flow_log_matched_by_dependency_on_the_component_in_preview(pack_process):
    log = res("flow_log", "flow", {"vpcId": UNKNOWN}, prop_deps={"vpcId": [urn("awsx_vpc", "vpc")]})
    found, result = findings(pack_process, [awsx_vpc({"vpcId": UNKNOWN}), log])
    assert found == [] and result.skipped == ()


def test_flow_log_with_unknown_target_and_no_dependencies_never_cries_wolf(pack_process):
    log = res("flow_log", "flow", {"vpcId": UNKNOWN})
    assert findings(pack_process, [awsx_vpc({"vpcId": UNKNOWN}), log])[0] == []


def test_awsx_vpc_with_visible_child_is_judged_through_the_child(pack_process):
    parent = urn("awsx_vpc", "vpc")
    child = StackResource(T["vpc"], "vpc", {"id": "vpc-7"}, urn=make_urn("dev", "app", parent, T["vpc"], "vpc"),
                          parent=parent)
    found, _ = findings(pack_process, [awsx_vpc(), child])
    assert found == [("aws-ec2-vpc-flow-logs", "vpc")]
    assert len(found) == 1  # the component is not reported a second time
    log = res("flow_log", "flow", {"vpcId": UNKNOWN}, prop_deps={"vpcId": [parent]})
    assert findings(pack_process, [awsx_vpc(), child, log])[0] == []


def test_stack_rules_are_not_applicable_to_an_empty_stack(pack_process):
    result = pack_process.analyze_resources([])
    assert result.diagnostics == ()
    stack_rules = {p.name for p in POLICIES if isinstance(p, StackValidationPolicy)}
    assert {n.policy_name for n in result.not_applicable} == stack_rules


def test_stack_exemption_with_reason_suppresses_one_resource(pack):
    pack.configure({"aws-ecr-repository-lifecycle-policy": {"exemptions": [
        {"resource": "app-repo", "reason": "mirror of an upstream repository, cleaned by its owner"}]}})
    found, _ = findings(pack, replace(hardened(), "app-repo-lifecycle"))
    assert found == []


def test_listener_rule_on_a_listener_whose_protocol_is_unknown_is_skipped_not_passed(pack_process):
    stack = change(change(hardened(), "http", protocol=UNKNOWN), "api", listenerArn="arn:listener/http")
    found, result = findings(pack_process, stack)
    assert found == []
    assert [v.policy_name for v in result.skipped] == ["aws-lb-listenerrule-http-redirects-only"]
