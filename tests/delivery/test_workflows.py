"""The GitHub Actions workflows agree with the repo (make targets, policy pack, stacks), stay least-privilege, and
the workflow linter really lints. What the pipeline promises is in test_pipeline.py; the scripts it runs have
their own tests (test_smoke_test, test_image_scripts, test_enable_policy, test_pr_feedback)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from delivery_checks import (
    ROOT,
    STACKS,
    action_files,
    check_make_targets,
    check_policy_packs,
    jobs,
    load,
    make_calls,
    makefile_targets,
    pulumi_calls,
    pulumi_cli_calls,
    pulumi_steps,
    rel,
    stacks_for,
    steps,
    workflow_files,
)

MAKEFILE = (ROOT / "Makefile").read_text()
REQUIRED_WORKFLOWS = {"pr.yml", "deploy.yml", "deploy-stack.yml", "policy.yml", "recover.yml", "drift.yml"}


def test_the_workflows_exist():
    assert REQUIRED_WORKFLOWS <= {p.name for p in workflow_files()}


# --- make targets -----------------------------------------------------------------------------------------


def test_makefile_parser_reads_the_rule_heads():
    text = "X := 1\n.PHONY: a b\na: ## A\n\tmake b\nb c: a\n%.o: %.c\n$(BIN)/x: y\nd::\n"
    assert makefile_targets(text) == {"a", "b", "c", "d"}


def test_make_call_parser_finds_targets_and_skips_variables_and_options():
    script = "sudo bash scripts/system-deps.sh\nmake test\nmake -j2 preview STACK=dev MODE=update && make lint"
    assert make_calls(script) == ["test", "preview", "lint"]
    assert make_calls("echo make-believe; cmake build") == []


def test_workflows_call_only_make_targets_that_exist():
    assert check_make_targets(steps(), MAKEFILE) == []


def test_workflows_call_make_at_all():
    called = {t for s in steps() for t in make_calls(s.step.get("run", "") or "")}
    assert {"test", "preview-all", "test-py", "venv"} <= called


def test_renaming_a_make_target_breaks_the_check():
    renamed = re.sub(r"^preview-all:", "preview-every-stack:", MAKEFILE, flags=re.MULTILINE)
    assert renamed != MAKEFILE
    problems = check_make_targets(steps(), renamed)
    assert problems and all("preview-all" in p for p in problems)


# --- policy pack and stacks -------------------------------------------------------------------------------


def test_every_pulumi_preview_and_up_runs_the_policy_pack_with_an_existing_config():
    # Needs policies/PulumiPolicy.yaml and policies/config/<stack>.json (the policy pack's files).
    assert check_policy_packs(steps()) == []


def test_policy_pack_check_reports_a_missing_pack(tmp_path):
    problems = check_policy_packs(steps(), root=tmp_path)
    assert any("policies/PulumiPolicy.yaml does not exist" in p for p in problems)
    assert any("policies/config/prod.json does not exist" in p for p in problems)


def test_pulumi_call_parser_joins_continuations_and_stops_at_operators():
    script = 'echo hi\nif ! pulumi cancel --yes; then echo no; fi\npulumi preview --stack "$S" \\\n  --diff | tee x'
    assert pulumi_calls(script) == [["pulumi", "cancel", "--yes"], ["pulumi", "preview", "--stack", "$S", "--diff"]]


def test_preview_and_deploy_cover_every_stack_and_the_stacks_exist():
    by_verb: dict[str, set[str]] = {}
    for call in pulumi_cli_calls(steps()):
        if call.verb in ("preview", "up"):
            by_verb.setdefault(call.verb, set()).update(stacks_for(call.step))
    assert by_verb == {"preview": set(STACKS), "up": set(STACKS)}
    # Needs the stack files (Pulumi.<stack>.yaml).
    missing = [f"Pulumi.{stack}.yaml" for stack in STACKS if not (ROOT / f"Pulumi.{stack}.yaml").is_file()]
    assert missing == []


def test_deploy_promotes_dev_then_staging_then_prod():
    deploy = jobs(ROOT / ".github/workflows/deploy.yml")
    stages = {k: j for k, j in deploy.items() if "uses" in j}
    assert [j["with"]["stack"] for j in stages.values()] == ["dev", "staging", "prod"]
    assert deploy["dev"]["needs"] == "image"
    assert deploy["staging"]["needs"] == "dev"
    assert deploy["prod"]["needs"] == "staging"


def test_each_stack_updates_in_its_environment_with_a_non_cancelling_concurrency_group():
    job = jobs(ROOT / ".github/workflows/deploy-stack.yml")["up"]
    assert job["environment"]["name"] == "${{ inputs.stack }}"
    assert job["concurrency"] == {"group": "pulumi-${{ inputs.stack }}", "cancel-in-progress": False}


def test_pulumi_cli_version_matches_the_sdk_pin():
    sdk = re.search(r"^pulumi==(\S+)", (ROOT / "requirements.txt").read_text(), re.MULTILINE).group(1)
    versions = [str((s.step.get("with") or {})["pulumi-version"]) for s in pulumi_steps(steps())
                if "pulumi-version" in (s.step.get("with") or {})
                and "${{" not in str(s.step["with"]["pulumi-version"])]
    for path in action_files():
        for name, spec in (load(path).get("inputs") or {}).items():
            if name == "pulumi-version":
                versions.append(str(spec["default"]))
    assert versions and set(versions) == {sdk}


def test_pulumi_program_runs_in_the_make_venv():
    # The CLI runs the program with the runtime in Pulumi.yaml; `make venv` fills .venv.
    project = load(ROOT / "Pulumi.yaml")
    assert project["name"] == "webservice"
    runtime = project["runtime"]
    assert runtime["name"] == "python"
    assert runtime.get("options", {}).get("virtualenv") == ".venv"


# --- least privilege and injection ------------------------------------------------------------------------


def test_workflows_grant_nothing_by_default_and_every_job_declares_permissions():
    for path in workflow_files():
        doc = load(path)
        assert doc.get("permissions") == {}, rel(path)
        for job_id, job in doc["jobs"].items():
            assert "permissions" in job, f"{rel(path)} job {job_id}"
            assert job["permissions"] != "write-all", f"{rel(path)} job {job_id}"


def test_write_scopes_only_where_needed():
    allowed = {"id-token": {"write"}, "security-events": {"write"}, "pull-requests": {"write"}, "contents": {"read"}}
    # Writes stay where they are needed: id-token in jobs that assume roles, the rest in the PR checks.
    for path in workflow_files():
        for job_id, job in jobs(path).items():
            for scope, level in (job["permissions"] or {}).items():
                assert level in allowed.get(scope, {"read"}), f"{rel(path)} job {job_id}: {scope}: {level}"


def test_no_run_step_interpolates_github_event():
    for s in steps():
        assert not re.search(r"\$\{\{[^}]*github\.event", s.step.get("run", "") or ""), s


def test_run_steps_take_every_value_through_env():
    # Stricter house rule: no `${{ }}` in shell at all, so nothing can be spliced into a script.
    for s in steps():
        assert "${{" not in (s.step.get("run", "") or ""), s


def test_checkout_does_not_persist_the_token():
    for s in steps():
        if str(s.step.get("uses", "")).startswith("actions/checkout@"):
            assert (s.step.get("with") or {}).get("persist-credentials") is False, s


def test_fork_prs_skip_the_real_preview_with_a_notice():
    pr = jobs(ROOT / ".github/workflows/pr.yml")
    gate = pr["credentials"]
    assert gate["permissions"] == {}
    script = gate["steps"][0]["run"]
    assert "::notice" in script and "enabled=false" in script and "enabled=true" in script
    trusted = gate["steps"][0]["env"]["TRUSTED"]
    assert "head.repo.full_name == github.repository" in trusted and "dependabot[bot]" in trusted
    assert '"$TRUSTED" = "true"' in script
    assert pr["pulumi-preview"]["needs"] == "credentials"
    assert pr["pulumi-preview"]["if"] == "needs.credentials.outputs.enabled == 'true'"


def test_offline_preview_uploads_one_sarif_category_per_stack():
    pr = jobs(ROOT / ".github/workflows/pr.yml")
    uploads = [s["with"] for s in pr["offline-preview"]["steps"] if "upload-sarif" in s.get("uses", "")]
    assert {(u["sarif_file"], u["category"]) for u in uploads} == {
        (f"out/{stack}/report.sarif", f"offline-preview-{stack}") for stack in STACKS
    }


# --- the scripts the workflows run -------------------------------------------------------------------------


def _lint(root: Path, checkov: bool) -> subprocess.CompletedProcess:
    env = {**os.environ, "LINT_WORKFLOWS_CHECKOV": "1" if checkov else "0"}
    return subprocess.run(["bash", str(ROOT / "scripts/lint-workflows.sh"), str(root)],
                          capture_output=True, text=True, env=env, timeout=600)


def _workflow(tmp_path: Path, text: str) -> Path:
    (tmp_path / ".github/workflows").mkdir(parents=True)
    (tmp_path / ".github/workflows/bad.yml").write_text(text)
    return tmp_path


def test_linter_passes_our_workflows():
    result = _lint(ROOT, checkov=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_linter_fails_an_injection_and_an_unknown_pulumi_input(tmp_path):
    root = _workflow(tmp_path, """\
name: bad
on: pull_request
permissions: {}
jobs:
  bad:
    runs-on: ubuntu-24.04
    permissions:
      contents: read
    steps:
      - run: echo "${{ github.event.pull_request.title }}"
      - uses: pulumi/actions@v6
        with:
          command: preview
          stack-name: dev
          policy-packs: policies
""")
    result = _lint(root, checkov=False)
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert "github.event.pull_request.title" in out and "potentially untrusted" in out
    assert 'input "policy-packs" is not defined in action "pulumi/actions@v6"' in out


def test_linter_runs_checkov_too(tmp_path):
    # actionlint accepts write-all; Checkov's CKV2_GHA_1 does not, so only a real Checkov run fails this.
    root = _workflow(tmp_path, """\
name: broad
on: push
permissions: write-all
jobs:
  a:
    runs-on: ubuntu-24.04
    steps:
      - run: echo hello
""")
    result = _lint(root, checkov=True)
    out = result.stdout + result.stderr
    assert result.returncode != 0, out
    assert "CKV2_GHA_1" in out


def test_linter_runs_shellcheck_on_the_scripts_the_workflows_call(tmp_path):
    root = _workflow(tmp_path, "name: ok\non: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n"
                               "    permissions:\n      contents: read\n    steps:\n      - run: echo hello\n")
    (root / ".github/scripts").mkdir()
    (root / ".github/scripts/bad.sh").write_text("#!/usr/bin/env bash\nrm -rf $1/tmp\n")
    result = _lint(root, checkov=False)
    out = result.stdout + result.stderr
    assert result.returncode != 0, out
    assert "SC2086" in out and "bad.sh" in out
