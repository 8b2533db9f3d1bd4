"""A deliberately bad program (public DB, root container) must fail the offline preview."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from offline_support import FIXTURES, run_cli

BAD = ["--program", str(FIXTURES / "bad"), "--stack", "test"]
#: Every violation the bad program gets, in every mode: (rule, level, resource name), sorted.
VIOLATIONS = sorted([("aws-rds-instance-not-public", "mandatory", "public-db"),
                     ("aws-ecs-taskdefinition-non-root-user", "mandatory", "root-task")]
                    + [(f"aws-rds-{rule}", "advisory", "public-db") for rule in (
                        "instance-backup-retention", "instance-copy-tags-to-snapshot", "instance-deletion-protection",
                        "instance-enhanced-monitoring", "instance-iam-authentication", "instance-log-exports",
                        "instance-multi-az", "parametergroup-require-tls")])


def violations(rep: dict) -> list[tuple[str, str, str]]:
    return sorted((v["policy"], v["level"], v["urn"].rsplit("::", 1)[-1]) for v in rep["policies"]["violations"])


@pytest.mark.parametrize("mode", ["preview", "existing"])
def test_bad_program_fails_naming_both_violations(tmp_path: Path, mode: str):
    proc = run_cli(BAD + ["--mode", mode], tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "aws-rds-instance-not-public" in proc.stdout
    assert "aws-ecs-taskdefinition-non-root-user" in proc.stdout
    rep = json.loads((tmp_path / "test" / "report.json").read_text())
    assert violations(rep) == VIOLATIONS
    assert "aws-rds-instance-not-public" in (tmp_path / "test" / "summary.md").read_text()


def test_update_stops_at_its_preview_when_the_preview_fails(tmp_path: Path):
    # `pulumi up` previews first: both violations are known at preview, so the update never starts.
    proc = run_cli(BAD + ["--mode", "update"], tmp_path)
    assert proc.returncode == 1
    rep = json.loads((tmp_path / "test" / "report.json").read_text())
    assert rep["policies"]["phase"] == "preview" and rep["policies"]["stoppedAt"] is None
    assert violations(rep) == VIOLATIONS
    assert rep["policies"]["wouldExist"] == []
    assert "the update never starts, nothing is created" in proc.stdout


def test_program_error_exits_non_zero(tmp_path: Path):
    program = tmp_path / "broken"
    program.mkdir()
    (program / "Pulumi.yaml").write_text("name: broken\nruntime: python\n")
    (program / "Pulumi.test.yaml").write_text("config: {}\n")
    (program / "__main__.py").write_text("raise RuntimeError('boom')\n")
    proc = run_cli(["--program", str(program), "--stack", "test", "--policy-pack", ""], tmp_path / "out")
    assert proc.returncode == 1
    assert "RuntimeError: boom" in proc.stdout
