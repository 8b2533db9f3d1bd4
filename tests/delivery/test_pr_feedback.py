"""PR feedback that survives a failed preview: the summary is written from the CLI's own text output (policy
section first, never cut), and the comment script updates its own comment per stack."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from delivery_checks import fake_commands, load_script

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / ".github/scripts"

# The shape of `pulumi preview` text output with a policy pack (header lines at column 0, indented bodies).
FAILED = """Previewing update (acme/prod)

View in Browser (Ctrl+O): https://app.pulumi.com/acme/webservice/prod/previews/1

     Type                              Name                     Plan
 +   pulumi:pulumi:Stack               webservice-prod          create
 +   ├─ aws:rds:Instance               webservice-prod-db       create
{filler}
Diagnostics:
  pulumi:pulumi:Stack (webservice-prod):
    error: preview failed

Policies:
    ❌ aws-ecs-fargate-hardening@v1.0.0 (local: policies)
        - [mandatory]  aws-rds-instance-multi-az  (aws:rds/instance:Instance: webservice-prod-db)
          RDS instance has no Multi-AZ standby.
        - [advisory]  aws-lb-loadbalancer-access-logs  (aws:lb/loadBalancer:LoadBalancer: webservice-prod-alb)
          ALB access logs are off.

Resources:
    + 2 to create

"""


def _summary():
    return load_script(SCRIPTS / "pulumi-summary.py")


def test_a_failed_preview_still_reports_its_policy_results_first():
    text = _summary().render("acme/prod", "pulumi preview", 255, FAILED.format(filler=""))
    lines = text.splitlines()
    assert lines[0] == "<!-- pulumi:acme/prod -->"
    assert lines[1] == "### pulumi preview `acme/prod`: **failed** (exit status 255)"
    assert "Policies: **1 mandatory**, 1 advisory violation(s)." in text
    assert text.index("aws-rds-instance-multi-az") < text.index("<details>")
    assert "error: preview failed" in text.split("<details>")[0]
    assert "+ 2 to create" in text.split("<details>")[0]


def test_long_output_is_cut_from_the_front_and_the_policy_section_survives():
    filler = "\n".join(f" +   ├─ aws:ec2:Subnet   subnet-{i:05d}   create" for i in range(20000))
    text = _summary().render("acme/prod", "pulumi preview", 255, FAILED.format(filler=filler), limit=20000)
    assert len(text) <= 20000
    head, details = text.split("<details>")
    assert "[mandatory]  aws-rds-instance-multi-az" in head
    assert "the start of the output is cut" in details
    assert "subnet-19999" in details and "subnet-00000" not in details


def test_colour_codes_are_removed_and_the_older_policy_header_is_read():
    output = "\x1b[1mPolicy Violations:\x1b[0m\n    [mandatory]  aws-rds-instance-not-public  x\n"
    text = _summary().render("acme/dev", "pulumi preview", 255, output)
    assert "\x1b" not in text and "Policies: **1 mandatory**, 0 advisory" in text


def test_an_output_without_a_policy_section_says_so():
    text = _summary().render("acme/dev", "pulumi preview", 255, "error: 401 Unauthorized\n")
    assert "the CLI printed no policy section" in text


def test_pulumi_run_keeps_the_status_and_writes_the_summary_when_the_command_fails(tmp_path):
    script = tmp_path / "fake-pulumi"
    script.write_text("#!/usr/bin/env bash\nprintf '%s' \"$FAKE_OUT\"\nexit 255\n")
    script.chmod(0o755)
    summary_file = tmp_path / "step-summary.md"
    env = {**os.environ, "PULUMI_RUN_DIR": str(tmp_path / "run"), "GITHUB_STEP_SUMMARY": str(summary_file),
           "FAKE_OUT": FAILED.format(filler="")}
    result = subprocess.run(["bash", str(SCRIPTS / "pulumi-run.sh"), "pulumi preview", "acme/prod", str(script)],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 255
    assert "Policies: **1 mandatory**" in (tmp_path / "run/summary.md").read_text()
    assert summary_file.read_text() == (tmp_path / "run/summary.md").read_text()
    assert (tmp_path / "run/output.txt").read_text() == FAILED.format(filler="")


GH = r'''#!/usr/bin/env python3
import json, os, sys
args = sys.argv[1:]
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write(" ".join(args) + "\n")
if "--paginate" in args:
    jq = args[args.index("--jq") + 1]
    marker = jq.split('startswith("')[1].split('")')[0]
    for c in json.loads(os.environ.get("FAKE_COMMENTS", "[]")):
        if c["user"]["login"] == "github-actions[bot]" and c["body"].startswith(marker):
            print(c["id"])
'''


@pytest.fixture
def gh(tmp_path):
    path_env = fake_commands(tmp_path, GH, "gh")
    log = tmp_path / "gh.log"
    body = tmp_path / "summary.md"
    body.write_text("<!-- pulumi:acme/dev -->\n### pulumi preview\n")

    def run(comments, pr="12"):
        env = {**path_env, "FAKE_LOG": str(log), "FAKE_COMMENTS": json.dumps(comments)}
        log.write_text("")
        result = subprocess.run(["bash", str(SCRIPTS / "pr-comment.sh"), pr, str(body)], env=env,
                                capture_output=True, text=True, timeout=60)
        return result, log.read_text().splitlines()

    return run, body


def test_the_comment_for_a_stack_is_updated_not_repeated(gh):
    run, body = gh
    comments = [{"id": 5, "user": {"login": "someone"}, "body": "<!-- pulumi:acme/dev -->"},
                {"id": 7, "user": {"login": "github-actions[bot]"}, "body": "<!-- pulumi:acme/prod -->\nold"},
                {"id": 9, "user": {"login": "github-actions[bot]"}, "body": "<!-- pulumi:acme/dev -->\nold"}]
    result, calls = run(comments)
    assert result.returncode == 0, result.stderr
    assert calls[-1] == f"api --method PATCH repos/{{owner}}/{{repo}}/issues/comments/9 -F body=@{body} --silent"


def test_the_first_run_creates_the_comment(gh):
    run, body = gh
    result, calls = run([])
    assert result.returncode == 0, result.stderr
    assert calls[-1] == f"api --method POST repos/{{owner}}/{{repo}}/issues/12/comments -F body=@{body} --silent"


def test_the_comment_script_refuses_a_bad_pr_number(gh):
    run, _ = gh
    result, calls = run([], pr="12; rm -rf /")
    assert result.returncode == 2 and calls == []


@pytest.mark.parametrize("code, stderr, available", [
    (0, "", "true"),
    (1, "gh: no analysis found (HTTP 404)", "true"),
    (1, "gh: Advanced Security must be enabled for this repository to use code scanning. (HTTP 403)", "false"),
])
def test_sarif_uploads_are_skipped_with_a_notice_where_code_scanning_is_off(tmp_path, code, stderr, available):
    env = fake_commands(tmp_path, f"#!/usr/bin/env bash\necho '{stderr}' >&2\nexit {code}\n", "gh")
    result = subprocess.run(["bash", str(SCRIPTS / "code-scanning.sh")], capture_output=True, text=True, timeout=60,
                            env=env)
    assert result.returncode == 0
    assert result.stdout == f"available={available}\n"  # only the output line goes to $GITHUB_OUTPUT
    assert ("::notice title=SARIF upload skipped::" in result.stderr) == (available == "false")
