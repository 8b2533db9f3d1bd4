"""Network component: awsx VPC layout, NAT strategy, flow logs, closed default security group."""

from __future__ import annotations

import json

import pytest

from components.network import Network, NetworkArgs
from offline import fakes
from tests.mocks import REGION

KEY = "arn:aws:kms:us-east-1:123456789012:key/k"
BASE = dict(cidr_block="10.0.0.0/16", az_count=3, nat_strategy="OnePerAz", region="us-east-1",
            account_id="123456789012", log_retention_days=365, kms_key_arn=KEY, tags={"project": "webservice"})


@pytest.fixture
def network(run):
    return run(lambda: Network("net", NetworkArgs(**BASE)))


def vpc(result):
    return result.get("awsx:ec2:Vpc", "net-vpc").inputs


def vpc_id(result):
    """The id the fake cloud gave the VPC."""
    return result.get("awsx:ec2:Vpc", "net-vpc").state["vpcId"]


def test_vpc_has_public_private_and_isolated_subnets(network):
    assert [s["type"] for s in vpc(network)["subnetSpecs"]] == ["Public", "Private", "Isolated"]


def test_vpc_spans_the_configured_azs_and_cidr(network):
    assert vpc(network)["numberOfAvailabilityZones"] == 3
    assert vpc(network)["cidrBlock"] == "10.0.0.0/16"


def test_vpc_uses_the_configured_nat_strategy(run):
    single = run(lambda: Network("net", NetworkArgs(**{**BASE, "nat_strategy": "Single", "az_count": 2})))
    assert vpc(single)["natGateways"] == {"strategy": "Single"}
    assert vpc(single)["numberOfAvailabilityZones"] == 2


def test_default_security_group_is_closed(network):
    group = network.get("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "net-default-sg").inputs
    assert group["ingress"] == [] and group["egress"] == []
    assert group["vpcId"] == vpc_id(network)


def test_flow_logs_capture_all_traffic_to_cloudwatch(network):
    flow = network.get("aws:ec2/flowLog:FlowLog", "net-flow-log").inputs
    group = network.get("aws:cloudwatch/logGroup:LogGroup", "net-flow-logs")
    assert (flow["vpcId"], flow["trafficType"], flow["logDestinationType"]) == (vpc_id(network), "ALL",
                                                                                  "cloud-watch-logs")
    assert flow["logDestination"] == group.state["arn"]


def test_flow_log_group_has_retention_and_kms_key(network):
    group = network.get("aws:cloudwatch/logGroup:LogGroup", "net-flow-logs").inputs
    assert group["retentionInDays"] == 365 and group["kmsKeyId"] == KEY


def test_flow_log_role_trusts_only_the_flow_logs_service(network):
    role = network.get("aws:iam/role:Role", "net-flow-logs-role").inputs
    (statement,) = json.loads(role["assumeRolePolicy"])["Statement"]
    assert statement["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}


def test_flow_log_waits_for_its_permissions(network):
    attachment = network.get("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "net-flow-logs-policy")
    assert attachment.urn in network.get("aws:ec2/flowLog:FlowLog", "net-flow-log").dependencies


def test_network_exports_subnet_ids(run):
    holder = {}

    def program():
        holder["net"] = Network("net", NetworkArgs(**BASE))
        return holder["net"].isolated_subnet_ids.apply(lambda ids: holder.setdefault("isolated", ids))

    result = run(program)
    assert holder["isolated"] == result.one("awsx:ec2:Vpc").state["isolatedSubnetIds"]
    assert len(holder["isolated"]) == 3 and all(i.startswith("subnet-") for i in holder["isolated"])


@pytest.mark.parametrize("changes, message", [
    (dict(az_count=4), "az_count=4: allowed values are 2..3"),
    (dict(nat_strategy="None"), "nat_strategy='None': allowed values are Single, OnePerAz"),
    (dict(log_retention_days=10), "log_retention_days=10"),
])
def test_args_are_validated(changes, message):
    with pytest.raises(ValueError, match=message):
        NetworkArgs(**{**BASE, **changes})


def test_s3_gateway_endpoint_sits_on_the_private_route_tables(network):
    endpoint = network.one("aws:ec2/vpcEndpoint:VpcEndpoint")
    assert endpoint.inputs["vpcEndpointType"] == "Gateway"
    assert endpoint.inputs["serviceName"] == "com.amazonaws.us-east-1.s3"
    (lookup,) = [c for c in network.calls if c.token == "aws:ec2/getRouteTables:getRouteTables"]
    assert lookup.args["vpcId"] == vpc_id(network)
    assert lookup.args["filters"] == [{"name": "tag:SubnetType", "values": ["Private"]}]
    answer = fakes.invoke("aws:ec2/getRouteTables:getRouteTables", lookup.args, REGION)
    assert endpoint.inputs["routeTableIds"] == answer["ids"] != []


def test_route_table_lookup_waits_for_the_vpc_component(run, monkeypatch):
    """The awsx VPC completes only after its route tables exist, so the lookup must depend on it."""
    import pulumi

    captured = []
    original = pulumi.InvokeOutputOptions.__init__

    def spy(self, *args, **kwargs):
        captured.append(kwargs.get("depends_on") or [])
        original(self, *args, **kwargs)

    monkeypatch.setattr(pulumi.InvokeOutputOptions, "__init__", spy)
    run(lambda: Network("net", NetworkArgs(**BASE)))
    assert [[d._name for d in deps]  # noqa: SLF001 - a dependency's logical name, as the SDK stores it
             for deps in captured if deps] == [["net-vpc"]]


def test_s3_endpoint_uses_the_china_service_prefix_there(run):
    result = run(lambda: Network("net", NetworkArgs(**{**BASE, "region": "cn-north-1"})))
    assert result.one("aws:ec2/vpcEndpoint:VpcEndpoint").inputs["serviceName"] == "cn.com.amazonaws.cn-north-1.s3"
