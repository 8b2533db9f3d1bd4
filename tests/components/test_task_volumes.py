"""The task's writable volumes are writable by the user that writes to them, as Fargate creates them.

Fargate creates a bind-mount volume owned by root with mode 0755, unless the image declares the mount's
container path as a VOLUME: then ECS copies that directory of the image, with its owner and mode, into the
volume (ECS Developer Guide, "Use bind mounts with Amazon ECS"). The app runs as uid 1000, so every path the
app writes to must be a VOLUME of the final image stage with a mode or owner that lets uid 1000 write. The ECS
Exec agent paths are written by the agent, which runs as root, so the root-owned 0755 default serves them.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from components.task import APP_USER, EXEC_AGENT_PATHS

DOCKERFILE = Path(__file__).resolve().parents[2] / "app" / "Dockerfile"
FARGATE_DEFAULT = (0, 0o755)  # owner uid, mode of a bind-mount volume the image does not declare


def final_stage() -> list[tuple[str, str]]:
    """(instruction, arguments) of the last stage, continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    stages: list[list[tuple[str, str]]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, rest = line.partition(" ")
        if instruction.upper() == "FROM":
            stages.append([])
        stages[-1].append((instruction.upper(), rest.strip()))
    return stages[-1]


def declared_volumes(stage) -> set[str]:
    paths: set[str] = set()
    for instruction, rest in stage:
        if instruction == "VOLUME":
            paths.update(json.loads(rest) if rest.startswith("[") else rest.split())
    return paths


def image_owner_and_mode(stage, path: str, base=(0, 0o1777)) -> tuple[int, int]:
    """Owner and mode of ``path`` after the stage's RUN chmod/chown commands (starting from ``base``)."""
    owner, mode = base
    for instruction, rest in stage:
        if instruction != "RUN":
            continue
        for command in re.split(r"&&|;", rest):
            words = shlex.split(command)
            if len(words) == 3 and words[0] == "chmod" and words[2] == path and re.fullmatch(r"[0-7]{3,4}", words[1]):
                mode = int(words[1], 8)
            if len(words) == 3 and words[0] == "chown" and words[2] == path:
                owner = {"node": 1000, "root": 0}.get(words[1].split(":")[0], int(words[1].split(":")[0]))
    return owner, mode


def fargate_volume(stage, path: str, base=(0, 0o1777)) -> tuple[int, int]:
    """Owner and mode of the bind-mount volume Fargate creates at ``path`` for this image."""
    return image_owner_and_mode(stage, path, base) if path in declared_volumes(stage) else FARGATE_DEFAULT


def writable_by(uid: int, owner: int, mode: int) -> bool:
    return (owner == uid and bool(mode & 0o200)) or bool(mode & 0o002)


def app_paths(run) -> set[str]:
    """The writable paths of every container of the dev task definition (the stack with ECS Exec), except the
    exec agent's: the paths the app's own processes write to."""
    containers = json.loads(run.one("aws:ecs/taskDefinition:TaskDefinition").inputs["containerDefinitions"])
    assert {c["user"] for c in containers} == {APP_USER}
    return {m["containerPath"] for c in containers for m in c.get("mountPoints", [])
            if not m.get("readOnly") and m["containerPath"] not in EXEC_AGENT_PATHS.values()}


def test_the_apps_own_paths_are_the_tmp_volume(stack_run):
    assert app_paths(stack_run("dev")) == {"/tmp"}


def test_every_app_path_is_writable_by_the_app_user_on_fargate(stack_run):
    uid = int(APP_USER.split(":")[0])
    stage = final_stage()
    # Whatever mode the base image gives /tmp, the Dockerfile sets its own: start from the least helpful.
    volumes = {path: fargate_volume(stage, path, base=(0, 0o755)) for path in app_paths(stack_run("dev"))}
    assert {path: writable_by(uid, *volume) for path, volume in volumes.items()} == {"/tmp": True}
    assert volumes["/tmp"] == (0, 0o1777)  # sticky: uid 1000 cannot remove files of others


def test_without_the_volume_declaration_fargate_would_give_a_root_owned_0755_tmp():
    stage = [step for step in final_stage() if step[0] != "VOLUME"]
    assert not writable_by(1000, *fargate_volume(stage, "/tmp"))


def test_exec_agent_paths_are_left_to_the_root_agent():
    stage = final_stage()
    for path in EXEC_AGENT_PATHS.values():
        assert fargate_volume(stage, path) == FARGATE_DEFAULT and writable_by(0, *FARGATE_DEFAULT)
