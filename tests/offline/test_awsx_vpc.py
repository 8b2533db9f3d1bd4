"""The awsx 3.11 Vpc layout, pinned with cases from pulumi/pulumi-awsx's own tests and source
(awsx/ec2/vpc.test.ts, subnetDistributorNew.test.ts, vpc.ts)."""

from __future__ import annotations

import ipaddress
from collections import Counter

import pytest

from offline.awsx_vpc import (ASSOCIATION, EIP, IGW, NAT, ROUTE, ROUTE_TABLE, SUBNET, VPC, UnsupportedVpcArgs,
                              layout, next_netmask, should_create_nat_gateway, subnet_cidrs)

SPECS = [{"type": "Public", "name": "public"}, {"type": "Private", "name": "private"},
         {"type": "Isolated", "name": "isolated"}]
AZ2, AZ3 = ["us-east-1a", "us-east-1b"], ["us-east-1a", "us-east-1b", "us-east-1c"]


# --- from awsx's tests -------------------------------------------------------------------------------------


@pytest.mark.parametrize("previous, prefix, expected", [("10.0.0.0/16", 17, "10.1.0.0/17"),
                                                        ("10.0.0.0/17", 16, "10.1.0.0/16")])
def test_next_netmask_as_awsx_tests_pin_it(previous, prefix, expected):
    assert str(next_netmask(ipaddress.ip_network(previous), prefix)) == expected


def test_three_tiers_in_one_az_split_a_16_in_quarters_as_awsx_tests_pin_it():
    # subnetDistributorNew.test.ts "highlights gaps at end of VPC": the isolated subnet ends at 10.0.191.254.
    cidrs = subnet_cidrs("vpcName", "10.0.0.0/16", 1, [{"type": "Public"}, {"type": "Private"},
                                                       {"type": "Isolated"}])
    assert cidrs == {"vpcName-public-1#0": "10.0.0.0/18", "vpcName-private-1#1": "10.0.64.0/18",
                     "vpcName-isolated-1#2": "10.0.128.0/18"}


@pytest.mark.parametrize("strategy, gateways, az_index, expected", [
    ("OnePerAz", 0, 0, True), ("OnePerAz", 1, 0, False), ("OnePerAz", 1, 1, True), ("OnePerAz", 2, 1, False),
    ("Single", 0, 0, True), ("Single", 1, 0, False), ("Single", 1, 1, False), ("None", 0, 0, False)])
def test_should_create_nat_gateway_as_awsx_tests_pin_it(strategy, gateways, az_index, expected):
    assert should_create_nat_gateway(strategy, gateways, az_index) is expected


def test_default_layout_without_specs_is_private_then_public():
    # defaultSubnetInputs: for a /16 and 2 AZs (a /17 each) private /18, public /19 (max(17, 16) + 1, + 2).
    assert subnet_cidrs("v", "10.0.0.0/16", 2, None) == {
        "v-private-1#0": "10.0.0.0/18", "v-public-1#1": "10.0.64.0/19",
        "v-private-2#0": "10.0.128.0/18", "v-public-2#1": "10.0.192.0/19"}


# --- this project's layouts, per AZ count and NAT strategy ---------------------------------------------------


def _args(strategy: str) -> dict:
    return {"cidrBlock": "10.0.0.0/16", "subnetStrategy": "Auto", "subnetSpecs": SPECS,
            "natGateways": {"strategy": strategy}, "enableDnsHostnames": True, "enableDnsSupport": True,
            "tags": {"project": "webservice"}}


@pytest.mark.parametrize("azs, strategy, counts", [
    (AZ2, "Single", {VPC: 1, IGW: 1, SUBNET: 6, ROUTE_TABLE: 6, ASSOCIATION: 6, ROUTE: 4, EIP: 1, NAT: 1}),
    (AZ2, "OnePerAz", {VPC: 1, IGW: 1, SUBNET: 6, ROUTE_TABLE: 6, ASSOCIATION: 6, ROUTE: 4, EIP: 2, NAT: 2}),
    (AZ2, "None", {VPC: 1, IGW: 1, SUBNET: 6, ROUTE_TABLE: 6, ASSOCIATION: 6, ROUTE: 2}),
    (AZ3, "Single", {VPC: 1, IGW: 1, SUBNET: 9, ROUTE_TABLE: 9, ASSOCIATION: 9, ROUTE: 6, EIP: 1, NAT: 1}),
    (AZ3, "OnePerAz", {VPC: 1, IGW: 1, SUBNET: 9, ROUTE_TABLE: 9, ASSOCIATION: 9, ROUTE: 6, EIP: 3, NAT: 3}),
    (AZ3, "None", {VPC: 1, IGW: 1, SUBNET: 9, ROUTE_TABLE: 9, ASSOCIATION: 9, ROUTE: 3}),
])
def test_children_per_az_count_and_nat_strategy(azs, strategy, counts):
    children = layout("net", _args(strategy), azs)
    assert Counter(c.type for c in children) == counts
    # 26 in dev (2 AZs, Single NAT) and 41 in prod (3 AZs, one NAT per AZ), as issue 13 counted them.
    assert len(children) == {(2, "Single"): 26, (3, "OnePerAz"): 41}.get((len(azs), strategy), len(children))


def test_names_parents_cidrs_and_flags_for_two_azs():
    children = {c.key: c for c in layout("net", _args("Single"), AZ2)}
    subnets = [c for c in children.values() if c.type == SUBNET]
    assert [(s.name, s.inputs["availabilityZone"], s.inputs["cidrBlock"], s.inputs["mapPublicIpOnLaunch"])
            for s in subnets] == [
        ("net-public-1", "us-east-1a", "10.0.0.0/19", True), ("net-private-1", "us-east-1a", "10.0.32.0/19", False),
        ("net-isolated-1", "us-east-1a", "10.0.64.0/19", False),
        ("net-public-2", "us-east-1b", "10.0.128.0/19", True), ("net-private-2", "us-east-1b", "10.0.160.0/19", False),
        ("net-isolated-2", "us-east-1b", "10.0.192.0/19", False)]
    assert all(s.parent == "vpc" and s.refs == {"vpcId": ("vpc", "id")} for s in subnets)
    assert subnets[0].inputs["tags"] == {"Name": "net-public-1", "project": "webservice", "SubnetType": "Public"}
    assert children["rt:net-public-1"].parent == "subnet:net-public-1"
    assert children["rta:net-public-1"].parent == "rt:net-public-1"
    assert children["route:net-public-1"].refs["gatewayId"] == ("igw", "id")
    # Single: both private subnets route through the one NAT gateway, in the first AZ's public subnet.
    assert children["route:net-private-2"].refs["natGatewayId"] == ("nat:1", "id")
    assert children["nat:1"].parent == "subnet:net-public-1" and children["nat:1"].name == "net-1"
    assert "route:net-isolated-1" not in children  # isolated subnets have no route out
    assert children["vpc"].inputs == {"cidrBlock": "10.0.0.0/16", "enableDnsHostnames": True,
                                      "enableDnsSupport": True, "tags": {"Name": "net", "project": "webservice"}}


def test_one_nat_per_az_routes_each_private_subnet_to_its_own_az():
    children = {c.key: c for c in layout("net", _args("OnePerAz"), AZ3)}
    assert [children[f"route:net-private-{i}"].refs["natGatewayId"][0] for i in (1, 2, 3)] == ["nat:1", "nat:2",
                                                                                                "nat:3"]


def test_availability_zone_name_tags_keep_the_index_based_resource_names():
    children = layout("net", {**_args("Single"), "subnetNameTagStrategy": "AvailabilityZone"}, AZ2)
    subnet = next(c for c in children if c.type == SUBNET)
    assert subnet.name == "net-public-1" and subnet.inputs["tags"]["Name"] == "net-public-1a"


@pytest.mark.parametrize("extra", [{"vpcEndpointSpecs": [{"serviceName": "s3"}]},
                                   {"natGateways": {"strategy": "Single", "elasticIpAllocationIds": ["eipalloc-1"]}},
                                   {"subnetStrategy": "Legacy"}])
def test_layouts_not_modelled_are_an_error_never_a_guess(extra):
    with pytest.raises(UnsupportedVpcArgs, match="not modelled offline"):
        layout("net", {**_args("Single"), **extra}, AZ2)
