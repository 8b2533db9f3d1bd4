"""The pack runs in its own runtime: the virtualenv the Pulumi CLI builds in policies/venv from
policies/requirements.txt (PulumiPolicy.yaml: runtime python, virtualenv venv), not the test suite's.

The virtualenv is built as the offline preview builds it (offline.packlaunch: as `pulumi install` does, when it is
missing or older than requirements.txt); the test starts the pack with its interpreter and checks that the value
detector (detect-secrets) is there and finds a token.
"""

from __future__ import annotations

import json
import subprocess

from offline.analyzer import PolicyPackProcess
from offline.packlaunch import ensure_runtime
from pack_fixtures import T, taskdef, with_env
from conftest import PACK_DIR

VENV = PACK_DIR / "venv"


def _pack_venv() -> str:
    return str(ensure_runtime(PACK_DIR).python)


def test_the_pack_runs_in_its_own_virtualenv_with_its_detector():
    python = _pack_venv()
    probe = subprocess.run([python, "-c", "import detect_secrets, pulumi_policy; print(detect_secrets.__file__)"],
                           capture_output=True, text=True, timeout=120, check=True)
    assert str(VENV) in probe.stdout
    token = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
    with PolicyPackProcess(PACK_DIR, python=python) as pack:
        pack.configure({})
        result = pack.analyze_resource(T["taskdef"], "td", taskdef([with_env(("CI_HELPER", token))]))
    assert [(v.policy_name, v.enforcement_level) for v in result.violations] == [
        ("aws-ecs-taskdefinition-no-plaintext-secrets", "mandatory")], json.dumps([v.message for v in
                                                                                 result.violations])
    assert "GitHub Token" in result.violations[0].message
