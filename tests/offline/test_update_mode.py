"""MODE=update runs the preview, then the update (as `pulumi up` does); existing mode can mark types as changing."""

from __future__ import annotations

import json
from pathlib import Path

from offline_support import FIXTURES, run_cli

ROOTLATE = ["--program", str(FIXTURES / "rootlate"), "--stack", "test"]
TASKDEF = "aws:ecs/taskDefinition:TaskDefinition"


def test_update_passes_its_preview_then_stops_and_reports_what_would_already_exist(tmp_path: Path):
    # The root container is unknown at preview ("can't run", advisory), known during the update: it fails there.
    proc = run_cli(ROOTLATE + ["--mode", "update"], tmp_path)
    assert proc.returncode == 1, proc.stdout
    rep = json.loads((tmp_path / "test" / "report.json").read_text())
    pol = rep["policies"]
    assert pol["phase"] == "update" and pol["stoppedAt"].endswith("::root-task")
    assert [u.rsplit("::", 1)[-1] for u in pol["wouldExist"]] == ["web-logs"]
    assert "then stopped at root-task (ecs/TaskDefinition)" in proc.stdout
    assert "1 resources would already exist" in proc.stdout and "+ web-logs (cloudwatch/LogGroup)" in proc.stdout
    assert "1 resources would already exist" in (tmp_path / "test" / "summary.md").read_text()


def test_existing_mode_with_a_changing_type_has_its_outputs_unknown_again(tmp_path: Path):
    args = ["--stack", "dev", "--mode", "existing", "--policy-pack-config", "policies/config/{stack}.json"]
    proc = run_cli(args + ["--changing", TASKDEF], tmp_path / "changing")
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert f"+-    └─ {TASKDEF}  webservice-dev-taskdef" in proc.stdout
    rep = json.loads((tmp_path / "changing" / "dev" / "report.json").read_text())
    service = next(r for r in rep["resources"] if r["type"] == "aws:ecs/service:Service")
    assert service["inputs"]["taskDefinition"] == "(unknown until the resource exists)"
    assert rep["changing"] == [TASKDEF]
    run_cli(args, tmp_path / "plain")
    plain = json.loads((tmp_path / "plain" / "dev" / "report.json").read_text())
    service = next(r for r in plain["resources"] if r["type"] == "aws:ecs/service:Service")
    assert service["inputs"]["taskDefinition"].startswith("arn:aws:ecs:")


def test_changing_is_for_existing_mode_and_takes_type_tokens(tmp_path: Path):
    proc = run_cli(ROOTLATE + ["--mode", "preview", "--changing", TASKDEF], tmp_path)
    assert proc.returncode == 2 and "--changing applies to --mode existing only" in proc.stderr
    proc = run_cli(ROOTLATE + ["--mode", "existing", "--changing", "TaskDefinition"], tmp_path)
    assert proc.returncode == 2 and "expected a resource type token" in proc.stderr
