"""Helpers for the offline-preview tests.

Every engine or CLI run happens in a subprocess, so no Pulumi runtime state is set in the pytest
process (other suites run their own mocks in it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _env(extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PULUMI_CONFIG_PASSPHRASE"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(extra or {})
    return env


def run_engine(program: Path, stack: str, mode: str, work: Path, passphrase: str | None = None) -> dict:
    """Run ``python -m offline.engine`` for one stack and return its recording."""
    extra = {"PULUMI_CONFIG_PASSPHRASE": passphrase} if passphrase else {}
    subprocess.run([sys.executable, "-m", "offline.engine", "--program", str(program), "--stack", stack,
                    "--mode", mode, "--work-dir", str(work)], check=True, cwd=ROOT, env=_env(extra),
                   capture_output=True, text=True, timeout=120)
    return json.loads((work / f"{stack}.json").read_text())


def run_cli(args: list[str], out: Path, extra_env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m offline preview ...`` writing to ``out``."""
    return subprocess.run([sys.executable, "-m", "offline", "preview", *args, "--out", str(out),
                           "--quiet"], cwd=ROOT, env=_env(extra_env),
                          capture_output=True, text=True, timeout=300)

