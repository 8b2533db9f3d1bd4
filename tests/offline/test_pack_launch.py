"""The pack is launched as ``pulumi preview --policy-pack`` launches it (offline/packlaunch.py): under the virtualenv
PulumiPolicy.yaml names, with the PULUMI_* environment and ConfigureStack the CLI sends, one process per stack.

The facts are asserted from inside the pack process: fixtures/probe_pack reports, as a violation, what its own
interpreter, process and policy runtime see.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from offline.packlaunch import PackRuntimeError, ensure_runtime
from offline_support import FIXTURES, ROOT, run_cli

PACK_VENV = ROOT / "policies" / "venv"


@pytest.fixture(scope="module")
def probe_pack(tmp_path_factory) -> Path:
    """The probe pack, using the project pack's virtualenv (an absolute ``virtualenv``, which the CLI keeps as it
    is) with the same requirements, so that it is reused, not rebuilt."""
    ensure_runtime(ROOT / "policies")
    pack = tmp_path_factory.mktemp("probe") / "pack"
    shutil.copytree(FIXTURES / "probe_pack", pack)
    (pack / "PulumiPolicy.yaml").write_text(
        f"runtime:\n  name: python\n  options:\n    virtualenv: {PACK_VENV}\nversion: 0.0.1\n")
    shutil.copy(ROOT / "policies" / "requirements.txt", pack / "requirements.txt")
    return pack


def _facts(out: Path, stack: str) -> tuple[dict, dict]:
    """What the probe saw in ``stack``'s pack process, and the launch the report records."""
    policies = json.loads((out / stack / "report.json").read_text())["policies"]
    [violation] = [v for v in policies["violations"] if v["policy"] == "launch-probe"]
    return json.loads(violation["message"].splitlines()[-1]), policies["launch"]  # after the rule's description


@pytest.fixture(scope="module")
def existing_run(probe_pack, tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("out")
    proc = run_cli(["--stack", "dev", "--stack", "prod", "--mode", "existing", "--policy-pack", str(probe_pack)], out)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return out, proc.stdout


def test_the_pack_runs_under_the_virtualenv_its_pulumipolicy_yaml_names(existing_run):
    out, stdout = existing_run
    facts, launch = _facts(out, "dev")
    assert facts["executable"] == str(PACK_VENV / "bin" / "python")
    assert facts["prefix"] == str(PACK_VENV) and facts["virtualEnv"] == str(PACK_VENV)
    assert launch["python"] == facts["executable"] and launch["virtualenvAction"] == "reused"
    assert f"pack process {facts['pid']}: " in stdout and "(virtualenv " in stdout and ", reused)" in stdout


def test_each_stack_gets_its_own_pack_process(existing_run):
    out, _ = existing_run
    (dev, dev_launch), (prod, prod_launch) = _facts(out, "dev"), _facts(out, "prod")
    assert dev["pid"] != prod["pid"]
    assert (dev["pid"], prod["pid"]) == (dev_launch["pid"], prod_launch["pid"])
    assert (dev["stack"], prod["stack"]) == ("dev", "prod")


def test_the_pulumi_environment_and_configurestack_arrive_as_the_cli_sends_them(existing_run):
    out, _ = existing_run
    facts, launch = _facts(out, "dev")
    # PULUMI_ORGANIZATION/PROJECT/STACK/DRY_RUN, read by the policy runtime into pulumi's settings.
    assert (facts["organization"], facts["project"], facts["stack"], facts["dryRun"]) == \
        ("organization", "webservice", "dev", True)
    # PULUMI_CONFIG: every key of the merged config, project defaults included, as pulumi.Config reads it.
    assert facts["region"] == "us-east-1"
    assert {"webservice:cpu", "webservice:allowHttp", "webservice:dbName"} <= set(facts["configKeys"])
    assert facts["configKeys"] == launch["configKeys"]
    # ConfigureStack: the stack tags the CLI derives from Pulumi.yaml reach the rules as args.stack_tags.
    assert facts["stackTags"]["pulumi:project"] == "webservice"
    assert facts["stackTags"]["pulumi:runtime"] == "python"
    assert launch["environment"] == ["PULUMI_CONFIG", "PULUMI_DRY_RUN", "PULUMI_ORGANIZATION", "PULUMI_PROJECT",
                                     "PULUMI_STACK"]


def _secure_program(tmp_path: Path) -> tuple[Path, str]:
    from test_config_secrets import PASSPHRASE, _secure_stack

    return _secure_stack(tmp_path, "s3cr3t-value"), PASSPHRASE


def test_an_update_previews_with_a_dry_run_pack_then_updates_with_another_and_decrypted_config(probe_pack, tmp_path):
    program, passphrase = _secure_program(tmp_path)
    out = tmp_path / "out"
    proc = run_cli(["--program", str(program), "--stack", "sec", "--mode", "update", "--policy-pack", str(probe_pack)],
                   out, {"PULUMI_CONFIG_PASSPHRASE": passphrase})
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    facts, launch = _facts(out, "sec")
    assert (facts["dryRun"], launch["dryRun"], facts["project"]) == (False, False, "nested")
    assert facts["digests"] == {"nested:dbPassword": hashlib.sha256(b"s3cr3t-value").hexdigest()}
    assert launch["secretKeys"] == ["nested:dbPassword"] and launch["undecryptedSecretKeys"] == []
    assert "s3cr3t-value" not in (out / "sec" / "report.json").read_text()
    assert proc.stdout.count("pack process ") == 1 and "dry run false" in proc.stdout


def test_without_the_passphrase_the_pack_gets_the_placeholder_and_the_output_says_so(probe_pack, tmp_path):
    from offline.stackconfig import SECRET_PLACEHOLDER

    program, _ = _secure_program(tmp_path)
    out = tmp_path / "out"
    proc = run_cli(["--program", str(program), "--stack", "sec", "--mode", "existing", "--policy-pack",
                    str(probe_pack)], out)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    facts, launch = _facts(out, "sec")
    assert facts["digests"] == {"nested:dbPassword": hashlib.sha256(SECRET_PLACEHOLDER.encode()).hexdigest()}
    assert launch["undecryptedSecretKeys"] == ["nested:dbPassword"]
    assert "!! 1 secure config value(s) not decrypted (no PULUMI_CONFIG_PASSPHRASE)" in proc.stdout


def _pack_dir(tmp_path: Path, requirements: str, runtime: str = "python") -> Path:
    pack = tmp_path / "pack"
    pack.mkdir(exist_ok=True)
    (pack / "PulumiPolicy.yaml").write_text(f"runtime:\n  name: {runtime}\n  options:\n    virtualenv: venv\n")
    (pack / "requirements.txt").write_text(requirements)
    return pack


def test_a_missing_venv_is_created_reused_while_current_and_updated_when_requirements_change(tmp_path):
    pack = _pack_dir(tmp_path, "# nothing to install\n")
    created = ensure_runtime(pack)
    assert (created.action, created.virtualenv, created.python) == ("created", pack / "venv", pack / "venv/bin/python")
    assert created.python.exists() and (pack / "venv" / ".requirements.txt").read_text() == "# nothing to install\n"
    marker = pack / "venv" / "marker"
    marker.write_text("")
    assert ensure_runtime(pack).action == "reused"
    (pack / "requirements.txt").write_text("# nothing to install, still\n")
    updated = ensure_runtime(pack)
    assert updated.action == "updated" and marker.exists()  # updated in place, as `pulumi install` does
    assert (pack / "venv" / ".requirements.txt").read_text() == "# nothing to install, still\n"
    assert ensure_runtime(pack).action == "reused"


def test_a_failed_install_is_reported_and_never_looks_current(tmp_path):
    pack = _pack_dir(tmp_path, "./no-such-package-dir\n")
    with pytest.raises(PackRuntimeError, match="installing the pack's requirements failed"):
        ensure_runtime(pack)
    assert not (pack / "venv" / ".requirements.txt").exists()
    with pytest.raises(PackRuntimeError):
        ensure_runtime(pack)


def test_a_runtime_other_than_python_is_named_with_its_file(tmp_path):
    pack = _pack_dir(tmp_path, "", runtime="nodejs")
    with pytest.raises(PackRuntimeError, match=r"PulumiPolicy.yaml: runtime: 'nodejs': only a python pack"):
        ensure_runtime(pack)


def test_the_docs_no_longer_claim_the_old_launch():
    text = (ROOT / "offline" / "README.md").read_text() + (ROOT / "README.md").read_text()
    for stale in ("one pack process for all stacks", "under the project's `.venv`", "secret values masked"):
        assert stale not in text, stale
    assert "one pack process per stack" in text and "policies/venv" in text
