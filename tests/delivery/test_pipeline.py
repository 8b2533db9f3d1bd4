"""What the pipeline promises (issue 16, and the workflow halves of issue 11): tokens only on the steps that need
them, deploys only from main, preview before up, no default policy group, a gated recovery workflow, drift
detection, PR feedback that survives a failed preview, every action pinned by SHA with known inputs and Node 24,
Dependabot for every ecosystem, timeouts inside the credential lifetime, and one image build promoted by digest."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from delivery_checks import (
    ROOT,
    STACKS,
    Step,
    action_files,
    flag_values,
    jobs,
    load,
    pulumi_cli_calls,
    rel,
    steps,
    workflow_files,
)

WF = ROOT / ".github" / "workflows"
ACTION_TABLE = json.loads((Path(__file__).parent / "action_inputs.json").read_text())
DEPLOY_VARS = ("AWS_ROLE_ARN", "PULUMI_DEPLOY_TEAM")


def all_jobs():
    for path in workflow_files():
        for job_id, job in jobs(path).items():
            yield path, job_id, job


def refs(value) -> str:
    return json.dumps(value)


# --- tokens -------------------------------------------------------------------------------------------------

SECRETISH = re.compile(r"secrets\.|pulumi-access-token|aws-secret-access-key|aws-session-token|TOKEN|SECRET")


def test_no_token_or_secret_is_set_for_a_whole_workflow_or_job():
    for path in workflow_files():
        doc = load(path)
        assert not SECRETISH.search(refs(doc.get("env") or {})), rel(path)
        for job_id, job in doc["jobs"].items():
            assert not SECRETISH.search(refs(job.get("env") or {})), f"{rel(path)} job {job_id}"
            # Reusable-workflow callers pass no secrets either: each stage reads its own environment's.
            assert "secrets" not in job, f"{rel(path)} job {job_id}"


def test_secrets_reach_only_step_env():
    for s in steps():
        for key in ("with", "run", "if"):
            assert "secrets." not in refs(s.step.get(key, "")), (s.file, s.job, s.step.get("name"), key)


def test_pulumi_tokens_come_from_oidc_and_are_never_exported_to_the_job():
    auth = [s for s in steps() if str(s.step.get("uses", "")).startswith("pulumi/auth-actions@")]
    assert {s.file for s in auth} >= {f".github/workflows/{f}" for f in
                                      ("pr.yml", "deploy.yml", "deploy-stack.yml", "recover.yml", "drift.yml",
                                       "policy.yml")}
    for s in auth:
        assert str(s.step["with"]["export-environment-variables"]).lower() == "false", s
        assert s.step.get("id") == "pulumi-token", s


def test_the_token_the_auth_action_exports_anyway_is_blanked_by_the_very_next_step():
    # pulumi/auth-actions v2.1.0 ignores export-environment-variables: false (`getBooleanInput(...) || true` in
    # its source), so the step after it must overwrite PULUMI_ACCESS_TOKEN in $GITHUB_ENV.
    for path, job_id, job in all_jobs():
        job_steps = job.get("steps") or []
        for i, step in enumerate(job_steps):
            if str(step.get("uses", "")).startswith("pulumi/auth-actions@"):
                after = job_steps[i + 1]
                assert after["run"].strip() == 'echo "PULUMI_ACCESS_TOKEN=" >> "$GITHUB_ENV"', f"{rel(path)} {job_id}"
                assert after["if"] == "steps.pulumi-token.outcome == 'success'"


def test_aws_credentials_are_oidc_and_handed_only_to_steps():
    aws = [s for s in steps() if str(s.step.get("uses", "")).startswith("aws-actions/configure-aws-credentials@")]
    assert aws
    for s in aws:
        with_ = s.step["with"]
        assert with_.get("role-to-assume"), s
        assert not {"aws-access-key-id", "aws-secret-access-key", "aws-session-token"} & set(with_), s
        assert str(with_["output-env-credentials"]).lower() == "false", s
        assert str(with_["output-credentials"]).lower() == "true", s
        assert jobs(ROOT / s.file)[s.job]["permissions"].get("id-token") == "write", s


def test_steps_that_hold_a_token_use_it():
    # A token in a step's env is there because the step runs pulumi, aws or one of the scripts that do.
    for s in steps():
        env = refs(s.step.get("env") or {})
        if "pulumi-access-token" in env or "aws-session-token" in env:
            assert re.search(r"\bpulumi\b|scripts/[\w.-]+\.(sh|py)", s.step.get("run", "")), (s.file, s.step.get("name"))


def test_the_org_admin_token_exists_only_in_the_policy_environment():
    for s in steps():
        with_ = s.step.get("with") or {}
        if with_.get("requested-token-type") == "urn:pulumi:token-type:access_token:organization":
            job = jobs(ROOT / s.file)[s.job]
            assert s.file.endswith("policy.yml") and job["environment"]["name"] == "policy", s
        elif str(s.step.get("uses", "")).startswith("pulumi/auth-actions@"):
            assert with_["requested-token-type"] == "urn:pulumi:token-type:access_token:team", s


# --- deploys only from main ---------------------------------------------------------------------------------


def _guarded(path: Path, job_id: str, seen=()) -> bool:
    """The job runs only on refs/heads/main: its own `if`, or a job it needs that is guarded."""
    job = jobs(path)[job_id]
    if "github.ref == 'refs/heads/main'" in str(job.get("if", "")):
        return True
    needs = job.get("needs") or []
    needs = [needs] if isinstance(needs, str) else needs
    return any(_guarded(path, n, seen + (job_id,)) for n in needs if n not in seen)


def test_every_job_with_deploy_credentials_runs_only_on_main():
    checked = 0
    for path, job_id, job in all_jobs():
        text = refs(job)
        if "environment" in job or any(v in text for v in DEPLOY_VARS):
            if path.name == "policy.yml":
                continue  # runs on policy-v* tags, in the `policy` environment (its own deployment rule)
            checked += 1
            assert _guarded(path, job_id), f"{rel(path)} job {job_id}"
    assert checked == 3  # deploy.yml image, deploy-stack.yml up, recover.yml recover


def test_every_job_that_touches_a_stack_runs_only_on_main():
    for name in ("deploy.yml", "deploy-stack.yml", "recover.yml", "drift.yml"):
        for job_id in jobs(WF / name):
            assert _guarded(WF / name, job_id), f"{name} job {job_id}"


def test_the_deploy_is_triggered_by_main_only():
    on = load(WF / "deploy.yml")["on"]
    assert set(on) == {"push", "workflow_dispatch"}
    assert on["push"] == {"branches": ["main"]}
    # The reusable stage workflow cannot be started on its own.
    assert set(load(WF / "deploy-stack.yml")["on"]) == {"workflow_call"}


# --- preview, approve, up -----------------------------------------------------------------------------------


def test_no_step_runs_the_actions_up_which_skips_the_preview():
    for s in steps():
        if str(s.step.get("uses", "")).startswith("pulumi/actions@"):
            assert "command" not in (s.step.get("with") or {}), s


def test_every_up_follows_a_preview_with_the_same_pack_and_config_and_keeps_to_its_plan():
    calls = pulumi_cli_calls(steps())
    ups = [c for c in calls if c.verb in ("up", "update")]
    assert ups
    for up in ups:
        words = list(up.words)
        assert "--skip-preview" not in words and "-f" not in words, up
        assert "--yes" in words
        job = jobs(ROOT / up.step.file)[up.step.job]
        needs = job.get("needs") or []
        needs = [needs] if isinstance(needs, str) else needs
        previews = [c for c in calls if c.verb == "preview" and c.step.file == up.step.file and c.step.job in needs]
        assert previews, f"{up.step.job} needs no job that previews"
        for flag in ("--policy-pack", "--policy-pack-config", "--stack"):
            assert {tuple(flag_values(list(p.words), flag)) for p in previews} == {tuple(flag_values(words, flag))}
        saved = [flag_values(list(p.words), "--save-plan") for p in previews]
        assert saved and all(saved), "the preview saves its plan"
        assert "--plan" in up.step.step["run"]
        # The approval gates the up: the environment (with prod's reviewers) is on the up job, not the preview's.
        assert job["environment"]["name"] == "${{ inputs.stack }}"
        assert all("environment" not in jobs(ROOT / p.step.file)[p.step.job] for p in previews)


def test_the_preview_shows_the_plan_in_the_job_summary():
    for call in pulumi_cli_calls(steps()):
        if call.verb in ("preview", "up", "refresh"):
            assert ".github/scripts/pulumi-run.sh" in call.step.step["run"], (call.step.file, call.step.job)


# --- timeouts and credential lifetimes ----------------------------------------------------------------------


def _minutes(text: str) -> int:
    return int(re.fullmatch(r"(\d+)m", text).group(1))


def test_an_update_is_interrupted_gracefully_long_before_its_credentials_expire():
    job = jobs(WF / "deploy-stack.yml")["up"]
    (up,) = [s for s in job["steps"] if s.get("name") == "pulumi up"]
    match = re.search(r"timeout --signal=INT --kill-after=(\d+m) (\d+m)\s*\\?\s*pulumi up", up["run"])
    assert match, "pulumi up gets SIGINT (a graceful cancel) before anything kills it"
    grace, limit = _minutes(match.group(1)), _minutes(match.group(2))
    assert limit + grace < up["timeout-minutes"] < job["timeout-minutes"]
    aws = [s for s in job["steps"] if "configure-aws-credentials" in s.get("uses", "")][0]
    token = [s for s in job["steps"] if "auth-actions" in s.get("uses", "")][0]
    assert job["timeout-minutes"] * 60 < int(aws["with"]["role-duration-seconds"])
    assert job["timeout-minutes"] * 60 < int(token["with"]["token-expiration"])


def test_every_job_has_a_timeout_within_its_credentials():
    for path, job_id, job in all_jobs():
        if "uses" in job:
            continue
        assert "timeout-minutes" in job, f"{rel(path)} job {job_id}"
        for s in job["steps"]:
            with_ = s.get("with") or {}
            lifetime = with_.get("role-duration-seconds") or with_.get("token-expiration")
            if lifetime:
                assert job["timeout-minutes"] * 60 <= int(lifetime), f"{rel(path)} job {job_id}"


# --- no default policy group --------------------------------------------------------------------------------


def test_the_policy_workflow_has_no_default_group_and_rolls_out_advisory_first():
    publish = jobs(WF / "policy.yml")["publish"]
    text = refs(publish)
    assert "default-policy-group" not in text
    for s in publish["steps"]:
        for key, value in (s.get("env") or {}).items():
            if key == "POLICY_GROUPS":
                assert value == "${{ vars.POLICY_GROUPS }}", "no fallback value"
    (run,) = [s["run"] for s in publish["steps"] if "enable-policy.sh" in s.get("run", "")]
    assert re.search(r'audit=1\n.*if \[ "\$POLICY_MODE" = "enforce" \]; then audit=0', run, re.DOTALL)
    assert publish["environment"]["name"] == "policy"
    for path in workflow_files():
        assert "default-policy-group" not in path.read_text(), rel(path)


# --- recovery -----------------------------------------------------------------------------------------------


def test_the_recovery_workflow_is_manual_gated_and_runs_cancel_then_refresh():
    doc = load(WF / "recover.yml")
    assert set(doc["on"]) == {"workflow_dispatch"}
    inputs = doc["on"]["workflow_dispatch"]["inputs"]
    assert inputs["stack"]["options"] == list(STACKS)
    assert inputs["clear-pending-creates"]["default"] is False
    (job,) = doc["jobs"].values()
    assert job["environment"]["name"] == "${{ inputs.stack }}"  # prod's reviewers gate it
    assert "github.ref == 'refs/heads/main'" in job["if"]
    assert job["concurrency"] == {"group": "pulumi-${{ inputs.stack }}", "cancel-in-progress": False}
    calls = [c for c in pulumi_cli_calls(steps()) if c.step.file.endswith("recover.yml")]
    verbs = [c.verb for c in calls if c.verb != "config"]
    assert verbs[:2] == ["cancel", "refresh"] and "preview" in verbs
    (refresh,) = [s for s in job["steps"] if s.get("name") == "pulumi refresh"]
    assert "--clear-pending-creates" in refresh["run"] and refresh["env"]["CLEAR"] == "${{ inputs.clear-pending-creates }}"


# --- drift --------------------------------------------------------------------------------------------------


def test_drift_is_checked_daily_per_stack_with_refresh_and_expect_no_changes():
    doc = load(WF / "drift.yml")
    assert doc["on"]["schedule"] and "workflow_dispatch" in doc["on"]
    (job,) = doc["jobs"].values()
    assert job["strategy"]["matrix"]["stack"] == list(STACKS)
    (call,) = [c for c in pulumi_cli_calls(steps()) if c.step.file.endswith("drift.yml") and c.verb == "preview"]
    assert {"--refresh", "--expect-no-changes"} <= set(call.words)
    assert "drift-verdict.sh" in call.step.step["run"]
    assert "AWS_PREVIEW_ROLE_ARN" in refs(job) and "AWS_ROLE_ARN" not in refs(job).replace("AWS_PREVIEW_ROLE_ARN", "")


@pytest.mark.parametrize("status, output, code, title", [
    ("0", "Resources:\n    42 unchanged\n", 0, None),
    ("255", "error: no changes were expected but changes were proposed\n", 1, "Drift detected"),
    ("255", "error: getting stack configuration: 401 Unauthorized\n", 2, "Drift check failed"),
])
def test_drift_verdict_names_drift_only_when_the_cli_saw_changes(tmp_path, status, output, code, title):
    (tmp_path / "out.txt").write_text(output)
    result = subprocess.run(["bash", str(ROOT / ".github/scripts/drift-verdict.sh"), status,
                             str(tmp_path / "out.txt"), "acme/prod"], capture_output=True, text=True, timeout=30)
    assert result.returncode == code
    if title:
        assert f"::error title={title}::" in result.stdout


# --- PR feedback --------------------------------------------------------------------------------------------


def test_the_pr_comment_is_posted_even_when_the_preview_fails():
    job = jobs(WF / "pr.yml")["pulumi-preview"]
    (comment,) = [s for s in job["steps"] if "pr-comment.sh" in s.get("run", "")]
    assert comment["if"].startswith("always()")
    assert "$RUNNER_TEMP/pulumi/summary.md" in comment["run"]


def test_sarif_uploads_only_where_code_scanning_is_available_and_on_main_too():
    doc = load(WF / "pr.yml")
    assert doc["on"]["push"] == {"branches": ["main"]}
    job = doc["jobs"]["offline-preview"]
    assert "if" not in job  # runs for PRs and for main
    (check,) = [s for s in job["steps"] if "code-scanning.sh" in s.get("run", "")]
    uploads = [s for s in job["steps"] if "upload-sarif" in s.get("uses", "")]
    assert uploads and all(f"steps.{check['id']}.outputs.available == 'true'" in s["if"] for s in uploads)


# --- actions: pinned, known inputs, Node 24 -----------------------------------------------------------------

_USES = re.compile(r"^\s*(?:-\s+)?uses:\s*([^\s#]+)\s*(#.*)?$")


def remote_uses():
    for path in [*workflow_files(), *action_files()]:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            match = _USES.match(line)
            if match and not match.group(1).startswith("./"):
                yield f"{rel(path)}:{number}", match.group(1), (match.group(2) or "").lstrip("# ").strip()


def test_every_action_is_pinned_to_a_full_commit_sha_with_its_version():
    seen = 0
    for where, ref, comment in remote_uses():
        seen += 1
        assert re.fullmatch(r"[^@]+@[0-9a-f]{40}", ref), where
        assert ref in ACTION_TABLE, f"{where}: {ref} is not in tests/delivery/action_inputs.json"
        assert comment.split()[0] == ACTION_TABLE[ref]["version"], where
    assert seen


def test_every_action_runs_on_node_24():
    for where, ref, _ in remote_uses():
        assert ACTION_TABLE[ref]["runs"] in ("node24", "composite", "docker"), where


def _with_keys(s: Step) -> set[str]:
    return set((s.step.get("with") or {}).keys())


def test_every_with_key_is_an_input_of_that_version_of_the_action():
    checked = 0
    for s in steps():
        uses = str(s.step.get("uses", ""))
        if not uses or uses.startswith("./"):
            continue
        inputs = set(ACTION_TABLE[uses]["inputs"])
        unknown = _with_keys(s) - inputs
        assert not unknown, f"{s.file} job {s.job}: {uses.split('@')[0]} has no input(s) {sorted(unknown)}"
        checked += 1
    assert checked > 20


def test_the_inputs_table_is_used_and_names_the_current_majors():
    used = {ref for _, ref, _ in remote_uses()}
    assert set(ACTION_TABLE) == used
    majors = {ref.split("@")[0]: ACTION_TABLE[ref]["version"].split(".")[0] for ref in used}
    assert majors["pulumi/actions"] == "v7" and majors["pulumi/auth-actions"] == "v2"


# --- dependabot ---------------------------------------------------------------------------------------------


def test_dependabot_covers_actions_pip_npm_and_the_base_image():
    doc = yaml_load(ROOT / ".github/dependabot.yml")
    dirs = {}
    for update in doc["updates"]:
        found = update.get("directories") or [update.get("directory")]
        dirs.setdefault(update["package-ecosystem"], set()).update(found)
    assert dirs["github-actions"] >= {"/", "/.github/actions/*"}
    assert dirs["pip"] >= {"/", "/policies"}
    assert "/app" in dirs["npm"] and (ROOT / "app/package-lock.json").is_file()
    assert "/app" in dirs["docker"] and re.search(r"^FROM \S+:\S+", (ROOT / "app/Dockerfile").read_text(), re.M)
    assert (ROOT / "policies/requirements.txt").is_file() and (ROOT / "requirements.txt").is_file()


def yaml_load(path: Path):
    import yaml

    return yaml.safe_load(path.read_text())


# --- caches -------------------------------------------------------------------------------------------------


def test_pip_npm_and_pulumi_plugins_are_cached():
    all_steps = steps()
    assert any((s.step.get("with") or {}).get("cache") == "pip" for s in all_steps)
    assert any((s.step.get("with") or {}).get("cache") == "npm" for s in all_steps)
    caches = [s for s in all_steps if str(s.step.get("uses", "")).startswith("actions/cache@")]
    assert any(s.step["with"]["path"] == "~/.pulumi/plugins" for s in caches)


# --- build once, promote by digest --------------------------------------------------------------------------

BUILD_MARKERS = re.compile(r"docker (buildx )?build|build-image\.sh|buildah|kaniko|setup-buildx|setup-qemu")


def _job_text(job) -> str:
    return refs(job)


def test_one_job_builds_the_image():
    builders = [(rel(p), j) for p, j, job in all_jobs() if BUILD_MARKERS.search(_job_text(job))]
    # The deploy's image job, and the PR check that the Dockerfile builds (it pushes nothing).
    assert builders == [(".github/workflows/deploy.yml", "image"), (".github/workflows/pr.yml", "image")]
    pr_image = jobs(WF / "pr.yml")["image"]
    assert pr_image["if"] == "github.event_name == 'pull_request'" and "--push" not in _job_text(pr_image)
    build = jobs(WF / "deploy.yml")["image"]
    assert set(build["outputs"]) == {"digest", "repository"}
    assert "image-tag.py dev staging prod" in _job_text(build)


def test_no_stage_builds_an_image():
    stage = load(WF / "deploy-stack.yml")
    assert not BUILD_MARKERS.search(refs(stage))
    assert "promote-image.sh" in refs(stage["jobs"]["up"])


def test_the_digest_is_passed_to_every_stage_and_prod_gets_the_one_staging_verified():
    deploy = jobs(WF / "deploy.yml")
    assert deploy["dev"]["with"]["digest"] == "${{ needs.image.outputs.digest }}"
    assert deploy["staging"]["with"]["digest"] == "${{ needs.dev.outputs.digest }}"
    assert deploy["prod"]["with"]["digest"] == "${{ needs.staging.outputs.digest }}"
    assert deploy["prod"]["with"]["source-repository"] == "${{ needs.staging.outputs.repository }}"
    stage = load(WF / "deploy-stack.yml")
    # A stage's digest output is set by its smoke test step, so only a verified digest moves on.
    assert stage["on"]["workflow_call"]["outputs"]["digest"]["value"] == "${{ jobs.up.outputs.digest }}"
    up = stage["jobs"]["up"]
    assert up["outputs"]["digest"] == "${{ steps.smoke.outputs.digest }}"
    (smoke,) = [s for s in up["steps"] if s.get("id") == "smoke"]
    assert smoke["run"].index("smoke-test.py") < smoke["run"].index('echo "digest=$DIGEST"')


def test_every_stage_deploys_the_digest_as_stack_config():
    for call in pulumi_cli_calls(steps()):
        if call.step.file.endswith("deploy-stack.yml") and call.verb in ("preview", "up"):
            assert 'pulumi config set --stack "$STACK" imageDigest "$DIGEST"' in call.step.step["run"]
            assert call.step.step["run"].index("imageDigest") < call.step.step["run"].index(f"pulumi {call.verb}")


def test_the_smoke_test_checks_the_deployed_digest_at_the_stack_url():
    up = jobs(WF / "deploy-stack.yml")["up"]
    (smoke,) = [s for s in up["steps"] if s.get("id") == "smoke"]
    assert 'smoke-test.py "$URL" "$DIGEST"' in smoke["run"]
    assert smoke["env"]["URL"] == "${{ steps.url.outputs.url }}"
    assert not (ROOT / ".github/scripts/wait-ready.sh").exists()


def test_the_scripts_the_workflows_call_exist():
    called = set()
    for s in steps():
        called.update(re.findall(r"\.github/scripts/[\w.-]+", s.step.get("run", "") or ""))
    assert called and all((ROOT / c).is_file() for c in called), sorted(c for c in called if not (ROOT / c).is_file())
    assert sys.executable  # the Python scripts run on the runner's python3 (standard library only)
    for script in ("smoke-test.py", "pulumi-summary.py"):
        source = (ROOT / ".github/scripts" / script).read_text()
        imports = set(re.findall(r"^(?:from|import) (\w+)", source, re.MULTILINE))
        assert imports <= set(sys.stdlib_module_names), (script, imports - set(sys.stdlib_module_names))
