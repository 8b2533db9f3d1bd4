"""Stack config: project defaults + stack file, and passphrase-encrypted secure values."""

from __future__ import annotations

import base64
import re
import shutil
from pathlib import Path

import pytest

from offline.stackconfig import (SECRET_PLACEHOLDER, ConfigError, derive_key, encrypt_value, key_from_state,
                                 load_stack_config)

from offline.wire import secret
from offline_support import FIXTURES, run_engine

PASSPHRASE = "correct horse battery staple"


def test_known_answer_from_pulumis_own_passphrase_tests():
    # pulumi/pulumi pkg/secrets/passphrase/manager_test.go: this state opens with "password".
    state = "v1:fozI5u6B030=:v1:F+6ZduKKd8G0/V7L:PGMFeIzwobWRKmEAzUdaQHqC5mMRIQ=="
    assert len(key_from_state("password", state)) == 32
    with pytest.raises(ConfigError, match="incorrect passphrase"):
        key_from_state("password123", state)


def _secure_stack(tmp_path: Path, plaintext: str) -> Path:
    program = tmp_path / "nested"
    shutil.copytree(FIXTURES / "nested", program)
    salt = b"0123456789abcdef"
    key = derive_key(PASSPHRASE, salt)
    check = encrypt_value(key, "pulumi", nonce=b"\x01" * 12)
    secret = encrypt_value(key, plaintext, nonce=b"\x02" * 12)
    (program / "Pulumi.sec.yaml").write_text(
        f"encryptionsalt: v1:{base64.b64encode(salt).decode()}:{check}\n"
        "config:\n"
        "  nested:appName: secure-shop\n"
        f"  nested:dbPassword:\n    secure: {secret}\n")
    return program


def test_project_defaults_and_stack_values_merge():
    cfg = load_stack_config(FIXTURES / "nested", "test")
    assert cfg.values["nested:appName"] == "shop"  # stack file wins
    assert cfg.values["aws:region"] == "us-east-1"  # namespaced project value
    assert cfg.origin["nested:appName"] == "Pulumi.test.yaml"


def test_secure_value_round_trips_with_the_passphrase(tmp_path: Path):
    program = _secure_stack(tmp_path, "s3cr3t-value")
    rec = run_engine(program, "sec", "update", tmp_path / "work", passphrase=PASSPHRASE)
    assert rec["error"] is None
    assert rec["stack_outputs"]["password"] == secret("s3cr3t-value")
    assert rec["secret_keys"] == ["nested:dbPassword"] and rec["undecrypted_secret_keys"] == []


def test_secure_value_stays_secret_without_a_passphrase(tmp_path: Path):
    program = _secure_stack(tmp_path, "s3cr3t-value")
    rec = run_engine(program, "sec", "update", tmp_path / "work")
    assert rec["error"] is None
    assert rec["stack_outputs"]["password"] == secret(SECRET_PLACEHOLDER)
    assert rec["undecrypted_secret_keys"] == ["nested:dbPassword"]
    assert "s3cr3t-value" not in (tmp_path / "work" / "sec.json").read_text()


def test_wrong_passphrase_is_an_error(tmp_path: Path):
    program = _secure_stack(tmp_path, "x")
    with pytest.raises(ConfigError, match="incorrect passphrase"):
        load_stack_config(program, "sec", "not the passphrase")


def _program(tmp_path: Path, project_config: str, stack_config: str) -> Path:
    program = tmp_path / "p"
    program.mkdir()
    (program / "Pulumi.yaml").write_text(f"name: p\nruntime: python\nconfig:\n{project_config}")
    (program / "Pulumi.s.yaml").write_text(f"config:\n{stack_config}")
    return program


def test_missing_required_key_fails_like_the_cli(tmp_path: Path):
    program = _program(tmp_path, "  size:\n    type: integer\n", "  aws:region: us-east-1\n")
    with pytest.raises(ConfigError, match="Stack 's' is missing configuration value 'size'"):
        load_stack_config(program, "s")


def test_value_of_the_wrong_declared_type_fails(tmp_path: Path):
    program = _program(tmp_path, "  size:\n    type: integer\n    default: 1\n", "  p:size: big\n")
    with pytest.raises(ConfigError, match="Stack 's' with configuration key 'size' must be of type 'integer'"):
        load_stack_config(program, "s")


def test_non_string_values_reach_the_program_json_encoded(tmp_path: Path):
    program = _program(tmp_path, "  size:\n    type: integer\n    default: 1\n  enabled:\n    type: boolean\n    default: false\n",
                       "  p:size: 3\n")
    cfg = load_stack_config(program, "s")
    assert cfg.values["p:size"] == "3" and cfg.values["p:enabled"] == "false"


# --- the CLI's config loader (pulumi/pulumi sdk/go/common/workspace: mergeConfig, ValidateConfigValue) -----------


def test_strings_from_pulumi_config_set_are_accepted_for_numbers_and_booleans(tmp_path: Path):
    # `pulumi config set size 3` and `... enabled true` write strings; the CLI accepts them for typed keys.
    program = _program(tmp_path, "  size:\n    type: integer\n    default: 1\n  enabled:\n    type: boolean\n"
                       "    default: false\n", '  p:size: "3"\n  p:enabled: "true"\n')
    cfg = load_stack_config(program, "s")
    assert cfg.values["p:size"] == "3" and cfg.values["p:enabled"] == "true"


@pytest.mark.parametrize("stack_value, type_name", [('"3.5"', "integer"), ('"True"', "boolean"), ("yes", "boolean"),
                                                    ("[1, x]", "array<integer>")])
def test_values_the_cli_rejects(tmp_path: Path, stack_value: str, type_name: str):
    spec = "type: array\n    items:\n      type: integer" if type_name.startswith("array") else f"type: {type_name}"
    program = _program(tmp_path, f"  v:\n    {spec}\n", f"  p:v: {stack_value}\n")
    with pytest.raises(ConfigError, match=f"with configuration key 'v' must be of type '{re.escape(type_name)}'"):
        load_stack_config(program, "s")


def test_arrays_and_whole_floats_are_typed_as_the_cli_types_them(tmp_path: Path):
    program = _program(tmp_path, "  ports:\n    type: array\n    items:\n      type: integer\n  n:\n"
                       "    type: integer\n    default: 2.0\n", '  p:ports: [80, "443"]\n')
    cfg = load_stack_config(program, "s")
    assert cfg.values["p:ports"] == '[80,"443"]' and cfg.values["p:n"] == "2"


def test_default_wins_over_value_when_both_are_given_as_in_the_cli(tmp_path: Path):
    program = _program(tmp_path, "  v:\n    value: from-value\n    default: from-default\n", "  aws:region: x\n")
    assert load_stack_config(program, "s").values["p:v"] == "from-default"


def test_only_the_projects_own_keys_are_required(tmp_path: Path):
    program = _program(tmp_path, "  aws:profile:\n    type: string\n", "  aws:region: us-east-1\n")
    assert "aws:profile" not in load_stack_config(program, "s").values


def test_a_key_declared_secret_must_be_encrypted(tmp_path: Path):
    program = _program(tmp_path, "  token:\n    type: string\n    secret: true\n", "  p:token: plain\n")
    with pytest.raises(ConfigError, match="configuration key 'token' must be encrypted as it's secret"):
        load_stack_config(program, "s")


def test_a_string_number_reaches_the_program_and_the_preview_runs(tmp_path: Path):
    from offline_support import ROOT, run_cli

    program = tmp_path / "prog"
    shutil.copytree(ROOT, program, ignore=shutil.ignore_patterns(".venv", "venv", "app", "out", ".git", "tests", "docs",
                                                                  ".cache", "node_modules"))
    stack = program / "Pulumi.dev.yaml"
    assert "  webservice:desiredCount: 1\n" in stack.read_text()
    stack.write_text(stack.read_text().replace("  webservice:desiredCount: 1\n", '  webservice:desiredCount: "2"\n'))
    proc = run_cli(["--program", str(program), "--stack", "dev", "--policy-pack", str(ROOT / "policies")],
                   tmp_path / "out")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert re.search(r"Fargate .*\(webservice-dev-service\) .* 2 task x ", proc.stdout)  # read as 2, not 1
