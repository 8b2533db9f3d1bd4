"""The seam between the task definition and the app: the containers get exactly the keys the app declares.

app/src/config.js lists what each container reads (ENV_KEYS for the service, MIGRATE_ENV_KEYS for the migrate
container); node reads the lists from the module itself, so a key renamed on either side fails here."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from components.task import _container_definitions
from tests.mocks import ROOT

#: Declared by the app but deliberately not set on AWS: password mode is for local runs and tests only
#: (the app refuses a password with DB_AUTH=iam), and the shutdown bound keeps the app's own default.
LOCAL_ONLY = {"app": {"DB_PASSWORD", "SHUTDOWN_TIMEOUT_MS"}, "migrate": {"DB_APP_PASSWORD"}}


@pytest.fixture(scope="module")
def declared() -> dict[str, set[str]]:
    node = shutil.which("node")
    assert node, "node is needed to read the app's environment contract"
    script = ("const c = require('./app/src/config.js');"
              "process.stdout.write(JSON.stringify({app: c.ENV_KEYS, migrate: c.MIGRATE_ENV_KEYS}))")
    out = subprocess.run([node, "-e", script], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return {name: set(keys) for name, keys in json.loads(out).items()}


def task_keys() -> dict[str, set[str]]:
    definitions = _container_definitions(
        image="repo/app:tag", port=8080, log_group="/ecs/app", region="us-east-1", db_host="db", db_port=3306,
        db_name="app", db_secret_arn="arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-1", db_app_user="app",
        db_pool_size=10, log_level="info", app_version="sha-1", enable_execute_command=True)
    return {d["name"]: {e["name"] for e in d["environment"]} | {s["name"] for s in d.get("secrets", [])}
            for d in definitions}


@pytest.mark.parametrize("container", ["app", "migrate"])
def test_task_sets_exactly_the_keys_the_app_declares_for_aws(declared, container):
    assert task_keys()[container] == declared[container] - LOCAL_ONLY[container]


def test_local_only_keys_are_really_declared(declared):
    for container, keys in LOCAL_ONLY.items():
        assert keys <= declared[container], container
