"""A gate that gates, and output a newcomer can trust (issue 13, items 3 and 8)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path


from offline_support import FIXTURES, ROOT, _env, run_cli

ROOTLATE = ["--program", str(FIXTURES / "rootlate"), "--stack", "test"]
CONFIG = "policies/config/{stack}.json"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- a root container cannot pass the gate --------------------------------------------------------------------


def test_first_deploy_mode_exits_0_as_the_cli_does_but_says_loudly_the_mandatory_rule_did_not_run(tmp_path):
    proc = run_cli(ROOTLATE + ["--mode", "preview"], tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr  # "can't run" is advisory for the CLI too
    # Every mandatory rule that reads containerDefinitions, which is unknown on a first deploy here.
    unread = ["aws-ecs-taskdefinition-no-added-capabilities", "aws-ecs-taskdefinition-no-plaintext-secrets",
              "aws-ecs-taskdefinition-non-root-user", "aws-ecs-taskdefinition-not-privileged",
              "aws-ecs-taskdefinition-valid-container-definitions"]
    assert f"!! {len(unread)} MANDATORY rule result(s) NOT EVALUATED" in proc.stdout
    assert re.findall(r"!!   (\S+) on root-task \(ecs/TaskDefinition\)", proc.stdout) == unread
    rep = json.loads((tmp_path / "test" / "report.json").read_text())
    assert rep["summary"]["mandatorySkipped"] == len(unread)
    # Counted as the CLI counts them: the advisory total includes the "can't run" results.
    assert rep["summary"]["advisory"] == len([v for v in rep["policies"]["violations"]
                                              if v["level"] == "advisory"]) + rep["summary"]["skipped"]
    assert all(s["level"] == "advisory" for s in rep["policies"]["skipped"])
    summary = (tmp_path / "test" / "summary.md").read_text()
    assert "[!WARNING]" in summary and "`aws-ecs-taskdefinition-non-root-user` on `root-task`" in summary


def test_existing_mode_fails_the_root_container(tmp_path):
    proc = run_cli(ROOTLATE + ["--mode", "existing"], tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "x aws-ecs-taskdefinition-non-root-user  [critical]  root-task" in proc.stdout


def test_make_and_ci_gate_in_existing_mode_with_the_stack_pack_config():
    make = (ROOT / "Makefile").read_text()
    assert re.search(r"^MODE\s+\?= existing$", make, re.M)
    preview_all = make.split("\npreview-all:", 1)[1].split("\n\n", 1)[0]
    assert "--mode $(MODE)" in preview_all and "--policy-pack-config '$(PACK_CONFIG)'" in preview_all
    assert "PACK_CONFIG := policies/config/{stack}.json" in make
    job = (ROOT / ".github" / "workflows" / "pr.yml").read_text().split("  offline-preview:", 1)[1].split("\n  credentials:")[0]
    assert "- run: make preview-all\n" in job and "make preview-all MODE" not in job


def test_preview_needs_only_python_and_graphviz():
    make = (ROOT / "Makefile").read_text()
    for target in ("preview", "preview-all", "bench-preview"):
        deps = re.search(rf"^{target}:([^#\n]*)", make, re.M).group(1).split()
        assert deps == ["venv"], (target, deps)
    job = (ROOT / ".github" / "workflows" / "pr.yml").read_text().split("  offline-preview:", 1)[1].split("\n  credentials:")[0]
    assert "system-deps" not in job and "install -y -qq --no-install-recommends graphviz" in job


# --- tracked files -----------------------------------------------------------------------------------------


def test_a_failed_preview_writes_nothing_to_docs(tmp_path):
    docs = ROOT / "docs" / "architecture.png"
    before = _sha(docs)
    proc = run_cli(["--program", str(FIXTURES / "bad"), "--stack", "test"], tmp_path)
    assert proc.returncode == 1
    proc = run_cli(["--stack", "dev", "--policy-pack-config", CONFIG], tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _sha(docs) == before and "docs/" not in proc.stdout


def _diagram(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "offline", "diagram", *args], cwd=ROOT, env=_env(),
                          capture_output=True, text=True, timeout=120)


def test_the_readme_diagram_is_a_curated_view_written_only_on_success(tmp_path):
    target = tmp_path / "arch.png"
    proc = _diagram(["--output", str(target)])
    assert proc.returncode == 0, proc.stderr
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from offline.diagram import overview_dot
    from offline_support import run_engine

    run = run_engine(ROOT, "dev", "existing", tmp_path / "eng")
    dot = overview_dot(run["resources"], "dev")
    nodes = re.findall(r"^\s+(\w+) \[label=", dot, re.M)
    assert 8 <= len(nodes) <= 16, nodes  # components, AZs, the Internet: not the 60-node graph
    assert re.search(r"internet -> \w+ \[label=\"tcp/80\"\]", dot)
    assert 'label="tcp/3306"' in dot and "AZ a\\npublic, private, isolated" in dot

    broken = tmp_path / "broken"
    shutil.copytree(FIXTURES / "options", broken)
    (broken / "__main__.py").write_text("raise RuntimeError('boom')\n")
    before = _sha(target)
    proc = _diagram(["--program", str(broken), "--stack", "test", "--output", str(target)])
    assert proc.returncode == 1 and "is unchanged" in proc.stderr and "RuntimeError: boom" in proc.stderr
    assert _sha(target) == before


# --- pack config, exemptions, levels ------------------------------------------------------------------------


def test_no_pack_config_unless_given_as_the_cli(tmp_path):
    proc = run_cli(["--stack", "dev", "--mode", "existing"], tmp_path)
    assert "no pack config: the pack's own levels" in proc.stdout
    rep = json.loads((tmp_path / "dev" / "report.json").read_text())
    assert rep["policies"]["configFile"] is None
    # Without dev.json the HTTP listener is not exempted: the pack's default shows.
    assert "aws-lb-listener-http-redirects-to-https" in {v["policy"] for v in rep["policies"]["violations"]}


def test_exemptions_are_shown_everywhere_with_their_reasons(tmp_path):
    proc = run_cli(["--stack", "dev", "--mode", "existing", "--policy-pack-config", CONFIG], tmp_path)
    assert proc.returncode == 0
    assert "--policy-pack-config policies/config/dev.json" in proc.stdout
    assert "Exemptions in the pack config (1):" in proc.stdout
    assert "aws-lb-listener-http-redirects-to-https for '*-http' (webservice-dev-http (lb/Listener))" in proc.stdout
    rep = json.loads((tmp_path / "dev" / "report.json").read_text())
    [ex] = rep["policies"]["exemptions"]
    assert ex["matched"] == [u for u in ex["matched"] if u.endswith("::webservice-dev-http")] and ex["matched"]
    assert "dev runs without a certificate" in ex["reason"]
    assert "Exemptions in the pack config" in (tmp_path / "dev" / "summary.md").read_text()
    sarif = json.loads((tmp_path / "dev" / "report.sarif").read_text())
    suppressed = [r for r in sarif["runs"][0]["results"] if r.get("suppressions")]
    assert [(r["ruleId"], r["suppressions"][0]["justification"]) for r in suppressed] == [
        ("aws-lb-listener-http-redirects-to-https", ex["reason"])]


def test_levels_changed_by_the_pack_config_are_shown(tmp_path):
    cfg = tmp_path / "levels.json"
    cfg.write_text(json.dumps({"aws-ecs-cluster-container-insights": "disabled",
                               "aws-ecs-taskdefinition-non-root-user": "advisory"}))
    proc = run_cli(ROOTLATE + ["--mode", "existing", "--policy-pack-config", str(cfg)], tmp_path / "out")
    assert proc.returncode == 0, proc.stdout  # the root container rule was lowered to advisory
    assert "aws-ecs-taskdefinition-non-root-user: mandatory -> advisory" in proc.stdout
    assert "aws-ecs-cluster-container-insights: advisory -> disabled" in proc.stdout
    rep = json.loads((tmp_path / "out" / "test" / "report.json").read_text())
    assert {c["policy"]: c["level"] for c in rep["policies"]["levelChanges"]} == {
        "aws-ecs-cluster-container-insights": "disabled", "aws-ecs-taskdefinition-non-root-user": "advisory"}
    sarif = json.loads((tmp_path / "out" / "test" / "report.sarif").read_text())
    overrides = sarif["runs"][0]["invocations"][0]["ruleConfigurationOverrides"]
    assert {o["descriptor"]["id"]: o["configuration"]["enabled"] for o in overrides} == {
        "aws-ecs-cluster-container-insights": False, "aws-ecs-taskdefinition-non-root-user": True}


# --- errors --------------------------------------------------------------------------------------------------


def _one_error_line(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_a_pack_config_that_is_not_json_names_the_file_and_line(tmp_path):
    cfg = tmp_path / "bad.json"
    cfg.write_text('{"all": "advisory",\n "x": }\n')
    line = _one_error_line(run_cli(ROOTLATE + ["--policy-pack-config", str(cfg)], tmp_path / "out"))
    assert line.startswith(f"error: {cfg}: line 2 column") and "not JSON" in line


def test_a_pack_config_with_an_unknown_policy_or_level_names_the_key(tmp_path):
    (tmp_path / "out" / "test").mkdir(parents=True)
    stale = tmp_path / "out" / "test" / "report.json"
    stale.write_text("{}")
    cfg = tmp_path / "bad.json"
    cfg.write_text(json.dumps({"aws-no-such-rule": "advisory", "aws-ecs-taskdefinition-non-root-user": "loud"}))
    line = _one_error_line(run_cli(ROOTLATE + ["--policy-pack-config", str(cfg)], tmp_path / "out"))
    assert str(cfg) in line and "unknown policy 'aws-no-such-rule'" in line
    assert "aws-ecs-taskdefinition-non-root-user: unknown enforcement level 'loud'" in line
    assert not stale.exists()  # an earlier run's report is never left looking current


def test_a_named_pack_config_that_is_missing_is_an_error(tmp_path):
    line = _one_error_line(run_cli(ROOTLATE + ["--policy-pack-config", str(tmp_path / "nope.json")], tmp_path))
    assert "nope.json: --policy-pack-config file not found" in line


def test_a_bad_stack_file_names_the_file(tmp_path):
    program = tmp_path / "prog"
    shutil.copytree(FIXTURES / "rootlate", program)
    (program / "Pulumi.test.yaml").write_text("config:\n  aws:region: [us-east-1\n")
    line = _one_error_line(run_cli(["--program", str(program), "--stack", "test"], tmp_path / "out"))
    assert f"{program / 'Pulumi.test.yaml'}: line" in line and "not YAML" in line


def test_an_unknown_stack_lists_the_valid_ones_and_writes_nothing(tmp_path):
    line = _one_error_line(run_cli(["--stack", "qa", "--stack", "dev"], tmp_path))
    assert line == f"error: unknown stack qa: {ROOT} has dev, prod, staging"
    assert not (tmp_path / "qa").exists() and not (tmp_path / "dev").exists()


# --- cost ------------------------------------------------------------------------------------------------------


def test_cost_says_when_the_stack_region_has_no_price_table(tmp_path):
    program = tmp_path / "prog"
    shutil.copytree(FIXTURES / "rootlate", program)
    (program / "Pulumi.test.yaml").write_text("config:\n  aws:region: eu-west-1\n")
    proc = run_cli(["--program", str(program), "--stack", "test", "--policy-pack", ""], tmp_path / "out")
    assert "NO PRICE TABLE FOR eu-west-1; these are us-east-1 prices" in proc.stdout
    rep = json.loads((tmp_path / "out" / "test" / "report.json").read_text())
    assert rep["cost"]["stackRegion"] == "eu-west-1" and rep["cost"]["priceTableForStackRegion"] is False
    assert "no price table for eu-west-1" in (tmp_path / "out" / "test" / "summary.md").read_text()


# --- honest claims -------------------------------------------------------------------------------------------


def test_the_readmes_and_the_report_name_the_known_differences(tmp_path):
    readme = (ROOT / "README.md").read_text()
    assert "exactly as `pulumi preview" not in readme
    offline_readme = (ROOT / "offline" / "README.md").read_text()
    for needle in ("awsx children", "Provider Check, approximated", "How the pack is launched", "Config typing",
                   "`pulumi up`", "`existing` mode"):
        assert needle in offline_readme, needle
    run_cli(ROOTLATE + ["--mode", "existing", "--policy-pack", ""], tmp_path)
    faithfulness = " ".join(json.loads((tmp_path / "test" / "report.json").read_text())["faithfulness"])
    for needle in ("provider's Check is approximated", "not judged", "--policy-pack-config", "virtualenv", "ESC environments",
                   "previews first", "--changing", "exit status 1"):
        assert needle in faithfulness, needle


# --- remediations ---------------------------------------------------------------------------------------------


def test_remediations_are_applied_before_analysis_and_shown_everywhere(tmp_path):
    config = tmp_path / "remediate.json"
    config.write_text(json.dumps({"aws-cloudwatch-loggroup-retention": {
        "enforcementLevel": "remediate", "minRetentionDays": 365}}))
    proc = run_cli(ROOTLATE + ["--mode", "existing", "--policy-pack-config", str(config)], tmp_path)
    assert ("~ aws-cloudwatch-loggroup-retention on web-logs (cloudwatch/LogGroup): retentionInDays = 365"
            in proc.stdout), proc.stdout
    assert "REMEDIATED (1)" in proc.stdout
    rep = json.loads((tmp_path / "test" / "report.json").read_text())
    [rem] = rep["policies"]["remediations"]
    assert (rem["policy"], rem["urn"].rsplit("::", 1)[-1], rem["changed"]) == (
        "aws-cloudwatch-loggroup-retention", "web-logs", {"retentionInDays": 365})
    # The engine analyses the fixed inputs, so the 30-day group is no longer a violation of that rule.
    assert "aws-cloudwatch-loggroup-retention" not in {v["policy"] for v in rep["policies"]["violations"]}
    assert "`retentionInDays` = `365`" in (tmp_path / "test" / "summary.md").read_text()


def test_without_a_remediate_level_nothing_is_remediated(tmp_path):
    config = tmp_path / "advisory.json"
    config.write_text(json.dumps({"aws-cloudwatch-loggroup-retention": {"minRetentionDays": 365}}))
    run_cli(ROOTLATE + ["--mode", "existing", "--policy-pack-config", str(config)], tmp_path)
    rep = json.loads((tmp_path / "test" / "report.json").read_text())
    assert rep["policies"]["remediations"] == []
    assert "aws-cloudwatch-loggroup-retention" in {v["policy"] for v in rep["policies"]["violations"]}
