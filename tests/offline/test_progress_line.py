"""The preview's progress line (the CLI's stderr) says what the analysis phase really runs: one pack process for
one stack, one per stack in parallel for several."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from offline.cli import analysis_line
from offline_support import FIXTURES, ROOT, _env

THREE = ["a", "b", "c"]


@pytest.fixture(scope="module")
def program(tmp_path_factory) -> Path:
    """The rootlate fixture with three more stacks of the same configuration."""
    prog = tmp_path_factory.mktemp("progress") / "prog"
    shutil.copytree(FIXTURES / "rootlate", prog)
    for st in THREE:
        shutil.copy(prog / "Pulumi.test.yaml", prog / f"Pulumi.{st}.yaml")
    return prog


def analysis_lines(program: Path, stacks: list[str], out: Path) -> list[str]:
    """The analysis-phase lines the CLI writes to stderr (no terminal: one line per step), without the clock."""
    proc = subprocess.run([sys.executable, "-m", "offline", "preview", "--program", str(program),
                           *[a for st in stacks for a in ("--stack", st)], "--out", str(out)],
                          cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=300)
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    steps = [re.sub(r"^\[\s*[\d.]+s\] ", "", line) for line in proc.stderr.splitlines()]
    return [line for line in steps if line.startswith("analysing ")]


def test_one_stack_is_analysed_by_one_pack_process(program, tmp_path):
    assert analysis_lines(program, ["test"], tmp_path) == ["analysing test: one pack process"]


def test_three_stacks_are_analysed_by_one_pack_process_each_in_parallel(program, tmp_path):
    assert analysis_lines(program, THREE, tmp_path) == [
        "analysing a, b, c: one pack process each, in parallel"]


def test_an_update_names_its_two_pack_processes_and_no_pack_names_none():
    assert analysis_line(["dev"], "update", True) == "analysing dev: two pack processes (preview, then update)"
    assert analysis_line(["dev", "prod"], "update", True) == \
        "analysing dev, prod: two pack processes (preview, then update) each, in parallel"
    assert analysis_line(["dev"], "existing", False) == "analysing dev: no policy pack"
    assert analysis_line(["dev", "prod"], "preview", False) == "analysing dev, prod: no policy pack"
