"""The preview bench's floor mode (offline.bench --floor) measures the policy runtime with the pack's own rules
emptied: the pack it writes must keep every policy's name, kind and level, and judge nothing."""

import json
from pathlib import Path

from offline.analyzer import PolicyPackProcess, analyze_request
from offline.bench import _empty_rules_pack

ROOT = Path(__file__).resolve().parents[2]


def _policies(process: PolicyPackProcess) -> list[tuple[str, int, int]]:
    return [(p.name, p.enforcementLevel, p.policy_type) for p in process.info().policies]


def test_empty_rules_pack_mirrors_the_pack_and_judges_nothing(tmp_path: Path) -> None:
    empty = _empty_rules_pack(tmp_path)
    # It shares the real pack's virtualenv, so it must ask for the same requirements (else each pack would
    # reinstall that virtualenv for the other).
    assert (empty / "requirements.txt").read_text() == (ROOT / "policies" / "requirements.txt").read_text()

    root_container = {"family": "web", "containerDefinitions": json.dumps([{
        "name": "web", "image": "nginx:latest", "user": "root", "privileged": True,
        "environment": [{"name": "DB_PASSWORD", "value": "hunter2-hunter2"}]}])}
    request = analyze_request("aws:ecs/taskDefinition:TaskDefinition", "web", root_container)
    with PolicyPackProcess(ROOT / "policies") as real, PolicyPackProcess(empty) as hollow:
        real.configure({})
        hollow.configure({})
        assert _policies(hollow) == _policies(real)
        assert len(_policies(hollow)) > 70
        assert real.analyze(request).diagnostics  # the real rules do flag it
        assert not hollow.analyze(request).diagnostics
