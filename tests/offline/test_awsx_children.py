"""The awsx Vpc's children in the real stacks: registered, transformed by the program, judged by the pack; and a
golden plan per stack (types and names), so that a layout drift shows in review."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest

from offline_support import FIXTURES, run_cli

STACKS = ("dev", "staging", "prod")
GOLDEN = Path(__file__).resolve().parent / "golden"
NET = "webservice:network:Network$awsx:ec2:Vpc"


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("out")
    args = [a for st in STACKS for a in ("--stack", st)] + ["--mode", "existing",
                                                           "--policy-pack-config", "policies/config/{stack}.json"]
    proc = run_cli(args, out)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return {st: json.loads((out / st / "report.json").read_text()) for st in STACKS}


def _children(rep: dict) -> list[dict]:
    return [r for r in rep["resources"] if r.get("generatedBy")]


def test_dev_and_staging_get_26_children_and_prod_41(reports):
    assert {st: len(_children(rep)) for st, rep in reports.items()} == {"dev": 26, "staging": 26, "prod": 41}
    assert Counter(r["type"].split(":")[-1] for r in _children(reports["prod"])) == {
        "Vpc": 1, "InternetGateway": 1, "Subnet": 9, "RouteTable": 9, "RouteTableAssociation": 9, "Route": 6,
        "Eip": 3, "NatGateway": 3}


def test_children_chain_parents_and_dependencies_as_awsx_registers_them(reports):
    by_name = {(r["type"], r["name"]): r for r in _children(reports["dev"])}
    subnet = by_name[("aws:ec2/subnet:Subnet", "webservice-dev-vpc-public-1")]
    inner = by_name[("aws:ec2/vpc:Vpc", "webservice-dev-vpc")]
    assert subnet["urn"].split("::")[2] == f"{NET}$aws:ec2/vpc:Vpc$aws:ec2/subnet:Subnet"
    assert subnet["parent"] == inner["urn"] and subnet["propertyDependencies"]["vpcId"] == [inner["urn"]]
    assert subnet["inputs"]["vpcId"] == inner["id"]  # existing mode: the VPC's id is known
    nat = by_name[("aws:ec2/natGateway:NatGateway", "webservice-dev-vpc-1")]
    assert nat["parent"] == subnet["urn"] and nat["inputs"]["subnetId"] == subnet["id"]


def test_every_child_is_analysed_and_the_programs_transform_ran_on_the_subnets(reports):
    for st, rep in reports.items():
        assert rep["policies"]["analyzed"] == rep["summary"]["resources"], st
        subnets = [r for r in _children(rep) if r["type"] == "aws:ec2/subnet:Subnet"]
        assert subnets and all(r["inputs"]["mapPublicIpOnLaunch"] is False for r in subnets), st
        assert rep["policies"]["violations"] == [], st


def test_without_the_transform_the_pack_flags_awsxs_public_subnets(tmp_path):
    # The nested fixture uses awsx's defaults and no transform: its public subnets map public IPs on launch.
    proc = run_cli(["--program", str(FIXTURES / "nested"), "--stack", "test", "--mode", "existing"], tmp_path)
    rep = json.loads((tmp_path / "test" / "report.json").read_text())
    flagged = sorted(v["urn"].rsplit("::", 1)[-1] for v in rep["policies"]["violations"]
                     if v["policy"] == "aws-ec2-subnet-no-public-ip-on-launch")
    assert flagged == ["net-public-1", "net-public-2"], proc.stdout[-2000:]


def _plan(rep: dict) -> str:
    return "".join(f"{r['type']}  {r['name']}\n" for r in sorted(rep["resources"], key=lambda r: (r["type"], r["name"])))


@pytest.mark.parametrize("stack", STACKS)
def test_golden_plan(reports, stack):
    """Regenerate after a deliberate change with OFFLINE_UPDATE_GOLDEN=1 and review the diff."""
    golden = GOLDEN / f"{stack}.txt"
    plan = _plan(reports[stack])
    if os.environ.get("OFFLINE_UPDATE_GOLDEN"):
        golden.write_text(plan)
    assert plan == golden.read_text()
