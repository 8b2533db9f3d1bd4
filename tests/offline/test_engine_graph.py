"""URNs, parents, dependencies and providers, as the engine would record them."""

from __future__ import annotations

from pathlib import Path

import pytest

from offline.graph import topo_order
from offline.wire import UNKNOWN, make_urn

from offline_support import FIXTURES, run_engine

P = "urn:pulumi:test::nested::"
EXPECTED_URNS = {
    P + "pulumi:pulumi:Stack::nested-test",
    P + "pulumi:providers:aws::default_7_51_1",
    P + "pulumi:providers:awsx::default_3_11_0",
    P + "awsx:ec2:Vpc::net",
    P + "nested:index:App::shop",
    P + "nested:index:App$aws:cloudwatch/logGroup:LogGroup::shop-logs",
    P + "nested:index:App$nested:index:Data::shop-data",
    P + "nested:index:App$nested:index:Data$aws:ec2/securityGroup:SecurityGroup::shop-data-sg",
    P + "nested:index:App$nested:index:Data$aws:rds/instance:Instance::shop-data-db",
}


@pytest.fixture(scope="module")
def preview(tmp_path_factory) -> dict:
    rec = run_engine(FIXTURES / "nested", "test", "preview", tmp_path_factory.mktemp("eng"))
    assert rec["error"] is None
    return {r["urn"]: r for r in rec["resources"]}


def test_urns_chain_the_full_parent_type(preview):
    program = {u for u, r in preview.items() if not r.get("generated_by")}
    assert program == EXPECTED_URNS
    # The awsx Vpc's children (offline/awsx_vpc.py) chain the component's type too.
    vpc = P + "awsx:ec2:Vpc::net"
    assert {r["generated_by"] for r in preview.values() if r.get("generated_by")} == {vpc}
    assert P + "awsx:ec2:Vpc$aws:ec2/vpc:Vpc$aws:ec2/subnet:Subnet$aws:ec2/routeTable:RouteTable::net-public-1" in preview


def test_stock_mock_urn_would_drop_the_grandparent_type():
    # The stock MockMonitor keeps only the parent's last type segment; the engine keeps the chain.
    parent = P + "nested:index:App$nested:index:Data::shop-data"
    assert make_urn("test", "nested", parent, "aws:rds/instance:Instance", "db") == \
        P + "nested:index:App$nested:index:Data$aws:rds/instance:Instance::db"


def test_children_of_the_stack_have_no_type_prefix():
    assert make_urn("s", "p", "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s", "a:b:C", "x") == "urn:pulumi:s::p::a:b:C::x"


def test_parents_are_the_enclosing_components(preview):
    assert preview[P + "nested:index:App$nested:index:Data$aws:rds/instance:Instance::shop-data-db"]["parent"] == \
        P + "nested:index:App$nested:index:Data::shop-data"
    assert preview[P + "nested:index:App::shop"]["parent"] == P + "pulumi:pulumi:Stack::nested-test"
    assert preview[P + "pulumi:pulumi:Stack::nested-test"]["parent"] == ""


def test_dependencies_and_property_dependencies(preview):
    db = preview[P + "nested:index:App$nested:index:Data$aws:rds/instance:Instance::shop-data-db"]
    sg_urn = P + "nested:index:App$nested:index:Data$aws:ec2/securityGroup:SecurityGroup::shop-data-sg"
    assert db["dependencies"] == [sg_urn]
    assert db["property_dependencies"]["vpcSecurityGroupIds"] == [sg_urn]
    sg = preview[sg_urn]
    assert sg["property_dependencies"]["vpcId"] == [P + "awsx:ec2:Vpc::net"]
    data = preview[P + "nested:index:App$nested:index:Data::shop-data"]
    assert data["dependencies"] == [P + "nested:index:App$aws:cloudwatch/logGroup:LogGroup::shop-logs"]


def test_inputs_use_the_engine_camelcase_names(preview):
    db = preview[P + "nested:index:App$nested:index:Data$aws:rds/instance:Instance::shop-data-db"]
    assert db["inputs"]["publiclyAccessible"] is False
    assert db["inputs"]["instanceClass"] == "db.t4g.micro"
    assert db["inputs"]["allocatedStorage"] == 20.0  # numbers travel as floats


def test_default_providers_are_added_with_their_package_config(preview):
    aws = preview[P + "pulumi:providers:aws::default_7_51_1"]
    assert aws["default_provider"] is True
    assert aws["inputs"] == {"region": "us-east-1", "version": "7.51.1"}
    db = preview[P + "nested:index:App$nested:index:Data$aws:rds/instance:Instance::shop-data-db"]
    assert db["provider"].startswith(P + "pulumi:providers:aws::default_7_51_1::")
    assert preview[P + "awsx:ec2:Vpc::net"]["provider"].startswith(P + "pulumi:providers:awsx::default_3_11_0::")
    assert preview[P + "nested:index:App::shop"]["provider"] == ""  # local components have none


def test_the_awsx_vpc_gets_its_laid_out_children_in_preview_with_unknown_ids(preview):
    vpc = preview[P + "awsx:ec2:Vpc::net"]
    assert vpc["remote"] is True and vpc["custom"] is False
    [inner] = [r for r in preview.values() if r["parent"] == vpc["urn"]]
    assert inner["type"] == "aws:ec2/vpc:Vpc" and inner["generated_by"] == vpc["urn"]
    subnet = preview[P + "awsx:ec2:Vpc$aws:ec2/vpc:Vpc$aws:ec2/subnet:Subnet::net-public-1"]
    assert subnet["inputs"]["vpcId"] == UNKNOWN  # unknown on a first deploy
    assert subnet["inputs"]["mapPublicIpOnLaunch"] is True  # no transform in this fixture


def test_preview_outputs_of_new_resources_are_unknown(preview):
    db = preview[P + "nested:index:App$nested:index:Data$aws:rds/instance:Instance::shop-data-db"]
    assert db["id"] == UNKNOWN
    assert "endpoint" not in db["outputs"]  # missing from the state = unknown to the program
    assert db["inputs"]["vpcSecurityGroupIds"] == [UNKNOWN]


@pytest.mark.parametrize("mode", ["update", "existing"])
def test_known_modes_resolve_outputs(tmp_path: Path, mode: str):
    rec = run_engine(FIXTURES / "nested", "test", mode, tmp_path)
    by = {r["urn"]: r for r in rec["resources"]}
    db = by[P + "nested:index:App$nested:index:Data$aws:rds/instance:Instance::shop-data-db"]
    assert db["inputs"]["vpcSecurityGroupIds"][0].startswith("sg-")
    assert db["outputs"]["endpoint"].endswith(".rds.amazonaws.com:3306")
    assert rec["stack_outputs"]["region"] == "us-east-1"


def test_order_is_topological_and_stable(preview):
    order = [r["urn"] for r in topo_order(list(preview.values()))]
    again = [r["urn"] for r in topo_order(list(reversed(list(preview.values()))))]
    assert order == again
    pos = {u: i for i, u in enumerate(order)}
    for r in preview.values():
        for dep in r["dependencies"] + ([r["parent"]] if r["parent"] else []):
            assert pos[dep] < pos[r["urn"]]
