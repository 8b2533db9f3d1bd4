"""report.sarif against the committed SARIF 2.1.0 schema, the diagram, and summary.md."""

from __future__ import annotations

import html
import json
from pathlib import Path

import jsonschema
import pytest

from offline_support import FIXTURES, ROOT, run_cli

SCHEMA = json.loads((ROOT / "offline" / "schemas" / "sarif-schema-2.1.0.json").read_text())


def validate_sarif(doc: dict) -> None:
    validator = jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


@pytest.fixture(scope="module")
def bad(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bad")
    run_cli(["--program", str(FIXTURES / "bad"), "--stack", "test"], out)
    return out / "test"


@pytest.fixture(scope="module")
def dev_proc(tmp_path_factory):
    out = tmp_path_factory.mktemp("dev")
    proc = run_cli(["--stack", "dev"], out)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    proc.out_dir = out / "dev"
    return proc


@pytest.fixture(scope="module")
def dev(dev_proc) -> Path:
    return dev_proc.out_dir


def test_schema_is_the_official_one():
    assert SCHEMA["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"version": "2.1.0", "runs": [{"tool": {}}]}, SCHEMA)


def test_sarif_of_a_failing_run_validates_and_points_at_the_source(bad: Path):
    doc = json.loads((bad / "report.sarif").read_text())
    validate_sarif(doc)
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    rep = json.loads((bad / "report.json").read_text())
    assert [r["id"] for r in rules] == [r["name"] for r in rep["policies"]["rules"]]  # one rule per policy
    assert all(r["help"]["text"] and r["shortDescription"]["text"] for r in rules)
    by_rule = {r["ruleId"]: r for r in run["results"]}
    public = by_rule["aws-rds-instance-not-public"]
    assert public["level"] == "error"
    loc = public["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "__main__.py" and loc["region"]["startLine"] == 8
    assert rules[public["ruleIndex"]]["id"] == "aws-rds-instance-not-public"


def test_sarif_of_the_real_program_validates(dev: Path):
    doc = json.loads((dev / "report.sarif").read_text())
    validate_sarif(doc)
    for result in doc["runs"][0]["results"]:
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri.startswith("components/") or uri in ("__main__.py", "Pulumi.dev.yaml"), uri


def test_diagram_is_drawn_with_the_expected_nodes_and_reachability(dev: Path):
    svg = html.unescape((dev / "architecture.svg").read_text())  # dot writes "-" as &#45;
    assert not (dev / "architecture.png").exists()  # the SVG only: a PNG of the full graph costs 15 times more
    for node in ("webservice-dev-alb", "webservice-dev-service", "webservice-dev-db", "webservice-dev-vpc",
                 "webservice:service:Service", "webservice:database:Database", "Internet"):
        assert node in svg, node
    dot = (dev / "architecture.dot").read_text()
    assert "tcp/3306" in dot and "tcp/8080" in dot  # ALB -> tasks -> DB edges
    assert "#" in dot and not [c for c in dot.split('"') if c.startswith("#") and len(c) != 7]


def test_diagram_groups_the_alarms_of_each_component_into_one_node(dev: Path):
    dot = (dev / "architecture.dot").read_text()
    assert "<b>10 CloudWatch alarms</b>" in dot  # the monitoring component's
    assert "<b>2 CloudWatch alarms</b>" in dot  # the service's rollback alarms
    assert "metricAlarm:MetricAlarm</font>" not in dot  # no alarm drawn on its own
    for node in ("webservice-dev-dashboard", "webservice-dev-db-errors", "webservice-dev-alarms",
                 "webservice:monitoring:Monitoring"):
        assert node in dot, node


def test_preview_tree_lists_the_monitoring_resources(dev_proc):
    out = dev_proc.stdout
    for line in ("webservice:monitoring:Notifications", "aws:sns/topic:Topic", "aws:sns/topicPolicy:TopicPolicy",
                 "webservice:monitoring:Monitoring", "aws:cloudwatch/dashboard:Dashboard",
                 "aws:cloudwatch/logMetricFilter:LogMetricFilter", "webservice-dev-running-tasks"):
        assert line in out, line


def test_diagram_of_the_nested_fixture(tmp_path: Path):
    proc = run_cli(["--program", str(FIXTURES / "nested"), "--stack", "test", "--policy-pack", ""], tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    dot = (tmp_path / "test" / "architecture.dot").read_text()
    assert "cluster_n_nested_index_App__shop" in dot
    assert "cluster_n_nested_index_App_nested_index_Data__shop_data" in dot
    assert "remote component: children laid out offline from awsx 3.11" in dot


def test_summary_is_a_pr_comment(dev: Path):
    md = (dev / "summary.md").read_text()
    assert md.startswith("### :white_check_mark: Offline preview `webservice/dev` (preview): passed")
    assert "**Estimated cost:**" in md and "<details><summary>Assumptions</summary>" in md


def test_two_runs_write_identical_reports(tmp_path: Path):
    outs = []
    for i in range(2):
        out = tmp_path / f"run{i}"
        proc = run_cli(["--program", str(FIXTURES / "nested"), "--stack", "test", "--mode", "update",
                        "--policy-pack", ""], out)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        outs.append(out / "test")
    for name in ("report.sarif", "summary.md", "architecture.dot"):
        assert (outs[0] / name).read_text() == (outs[1] / name).read_text(), name
    reports = [json.loads((o / "report.json").read_text()) for o in outs]
    for rep in reports:
        rep.pop("files")
    assert reports[0] == reports[1]


def test_report_names_the_pack_version_from_pulumipolicy_yaml(dev: Path):
    # The Python SDK reports 0.0.1 over the protocol; the CLI shows PulumiPolicy.yaml's version.
    import yaml

    declared = str(yaml.safe_load((ROOT / "policies" / "PulumiPolicy.yaml").read_text())["version"])
    assert declared != "0.0.1"
    assert json.loads((dev / "report.json").read_text())["policies"]["pack"]["version"] == declared
