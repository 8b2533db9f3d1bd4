"""No secret value appears in plain text in any resource input, in any stack."""

from __future__ import annotations

import json
import re
from typing import Any, Iterator

import pytest
import yaml

from offline.wire import is_secret
from tests.mocks import ECR_PASSWORD, ROOT

STACKS = ("dev", "staging", "prod")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|PRIVATE|CREDENTIAL|API_?KEY", re.I)


def walk(value: Any, path: str = "") -> Iterator[tuple[str, Any, bool]]:
    """Yield (path, leaf, is_secret) for every leaf of a wire-format value."""
    if isinstance(value, dict):
        if is_secret(value):
            for leaf_path, leaf, _ in walk(value.get("value"), path):
                yield leaf_path, leaf, True
            return
        for key, child in value.items():
            yield from walk(child, f"{path}.{key}")
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from walk(child, f"{path}[{index}]")
    else:
        yield path, value, False


@pytest.mark.parametrize("stack", STACKS)
def test_no_input_holds_a_password_in_plain_text(stack_run, stack):
    plain = []
    for r in stack_run(stack).registrations:
        for path, leaf, secret in walk(r.wire):
            if isinstance(leaf, str) and ECR_PASSWORD in leaf and not secret:
                plain.append(f"{r.type} {r.name}{path}")
            if re.search(r"(^|\.)(password|masterPassword|passwordWo)$", path, re.I) and leaf and not secret:
                plain.append(f"{r.type} {r.name}{path}")
    assert plain == []


@pytest.mark.parametrize("stack", STACKS)
def test_the_db_password_never_enters_the_program(stack_run, stack):
    db = stack_run(stack).one("aws:rds/instance:Instance").inputs
    assert db["manageMasterUserPassword"] is True
    assert not {"password", "passwordWo", "passwordWoVersion"} & set(db)


@pytest.mark.parametrize("stack", STACKS)
def test_no_plaintext_secret_env_vars(stack_run, stack):
    for r in stack_run(stack).all("aws:ecs/taskDefinition:TaskDefinition"):
        for definition in json.loads(r.inputs["containerDefinitions"]):
            names = [e["name"] for e in definition.get("environment", [])]
            assert [n for n in names if SECRET_NAME.search(n)] == []
            # Only the migrate container holds the master credentials; the app authenticates with IAM.
            secrets = {s["name"] for s in definition.get("secrets", [])}
            assert secrets == ({"DB_ADMIN_USER", "DB_ADMIN_PASSWORD"} if definition["name"] == "migrate" else set())


@pytest.mark.parametrize("stack", STACKS)
def test_db_secret_is_referenced_by_arn_only(stack_run, stack):
    run = stack_run(stack)
    [managed] = run.one("aws:rds/instance:Instance").state["masterUserSecrets"]  # what RDS reports it created
    arn = managed["secretArn"]
    holders = sorted({r.type for r in run.registrations
                      for _, leaf, _ in walk(r.wire) if isinstance(leaf, str) and arn in leaf})
    assert holders == ["aws:ecs/taskDefinition:TaskDefinition", "aws:iam/policy:Policy"]
    assert run.outputs["dbSecretArn"] == arn


def test_config_declares_no_secret_values():
    for stack in STACKS:
        values = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
        assert not [k for k, v in values.items() if isinstance(v, dict) and "secure" in v], stack
        assert not [k for k in values if re.search(r"password|secret|token", k, re.I)], stack
    declared = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["config"]
    assert not [k for k, spec in declared.items() if re.search(r"password|secret|token", k, re.I)]
