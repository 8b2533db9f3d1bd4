"""Stack config: project defaults + stack file, and passphrase-encrypted secure values."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

import pytest

from offline.stackconfig import (SECRET_PLACEHOLDER, ConfigError, derive_key, encrypt_value, key_from_state,
                                 load_stack_config)

from offline_support import FIXTURES, run_engine

SECRET_SIG = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}
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
    assert rec["stack_outputs"]["password"] == {**SECRET_SIG, "value": "s3cr3t-value"}
    assert rec["secret_keys"] == ["nested:dbPassword"] and rec["undecrypted_secret_keys"] == []


def test_secure_value_stays_secret_without_a_passphrase(tmp_path: Path):
    program = _secure_stack(tmp_path, "s3cr3t-value")
    rec = run_engine(program, "sec", "update", tmp_path / "work")
    assert rec["error"] is None
    assert rec["stack_outputs"]["password"] == {**SECRET_SIG, "value": SECRET_PLACEHOLDER}
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
    with pytest.raises(ConfigError, match="missing required configuration key.*p:size"):
        load_stack_config(program, "s")


def test_value_of_the_wrong_declared_type_fails(tmp_path: Path):
    program = _program(tmp_path, "  size:\n    type: integer\n    default: 1\n", "  p:size: big\n")
    with pytest.raises(ConfigError, match="'p:size': 'big' is not of the declared type integer"):
        load_stack_config(program, "s")


def test_non_string_values_reach_the_program_json_encoded(tmp_path: Path):
    program = _program(tmp_path, "  size:\n    type: integer\n    default: 1\n  enabled:\n    type: boolean\n    default: false\n",
                       "  p:size: 3\n")
    cfg = load_stack_config(program, "s")
    assert cfg.values["p:size"] == "3" and cfg.values["p:enabled"] == "false"
