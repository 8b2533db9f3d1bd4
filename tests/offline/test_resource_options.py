"""Every resource option the Python SDK sends is recorded, and the analyzer gets the ones it takes
(custom_timeouts once crashed the offline engine with a TypeError)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from offline.engine import duration_seconds
from offline.policyrun import analyze_request

from offline_support import FIXTURES, run_cli, run_engine

P = "urn:pulumi:test::options::aws:s3/bucketV2:BucketV2::"


@pytest.fixture(scope="module")
def recording(tmp_path_factory) -> dict:
    rec = run_engine(FIXTURES / "options", "test", "preview", tmp_path_factory.mktemp("eng"))
    assert rec["error"] is None, rec["error"]
    return {r["urn"]: r for r in rec["resources"]}


def test_every_option_is_recorded(recording):
    opts = recording[P + "data"]["options"]
    assert opts["customTimeouts"] == {"create": "5m", "update": "1h30m", "delete": "10s", "read": "2m"}
    assert opts["protect"] is True and opts["retainOnDelete"] is True
    assert opts["ignoreChanges"] == ["tags"] and opts["hideDiffs"] == ["tags"]
    assert opts["replaceOnChanges"] == ["bucket"] and opts["additionalSecretOutputs"] == ["arn"]
    assert opts["deleteBeforeReplace"] is True and opts["deletedWith"] == P + "logs"
    # Alias(name=...) resolves against the resource's own type and parent, as the engine does.
    assert opts["aliases"] == [P + "data-old", P + "data-older"]
    assert recording[P + "imported"]["options"]["importId"] == "imported-bucket"
    assert recording[P + "existing"]["read"] is True


def test_the_analyzer_gets_the_options_in_seconds(recording):
    by_urn = dict(recording)
    request = analyze_request(recording[P + "data"], by_urn)
    ct = request.options.customTimeouts
    assert (ct.create, ct.update, ct.delete, ct.read) == (300.0, 5400.0, 10.0, 120.0)
    assert request.options.protect and list(request.options.ignoreChanges) == ["tags"]
    assert list(request.options.aliases) == [P + "data-old", P + "data-older"]


def test_duration_parsing_matches_go():
    assert duration_seconds("1h30m") == 5400.0 and duration_seconds("1.5s") == 1.5
    for bad in ("5 minutes", "5", "m5", ""):
        with pytest.raises(ValueError, match="is not a duration"):
            duration_seconds(bad)


@pytest.mark.parametrize("mode", ["preview", "update", "existing"])
def test_a_program_with_every_option_previews_in_every_mode(tmp_path: Path, mode: str):
    proc = run_cli(["--program", str(FIXTURES / "options"), "--stack", "test", "--mode", mode], tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert "> ├─ aws:s3/bucketV2:BucketV2  existing" in proc.stdout or \
        "> └─ aws:s3/bucketV2:BucketV2  existing" in proc.stdout


def test_a_timeout_the_engine_cannot_parse_fails_the_program(tmp_path: Path):
    program = tmp_path / "prog"
    shutil.copytree(FIXTURES / "options", program)
    main = program / "__main__.py"
    main.write_text(main.read_text().replace('read="2m"', 'read="2 minutes"'))
    proc = run_cli(["--program", str(program), "--stack", "test"], tmp_path / "out")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "custom_timeouts.read" in proc.stdout and "'2 minutes' is not a duration" in proc.stdout
