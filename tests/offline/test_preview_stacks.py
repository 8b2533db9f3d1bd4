"""The real program through the real pack, every stack in every mode (needs issues 2 and 3)."""

from __future__ import annotations

import json

import pytest

from offline.wire import UNKNOWN
from offline_support import run_cli

STACKS = ("dev", "staging", "prod")
CONTAINER_RULE = "aws-ecs-taskdefinition-"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """``runs(mode)``: preview-all in that mode, run once per module and cached."""
    cache: dict = {}

    def get(mode: str) -> dict:
        if mode not in cache:
            out = tmp_path_factory.mktemp(f"out-{mode}")
            args = [a for st in STACKS for a in ("--stack", st)] + ["--mode", mode,
                                                                   "--policy-pack-config", "policies/config/{stack}.json"]
            proc = run_cli(args, out)
            reports = {st: json.loads((out / st / "report.json").read_text()) for st in STACKS}
            cache[mode] = {"mode": mode, "proc": proc, "reports": reports, "out": out}
        return cache[mode]

    return get


@pytest.fixture(params=["preview", "update", "existing"])
def run(request, runs) -> dict:
    return runs(request.param)


def violations(rep: dict) -> list[tuple[str, str, str]]:
    """The exact violations: (rule, level, resource name), sorted."""
    return sorted((v["policy"], v["level"], v["urn"].rsplit("::", 1)[-1]) for v in rep["policies"]["violations"])


def test_every_stack_has_no_violation_at_all(run):
    assert run["proc"].returncode == 0, run["proc"].stdout[-3000:] + run["proc"].stderr[-3000:]
    for st, rep in run["reports"].items():
        assert rep["error"] is None, (st, rep["error"])
        assert violations(rep) == [], st
        assert rep["policies"]["analyzed"] == rep["summary"]["resources"]


def test_every_stack_gets_a_cost_estimate(run):
    for st, rep in run["reports"].items():
        assert rep["cost"]["monthlyTotal"] > 0, st
        assert any(line["item"].startswith("Fargate") for line in rep["cost"]["lines"]), st


def _taskdef(rep: dict) -> dict:
    return next(r for r in rep["resources"] if r["type"] == "aws:ecs/taskDefinition:TaskDefinition")


def test_container_rules_really_run_in_existing_mode(runs):
    run = runs("existing")
    for st, rep in run["reports"].items():
        skipped = [s for s in rep["policies"]["skipped"] if s["policy"].startswith(CONTAINER_RULE)]
        assert skipped == [], (st, skipped)
        # The security fields the rules read are plain values the pack can see.
        containers = json.loads(_taskdef(rep)["inputs"]["containerDefinitions"])
        assert all(c.get("user") and c.get("readonlyRootFilesystem") is True for c in containers), st
        assert all(c.get("privileged") in (None, False) for c in containers), st


def test_first_preview_reports_the_container_rule_skip_honestly(runs):
    run = runs("preview")
    rep = run["reports"]["dev"]
    td = _taskdef(rep)
    skipped = {s["policy"] for s in rep["policies"]["skipped"] if s["urn"] == td["urn"]}
    if UNKNOWN not in json.dumps(td["inputs"]) and "unknown" not in json.dumps(td["inputs"]):
        assert not skipped  # nothing unknown, nothing may be skipped
        return
    assert "aws-ecs-taskdefinition-non-root-user" in skipped
    assert "can't run during preview (advisory" in run["proc"].stdout
    assert "!!   aws-ecs-taskdefinition-non-root-user on webservice-dev-taskdef" in run["proc"].stdout
    assert "aws-ecs-taskdefinition-non-root-user" in (run["out"] / "dev" / "summary.md").read_text()


def test_terminal_shows_tree_policies_cost_and_files(runs):
    run = runs("preview")
    text = run["proc"].stdout
    for needle in ("=== webservice/dev", "├─ webservice:service:Service", "(remote component: children laid out offline",
                   "Policies: ", "MANDATORY (0)", "Cost estimate (USD/month, us-east-1)", "Assumptions:", "Files:",
                   "report.sarif", "architecture.svg"):
        assert needle in text, needle
    assert "[" in run["proc"].stderr or run["proc"].stderr == ""  # progress goes to stderr, not into the report


def test_the_gate_mode_counts_nothing_advisory_in_prod_even_as_the_cli_counts(runs):
    # In existing mode nothing is unknown, so no "can't run" results either: 0 advisory as the CLI counts.
    prod = runs("existing")["reports"]["prod"]
    assert (violations(prod), prod["policies"]["skipped"]) == ([], [])
    assert (prod["summary"]["mandatory"], prod["summary"]["advisory"], prod["summary"]["skipped"]) == (0, 0, 0)


def test_example_values_are_injected_marked_and_printed_for_staging_and_prod_only(runs):
    run = runs("preview")
    examples = {st: rep["config"]["examples"] for st, rep in run["reports"].items()}
    assert examples == {
        "dev": {},
        "staging": {"webservice:domainName": "staging.example.com", "webservice:hostedZoneName": "example.com"},
        "prod": {"webservice:domainName": "prod.example.com", "webservice:hostedZoneName": "example.com",
                 "webservice:alarmEmail": '["oncall@example.com"]'}}
    text = run["proc"].stdout
    assert ("Example values (injected offline; not in Pulumi.prod.yaml; a real deploy needs your own): "
            'webservice:alarmEmail=["oncall@example.com"], webservice:domainName=prod.example.com, '
            "webservice:hostedZoneName=example.com") in text
    assert "not in Pulumi.dev.yaml" not in text
