"""scripts/enable-policy.sh against a fake `pulumi` that logs its arguments: explicit groups only, every config
validated before the first enable, publish once, an advisory-first (audit) mode, and a guard on the org's
default group."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from delivery_checks import fake_commands

ROOT = Path(__file__).resolve().parents[2]
VERSION = str(yaml.safe_load((ROOT / "policies/PulumiPolicy.yaml").read_text())["version"])
PACK = "aws-ecs-fargate-hardening"
BASELINE = "policies/config/org-baseline.json"
ORG_PROD = "policies/config/org-prod.json"

FAKE = r"""#!/usr/bin/env bash
printf '%s\n' "$*" >> "$FAKE_LOG"
case "$1 $2" in
  "policy ls") printf '%s' "${FAKE_LS:-[]}" ;;
  "policy validate-config")
    for arg in "$@"; do
      if [ -n "${FAKE_INVALID:-}" ] && [ "$arg" = "$FAKE_INVALID" ]; then
        echo "error: config is invalid" >&2; exit 1
      fi
    done ;;
esac
"""


@pytest.fixture
def fake(tmp_path):
    log = tmp_path / "pulumi.log"
    env = {**fake_commands(tmp_path, FAKE, "pulumi"), "FAKE_LOG": str(log)}
    env.pop("DRY_RUN", None)
    env.pop("AUDIT", None)

    def run(*args, **extra):
        result = subprocess.run(["bash", "scripts/enable-policy.sh", *args], cwd=ROOT, env={**env, **extra},
                                capture_output=True, text=True, timeout=60)
        calls = log.read_text().splitlines() if log.exists() else []
        return result, calls

    return run


def _changes(calls):
    return [c for c in calls if c.startswith(("policy publish", "policy enable"))]


def test_publishes_then_validates_every_config_then_enables_each_group(fake):
    result, calls = fake("acme", PACK, VERSION, f"pilot={BASELINE}", f"production={ORG_PROD}")
    assert result.returncode == 0, result.stderr
    assert calls == [
        "policy ls acme --json",
        "policy publish acme",
        f"policy validate-config acme/{PACK} {VERSION} --config {BASELINE}",
        f"policy validate-config acme/{PACK} {VERSION} --config {ORG_PROD}",
        f"policy enable acme/{PACK} {VERSION} --policy-group pilot --config {BASELINE}",
        f"policy enable acme/{PACK} {VERSION} --policy-group production --config {ORG_PROD}",
    ]


def test_a_published_version_is_not_published_again(fake):
    listed = json.dumps([{"name": "other", "versions": [VERSION]}, {"name": PACK, "versions": ["0.9.0", VERSION]}])
    result, calls = fake("acme", PACK, VERSION, f"pilot={BASELINE}", FAKE_LS=listed)
    assert result.returncode == 0, result.stderr
    assert "already published" in result.stdout
    assert _changes(calls) == [f"policy enable acme/{PACK} {VERSION} --policy-group pilot --config {BASELINE}"]


def test_another_version_of_the_pack_does_not_count_as_published(fake):
    result, calls = fake("acme", PACK, VERSION, f"pilot={BASELINE}",
                         FAKE_LS=json.dumps([{"name": PACK, "versions": ["0.0.1"]}]))
    assert result.returncode == 0, result.stderr
    assert "policy publish acme" in calls


def test_an_invalid_config_stops_the_rollout_before_the_first_enable(fake):
    result, calls = fake("acme", PACK, VERSION, f"pilot={BASELINE}", f"production={ORG_PROD}", FAKE_INVALID=ORG_PROD)
    assert result.returncode == 1
    assert f"{ORG_PROD} (group production) is not valid for acme/{PACK} {VERSION}; nothing was enabled" \
        in result.stderr
    assert not [c for c in calls if c.startswith("policy enable")]


def test_a_missing_or_malformed_config_fails_before_pulumi_is_called(fake, tmp_path):
    result, calls = fake("acme", PACK, VERSION, f"pilot={BASELINE}", "prod=policies/config/missing.json")
    assert result.returncode == 1 and "policies/config/missing.json (group prod) does not exist" in result.stderr
    assert calls == []
    result, calls = fake("acme", PACK, VERSION, "g=Makefile")
    assert result.returncode == 1 and "Makefile (group g) is not valid JSON" in result.stderr
    assert calls == []


def test_there_is_no_default_group(fake):
    result, calls = fake("acme", PACK, VERSION)
    assert result.returncode == 2 and "GROUP=CONFIG" in result.stderr
    assert calls == []
    result, calls = fake("acme", PACK, VERSION, "policies/config/org-baseline.json")
    assert result.returncode == 2 and "expected GROUP=CONFIG" in result.stderr


def test_the_org_default_group_refuses_a_config_stricter_than_the_baseline(fake):
    result, calls = fake("acme", PACK, VERSION, f"default-policy-group={ORG_PROD}")
    assert result.returncode == 1
    assert ("makes aws-cloudwatch-metricalarm-actions, aws-ecs-taskdefinition-readonly-root-filesystem, "
            "aws-lb-listener-acm-certificate") in result.stderr
    assert "Put stricter configs on a dedicated group" in result.stderr
    assert calls == []
    result, calls = fake("acme", PACK, VERSION, f"default-policy-group={BASELINE}")
    assert result.returncode == 0, result.stderr


def test_audit_mode_validates_and_enables_an_advisory_copy_of_each_config(fake):
    result, calls = fake("acme", PACK, VERSION, f"production={ORG_PROD}", AUDIT="1")
    assert result.returncode == 0, result.stderr
    assert "advisory only (audit)" in result.stdout
    enable = [c for c in calls if c.startswith("policy enable")]
    assert len(enable) == 1 and re.search(r"--policy-group production --config \S+/0-org-prod\.json$", enable[0])
    validated = [c for c in calls if c.startswith("policy validate-config")]
    assert validated and validated[0].endswith("0-org-prod.json")


def test_audit_config_is_all_advisory(tmp_path):
    # The conversion the script applies, run on its own: every level advisory, every other setting unchanged.
    script = (ROOT / "scripts/enable-policy.sh").read_text()
    body = script.split("# Advisory-first: the same settings, every rule advisory.", 1)[1]
    code = body.split("<<'PY'\n", 1)[1].split("\nPY\n", 1)[0]
    out = tmp_path / "audit.json"
    subprocess.run(["python3", "-c", code, str(ROOT / ORG_PROD), str(out)], check=True, timeout=60)
    source, audited = json.loads((ROOT / ORG_PROD).read_text()), json.loads(out.read_text())
    assert set(audited) == set(source)
    for name, value in audited.items():
        if isinstance(value, str):
            assert value == "advisory", name
        else:
            assert value["enforcementLevel"] == "advisory", name
            assert {k: v for k, v in value.items() if k != "enforcementLevel"} == \
                {k: v for k, v in source[name].items() if k != "enforcementLevel"}, name


def test_version_must_be_explicit_and_match_the_pack(fake):
    result, calls = fake("acme", PACK, "latest", f"pilot={BASELINE}")
    assert result.returncode == 1 and "VERSION 'latest': expected X.Y.Z" in result.stderr
    result, calls = fake("acme", PACK, "9.9.9", f"pilot={BASELINE}")
    assert result.returncode == 1 and f"declares version '{VERSION}'" in result.stderr
    assert calls == []


def test_dry_run_changes_nothing(fake):
    result, calls = fake("acme", "-", VERSION, f"pilot={BASELINE}", DRY_RUN="1")
    assert result.returncode == 0, result.stderr
    assert _changes(calls) == []
    assert f"+ pulumi policy enable acme/{PACK} {VERSION} --policy-group pilot --config {BASELINE}" in result.stdout
    assert "+ pulumi policy publish acme" in result.stdout


@pytest.mark.parametrize("source", [
    'from pulumi_policy import PolicyPack\nPolicyPack(name="aws-webservice", policies=[])\n',
    'import pulumi_policy as pp\nPACK = "aws-webservice"\npp.PolicyPack(PACK, enforcement_level=None, policies=[])\n',
])
def test_reads_a_literal_or_constant_pack_name(tmp_path, source):
    (tmp_path / "scripts").mkdir()
    (tmp_path / "policies/config").mkdir(parents=True)
    (tmp_path / "scripts/enable-policy.sh").write_text((ROOT / "scripts/enable-policy.sh").read_text())
    (tmp_path / "policies/__main__.py").write_text(source)
    (tmp_path / "policies/PulumiPolicy.yaml").write_text("version: 2.0.0\n")
    (tmp_path / "policies/config/org-baseline.json").write_text("{}")
    (tmp_path / "policies/prod.json").write_text("{}")
    fake_ls = "#!/usr/bin/env bash\n[ \"$1 $2\" = 'policy ls' ] && echo '[]'\nexit 0\n"
    env = {**fake_commands(tmp_path, fake_ls, "pulumi"), "DRY_RUN": "1"}
    result = subprocess.run(["bash", "scripts/enable-policy.sh", "acme", "", "2.0.0", "prod=policies/prod.json"],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "+ pulumi policy enable acme/aws-webservice 2.0.0 --policy-group prod --config policies/prod.json" \
        in result.stdout
