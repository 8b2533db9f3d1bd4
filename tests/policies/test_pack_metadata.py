"""Every rule carries full metadata, lives in a file named after it, and the pack serves it as declared."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

from policies.core.rules import RuleIds
from policies.pack import POLICIES, RULE_MODULES

ROOT = Path(__file__).resolve().parents[2]
NAME = re.compile(r"^aws-[a-z0-9]+-[a-z0-9]+-[a-z0-9]+(-[a-z0-9]+)*$")
PACK_OWN = {"aws-ecs-taskdefinition-valid-container-definitions", "aws-ecs-service-circuit-breaker",
            "aws-ecs-taskdefinition-no-added-capabilities", "aws-secretsmanager-secretpolicy-no-public-principal"}
MANDATORY = {
    "aws-rds-instance-not-public", "aws-rds-instance-storage-encrypted", "aws-ecs-taskdefinition-non-root-user",
    "aws-ecs-taskdefinition-not-privileged", "aws-ecs-taskdefinition-no-plaintext-secrets",
    "aws-ec2-securitygroup-no-world-admin-ports", "aws-ec2-securitygroup-no-world-all-protocols",
    "aws-ecs-service-no-public-ip", "aws-iam-policy-no-admin-access",
    "aws-ecs-taskdefinition-valid-container-definitions", "aws-ecs-taskdefinition-no-host-network",
    "aws-ecs-taskdefinition-no-host-namespaces", "aws-ecs-taskdefinition-no-added-capabilities",
    "aws-secretsmanager-secretpolicy-no-public-principal", "aws-ec2-securitygroup-no-world-exposure-across-rules",
    "aws-ecr-repositorypolicy-no-public-principal", "aws-kms-key-no-public-principal",
}


def test_the_pack_has_at_least_55_uniquely_named_rules():
    names = [p.name for p in POLICIES]
    assert len(names) >= 55
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("policy", POLICIES, ids=[p.name for p in POLICIES])
def test_rule_has_full_metadata(policy):
    assert NAME.match(policy.name), policy.name
    assert policy.description and policy.description.endswith(".")
    assert policy.severity is not None
    assert policy.enforcement_level is not None
    assert policy.remediation_steps and len(policy.remediation_steps) > 20
    assert policy.url and policy.url.startswith("https://")
    assert policy.tags
    assert isinstance(policy.ids, RuleIds)
    if policy.name in PACK_OWN:
        assert "pack-own" in policy.tags
    else:
        assert policy.ids.tags(), f"{policy.name} names no FSBP/cdk-nag/Checkov/AWSGuard id"
        assert set(policy.ids.tags()) <= set(policy.tags)
    assert policy.unknowns, "document what the rule does with unknown values"
    assert policy.config_schema is not None


@pytest.mark.parametrize("module", RULE_MODULES, ids=[m.__name__ for m in RULE_MODULES])
def test_each_rule_lives_in_a_file_named_after_it(module):
    path = Path(inspect.getfile(module))
    service = path.parent.name
    assert module.POLICY.name == f"aws-{service}-{path.stem.replace('_', '-')}"
    source = path.read_text()
    assert source.count("resource_rule(") + source.count("stack_rule(") == 1, "one rule per file"


def test_mandatory_rules_are_exactly_the_stated_set():
    assert {p.name for p in POLICIES if p.enforcement_level.value == "mandatory"} == MANDATORY
    assert all(bool(p.is_mandatory) == (p.name in MANDATORY) for p in POLICIES)


def test_mandatory_rules_accept_no_exemptions_and_advisory_rules_do():
    for p in POLICIES:
        assert ("exemptions" in p.config_schema.properties) == (p.name not in MANDATORY), p.name


def test_the_running_pack_serves_the_same_metadata(pack_process):
    info = pack_process.pack_info()
    assert info.name == "aws-ecs-fargate-hardening"
    assert [p.name for p in info.policies] == [p.name for p in POLICIES]
    for served, declared in zip(info.policies, POLICIES, strict=True):
        assert served.severity == declared.severity.value
        assert served.enforcement_level == declared.enforcement_level.value
        assert served.remediation_steps == declared.remediation_steps
        assert served.url == declared.url
        assert list(served.tags) == list(declared.tags)
        assert set(served.config_schema) == set(declared.config_schema.properties)


def test_readme_tables_are_generated_from_the_metadata_and_current():
    result = subprocess.run([sys.executable, "-m", "policies.tools.readme", "--check"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    readme = (ROOT / "policies/README.md").read_text()
    for p in POLICIES:
        assert f"| `{p.name}` |" in readme


def test_pack_files_exist():
    import yaml

    project = yaml.safe_load((ROOT / "policies/PulumiPolicy.yaml").read_text())
    assert project["runtime"]["name"] == "python"
    assert project["runtime"]["options"]["virtualenv"] == "venv"
    assert re.match(r"^\d+\.\d+\.\d+$", str(project["version"]))
    pins = (ROOT / "policies/requirements.txt").read_text()
    assert re.search(r"^pulumi-policy>=1\.21\.0,<2\.0\.0$", pins, re.M)
    assert re.search(r"^pulumi>=3\.272\.0,<4\.0\.0$", pins, re.M)


@pytest.mark.parametrize("module", RULE_MODULES, ids=[m.POLICY.name for m in RULE_MODULES])
def test_a_mandatory_rule_states_why_in_its_module(module):
    reason = getattr(module, "LEVEL_REASON", None)
    assert bool(reason) == bool(module.POLICY.is_mandatory), "LEVEL_REASON exactly on the mandatory rules"
