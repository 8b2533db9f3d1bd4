"""What each stack does, pinned per mode: every resource's URN with a digest of its inputs, and the pack's exact
results (violations, skips, remediations). A refactor that claims to change no behaviour must leave these files
as they are; a deliberate change regenerates them with OFFLINE_UPDATE_GOLDEN=1 and the diff is reviewed."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from offline_support import run_cli

STACKS = ("dev", "staging", "prod")
MODES = ("preview", "existing", "update")
GOLDEN = Path(__file__).resolve().parent / "golden"


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:16]


def _behaviour(rep: dict) -> dict:
    pol = rep["policies"]
    return {
        "exitCode": rep["exitCode"],
        "resources": {r["urn"]: _digest(r["inputs"]) for r in sorted(rep["resources"], key=lambda r: r["urn"])},
        "violations": sorted(json.dumps(v, sort_keys=True) for v in pol["violations"]),
        "skipped": sorted(json.dumps(v, sort_keys=True) for v in pol["skipped"]),
        "remediations": sorted(json.dumps(v, sort_keys=True) for v in pol.get("remediations") or []),
        "exemptions": sorted(json.dumps(v, sort_keys=True) for v in pol.get("exemptions") or []),
        "levelChanges": sorted(json.dumps(v, sort_keys=True) for v in pol.get("levelChanges") or []),
        "notApplicable": pol["notApplicable"],
    }


@pytest.fixture(scope="module", params=MODES)
def mode_reports(request, tmp_path_factory) -> tuple[str, dict]:
    out = tmp_path_factory.mktemp(f"out-{request.param}")
    args = [a for st in STACKS for a in ("--stack", st)] + ["--mode", request.param,
                                                           "--policy-pack-config", "policies/config/{stack}.json"]
    proc = run_cli(args, out)
    assert proc.returncode in (0, 1), proc.stdout[-3000:] + proc.stderr[-3000:]
    return request.param, {st: json.loads((out / st / "report.json").read_text()) for st in STACKS}


@pytest.mark.parametrize("stack", STACKS)
def test_resources_and_policy_results_match_the_golden_file(mode_reports, stack):
    mode, reports = mode_reports
    golden = GOLDEN / f"{stack}.{mode}.json"
    got = json.dumps(_behaviour(reports[stack]), indent=1, sort_keys=True) + "\n"
    if os.environ.get("OFFLINE_UPDATE_GOLDEN"):
        golden.write_text(got)
    assert got == golden.read_text()
