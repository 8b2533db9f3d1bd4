"""The pack configs shipped for organisation-wide enforcement (policies/config/org-*.json).

The baseline goes on groups that hold other teams' stacks, so it must block exactly the pack's mandatory security
set and nothing else. It is run here the way the CLI runs a pack: against this project's three stacks (the offline
engine's recordings, as `make preview` analyses them) and against fixtures that stand for other teams' resources.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
for extra in (ROOT, ROOT / "tests" / "policies", ROOT / "tests" / "offline"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from offline.analyzer import PolicyPackProcess, StackResource  # noqa: E402
from offline.graph import topo_order  # noqa: E402
from offline.policyrun import run_policies  # noqa: E402
from offline_support import run_engine  # noqa: E402
from pack_fixtures import BASE, DELETE, T, container, doc, patch, taskdef, with_env  # noqa: E402
from policies.pack import POLICIES  # noqa: E402

CONFIG_DIR = ROOT / "policies" / "config"
BASELINE = json.loads((CONFIG_DIR / "org-baseline.json").read_text())
ORG_PROD = json.loads((CONFIG_DIR / "org-prod.json").read_text())
PROJECT_PROD = json.loads((CONFIG_DIR / "prod.json").read_text())
PACK_MANDATORY = {p.name for p in POLICIES if p.enforcement_level.value == "mandatory"}


def level(value) -> str:
    return value if isinstance(value, str) else value.get("enforcementLevel", "")


def mandatory_in(config: dict) -> set[str]:
    return {name for name, value in config.items() if level(value) == "mandatory"}


@pytest.fixture(scope="module")
def pack():
    with PolicyPackProcess(ROOT / "policies") as process:
        yield process


# --- the files themselves -----------------------------------------------------------------------------------


def test_baseline_names_every_rule_of_the_pack_so_a_new_rule_gets_an_org_level_on_purpose():
    assert set(BASELINE) == {p.name for p in POLICIES}
    assert set(ORG_PROD) == {p.name for p in POLICIES}


def test_baseline_is_the_mandatory_security_set_and_everything_else_advisory():
    assert PACK_MANDATORY and mandatory_in(BASELINE) == PACK_MANDATORY
    assert {level(v) for n, v in BASELINE.items() if n not in PACK_MANDATORY} == {"advisory"}


def test_org_prod_config_adds_the_prod_requirements_of_this_projects_prod_config():
    assert mandatory_in(ORG_PROD) == PACK_MANDATORY | mandatory_in(PROJECT_PROD)
    # Project-specific exemptions (names of this program's resources) stay out of configs for other teams.
    assert not [n for n, v in ORG_PROD.items() if isinstance(v, dict) and "exemptions" in v]


# --- this project's stacks ----------------------------------------------------------------------------------


def _analyse_stack(pack, stack: str, config: dict, tmp_path: Path):
    """The stack's recorded resources through the pack with ``config`` standing in for its pack config."""
    pack_dir = tmp_path / "pack"
    (pack_dir / "config").mkdir(parents=True)
    shutil.copy(ROOT / "policies" / "PulumiPolicy.yaml", pack_dir / "PulumiPolicy.yaml")
    (pack_dir / "config" / f"{stack}.json").write_text(json.dumps(config))
    work = tmp_path / "engine"
    work.mkdir()
    run = run_engine(ROOT, stack, "existing", work)
    assert not run.get("error"), run.get("error")
    return run_policies(pack, topo_order(run["resources"]), "existing", stack, pack_dir)


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_baseline_blocks_nothing_in_this_projects_stacks(pack, stack, tmp_path):
    outcome = _analyse_stack(pack, stack, BASELINE, tmp_path)
    assert outcome.analyzed > 40
    assert outcome.mandatory == []


def test_org_prod_config_blocks_nothing_in_this_projects_prod_stack(pack, tmp_path):
    outcome = _analyse_stack(pack, "prod", ORG_PROD, tmp_path)
    assert outcome.mandatory == []


def test_org_prod_config_would_block_this_projects_dev_stack(pack, tmp_path):
    # Why prod rules belong on a dedicated prod group: on dev they block (HTTP forward, single AZ, ...).
    outcome = _analyse_stack(pack, "dev", ORG_PROD, tmp_path)
    assert {v["policy"] for v in outcome.mandatory} >= {
        "aws-lb-listener-http-redirects-to-https", "aws-rds-instance-multi-az", "aws-rds-instance-deletion-protection"}


# --- other teams' resources ---------------------------------------------------------------------------------

# Ordinary, non-prod choices another team may make: none is a security breach, so none may be blocked org-wide.
ORDINARY = [
    ("rds", "team-a-db", patch(BASE["rds"], multiAz=False, deletionProtection=False, backupRetentionPeriod=1,
                                monitoringInterval=0, iamDatabaseAuthenticationEnabled=False,
                                enabledCloudwatchLogsExports=[], copyTagsToSnapshot=False)),
    ("lb", "team-b-alb", patch(BASE["lb"], enableDeletionProtection=False, accessLogs=DELETE,
                               dropInvalidHeaderFields=False)),
    ("listener", "team-b-http", {"loadBalancerArn": "arn:lb", "port": 80, "protocol": "HTTP",
                                 "defaultActions": [{"type": "forward", "targetGroupArn": "arn:tg"}]}),
    ("listener", "team-b-https", patch(BASE["listener_https"], sslPolicy="ELBSecurityPolicy-2016-08")),
    ("log_group", "team-c-logs", {"name": "/team-c/app", "retentionInDays": 1}),
    ("repo", "team-c-repo", {"imageTagMutability": "MUTABLE"}),
    ("taskdef", "team-c-task", taskdef([container(readonlyRootFilesystem=False, image="nginx:latest")])),
    ("kms", "team-d-key", patch(BASE["kms"], enableKeyRotation=False)),
]

# Each one a breach of the mandatory security set, with the rule that must block it.
BREACHES = [
    ("rds", "red-public-db", patch(BASE["rds"], publiclyAccessible=True), "aws-rds-instance-not-public"),
    ("rds", "red-plain-db", patch(BASE["rds"], storageEncrypted=False, kmsKeyId=DELETE),
     "aws-rds-instance-storage-encrypted"),
    ("taskdef", "red-root-task", taskdef([container(user="0")]), "aws-ecs-taskdefinition-non-root-user"),
    ("taskdef", "red-privileged-task", taskdef([container(privileged=True)]), "aws-ecs-taskdefinition-not-privileged"),
    ("taskdef", "red-secret-task", taskdef([with_env(("DB_PASSWORD", "hunter2"))]),
     "aws-ecs-taskdefinition-no-plaintext-secrets"),
    ("taskdef", "red-garbled-task", taskdef(containerDefinitions="[{not json"),
     "aws-ecs-taskdefinition-valid-container-definitions"),
    ("sg_tasks", "red-ssh-sg", patch(BASE["sg_db"], ingress=[
        {"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"], "description": "ssh"}]),
     "aws-ec2-securitygroup-no-world-admin-ports"),
    ("sg_tasks", "red-open-sg", patch(BASE["sg_db"], ingress=[
        {"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"], "description": "all"}]),
     "aws-ec2-securitygroup-no-world-all-protocols"),
    ("service", "red-public-service", patch(BASE["service"], networkConfiguration={
        "assignPublicIp": True, "subnets": ["subnet-a"], "securityGroups": ["sg-tasks"]}),
     "aws-ecs-service-no-public-ip"),
    ("iam_policy", "red-admin-policy", {"policy": doc({"Effect": "Allow", "Action": "*", "Resource": "*"})},
     "aws-iam-policy-no-admin-access"),
    ("taskdef", "red-host-network-task", taskdef(networkMode="host"), "aws-ecs-taskdefinition-no-host-network"),
    ("taskdef", "red-host-pid-task", taskdef(pidMode="host"), "aws-ecs-taskdefinition-no-host-namespaces"),
    ("taskdef", "red-sys-admin-task", taskdef([container(linuxParameters={
        "initProcessEnabled": True, "capabilities": {"add": ["SYS_ADMIN"]}})]),
     "aws-ecs-taskdefinition-no-added-capabilities"),
    ("repo_policy", "red-public-repo-policy", {"repository": "app", "policy": doc(
        {"Effect": "Allow", "Principal": "*", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]})},
     "aws-ecr-repositorypolicy-no-public-principal"),
    ("kms", "red-public-key", patch(BASE["kms"], policy=doc(
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*"})),
     "aws-kms-key-no-public-principal"),
    ("secret_policy", "red-public-secret-policy", {"secretArn": "arn:secret", "policy": doc(
        {"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*"})},
     "aws-secretsmanager-secretpolicy-no-public-principal"),
]

#: Stack rules of the mandatory set, with a stack that breaches each: SSH opened to the world in two halves,
#: each half a rule resource of its own on the same group.
STACK_BREACHES = {
    "aws-ec2-securitygroup-no-world-exposure-across-rules": [
        StackResource(T["sg_ingress"], name, {"securityGroupId": "sg-9", "ipProtocol": "tcp", "fromPort": 22,
                                               "toPort": 22, "cidrIpv4": cidr, "description": "ssh"})
        for name, cidr in (("red-ssh-low-half", "0.0.0.0/1"), ("red-ssh-high-half", "128.0.0.0/1"))],
}

_TYPES = {"sg_tasks": T["sg"]}


def _analyse(pack, config: dict, fixtures) -> dict[str, dict[str, set[str]]]:
    pack.configure(config)
    try:
        found = {}
        for key, name, props, *_ in fixtures:
            result = pack.analyze_resource(_TYPES.get(key, T.get(key)), name, props)
            found[name] = {lvl: {v.policy_name for v in result.violations if v.enforcement_level == lvl}
                           for lvl in ("mandatory", "advisory")}
        return found
    finally:
        pack.configure({})


def test_the_breach_fixtures_cover_the_whole_mandatory_set():
    assert {b[3] for b in BREACHES} | set(STACK_BREACHES) == PACK_MANDATORY


@pytest.mark.parametrize("rule", sorted(STACK_BREACHES))
def test_baseline_blocks_each_stack_breach_of_the_mandatory_set(pack, rule):
    pack.configure(BASELINE)
    try:
        result = pack.analyze_resources(STACK_BREACHES[rule])
    finally:
        pack.configure({})
    mandatory = {v.policy_name for v in result.violations if v.enforcement_level == "mandatory"}
    assert rule in mandatory and mandatory <= PACK_MANDATORY


def test_baseline_reports_other_teams_ordinary_choices_without_blocking_them(pack):
    found = _analyse(pack, BASELINE, ORDINARY)
    assert {name: f["mandatory"] for name, f in found.items() if f["mandatory"]} == {}
    # Reported, not silent: every ordinary fixture gets at least one advisory finding.
    assert [name for name, f in found.items() if not f["advisory"]] == []


def test_baseline_blocks_each_breach_of_the_mandatory_set_and_only_with_that_rule(pack):
    found = _analyse(pack, BASELINE, BREACHES)
    for _, name, _, rule in BREACHES:
        assert rule in found[name]["mandatory"], name
        assert found[name]["mandatory"] <= PACK_MANDATORY, name


def test_this_projects_prod_config_would_block_other_teams_ordinary_choices(pack):
    # The old default (prod.json on the org's default group) would have broken these teams' deploys.
    found = _analyse(pack, PROJECT_PROD, ORDINARY)
    blocked = {rule for f in found.values() for rule in f["mandatory"]}
    assert {"aws-rds-instance-multi-az", "aws-lb-listener-http-redirects-to-https",
            "aws-lb-listener-tls-policy"} <= blocked
