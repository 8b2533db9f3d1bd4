"""The content-hash image tag: known at preview, stable, and sensitive to exactly what Docker sends."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from components.registry import _build_context_files, _content_hash_tag, _lifecycle_policy


@pytest.fixture
def context(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM node:24-slim\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "server.js").write_text("console.log('hi')\n")
    (tmp_path / "node_modules" / "x").mkdir(parents=True)
    (tmp_path / "node_modules" / "x" / "index.js").write_text("junk\n")
    (tmp_path / "notes.md").write_text("notes\n")
    (tmp_path / "keep.md").write_text("keep\n")
    (tmp_path / ".dockerignore").write_text("# comment\nnode_modules\n*.md\n!keep.md\n**/*.log\n")
    return tmp_path


def test_tag_is_stable_for_the_same_context(context):
    assert _content_hash_tag(context, "linux/arm64") == _content_hash_tag(context, "linux/arm64")


def test_tag_is_never_latest_and_is_a_valid_docker_tag(context):
    tag = _content_hash_tag(context, "linux/arm64")
    assert tag != "latest" and tag.startswith("sha-") and len(tag) == 24


def test_tag_changes_when_a_sent_file_changes(context):
    before = _content_hash_tag(context, "linux/arm64")
    (context / "src" / "server.js").write_text("console.log('bye')\n")
    assert _content_hash_tag(context, "linux/arm64") != before


def test_tag_ignores_files_excluded_by_dockerignore(context):
    before = _content_hash_tag(context, "linux/arm64")
    (context / "node_modules" / "x" / "index.js").write_text("other junk\n")
    (context / "notes.md").write_text("edited\n")
    (context / "src" / "debug.log").write_text("log\n")
    assert _content_hash_tag(context, "linux/arm64") == before


def test_dockerignore_exceptions_are_respected(context):
    assert _build_context_files(context) == [".dockerignore", "Dockerfile", "keep.md", "src/server.js"]


def test_tag_changes_with_the_platform(context):
    assert _content_hash_tag(context, "linux/arm64") != _content_hash_tag(context, "linux/amd64")


def test_tag_changes_when_a_file_becomes_executable(context):
    before = _content_hash_tag(context, "linux/arm64")
    os.chmod(context / "src" / "server.js", 0o755)
    assert _content_hash_tag(context, "linux/arm64") != before


def test_missing_context_still_gives_a_tag(tmp_path):
    assert _content_hash_tag(tmp_path / "absent", "linux/amd64").startswith("sha-")


def test_unknown_platform_is_rejected(context):
    with pytest.raises(ValueError, match="platform='linux/s390x': allowed values are linux/arm64, linux/amd64"):
        _content_hash_tag(context, "linux/s390x")


def test_lifecycle_policy_expires_untagged_and_keeps_last_n():
    import json
    rules = json.loads(_lifecycle_policy(30, 7))["rules"]
    assert rules[0]["selection"] == {"tagStatus": "untagged", "countType": "sinceImagePushed",
                                     "countUnit": "days", "countNumber": 7}
    assert rules[1]["selection"] == {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 30}


def test_ignored_directories_are_not_walked(context, monkeypatch):
    import components.registry as registry

    visited = []
    real_walk = os.walk

    def recording_walk(top, *args, **kwargs):
        for root, dirs, names in real_walk(top, *args, **kwargs):
            visited.append(Path(root).relative_to(context).as_posix())
            yield root, dirs, names

    monkeypatch.setattr(registry.os, "walk", recording_walk)
    _build_context_files(context)
    assert "src" in visited
    assert not [d for d in visited if d.startswith("node_modules")]


def test_a_directory_an_exception_reaches_into_is_still_walked(tmp_path):
    (tmp_path / "vendor" / "keep").mkdir(parents=True)
    (tmp_path / "vendor" / "keep" / "lib.js").write_text("kept\n")
    (tmp_path / "vendor" / "drop.js").write_text("dropped\n")
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    (tmp_path / ".dockerignore").write_text("vendor\n!vendor/keep/*.js\n")
    assert _build_context_files(tmp_path) == [".dockerignore", "Dockerfile", "vendor/keep/lib.js"]
