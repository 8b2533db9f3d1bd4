"""The seam between the task definition and the app, read from both sides' real sources.

The app side is asked, never parsed: node loads app/src/config.js (the declared keys, the shutdown bound the app
derives from the task's own environment) and app/src/app.js (which routes it serves; the module never listens),
and the container health check runs as node runs it. The AWS side is what ``__main__.py`` registers for each
stack under the strict mocks, and app/Dockerfile, whose WORKDIR and COPY lines decide where the files that
app/.dockerignore lets into the build context land in the image. A key, path, timeout or file moved on either
side fails here."""

from __future__ import annotations

import http.server
import json
import posixpath
import shlex
import subprocess
import threading
from functools import cache
from typing import Any

import pytest

from components.registry import _build_context_files
from components.task import CONTAINER_NAME, _container_definitions
from tests.mocks import ROOT

STACKS = ("dev", "staging", "prod")
APP_DIR = ROOT / "app"

#: Declared by the app but deliberately not set on AWS: password mode is for local runs and tests only
#: (the app refuses a password with DB_AUTH=iam), and the shutdown bound keeps the app's own default.
LOCAL_ONLY = {"app": {"DB_PASSWORD", "SHUTDOWN_TIMEOUT_MS"}, "migrate": {"DB_APP_PASSWORD"}}


@cache
def node_binary() -> str:
    """The app's Node 24, with its npm packages installed (app/scripts/node.sh, as the app's own tests get them)."""
    proc = subprocess.run(["bash", str(APP_DIR / "scripts" / "node.sh")], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, f"app/scripts/node.sh failed: {proc.stderr[-2000:]}"
    return proc.stdout.strip().splitlines()[-1]


def node(script: str, *args: str) -> Any:
    """Run ``script`` with node in the repository root (``process.argv[1:]`` are ``args``); its stdout is JSON."""
    out = subprocess.run([node_binary(), "-e", script, *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


@pytest.fixture(scope="module")
def declared() -> dict[str, set[str]]:
    keys = node("const c = require('./app/src/config.js');"
                "process.stdout.write(JSON.stringify({app: c.ENV_KEYS, migrate: c.MIGRATE_ENV_KEYS}))")
    return {name: set(values) for name, values in keys.items()}


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


# --- what each stack deploys ------------------------------------------------------------------------------------


@pytest.fixture(params=STACKS)
def deployed(request, stack_run) -> dict[str, Any]:
    """The stack's app container definition and target group, as ``__main__.py`` registers them."""
    run = stack_run(request.param)
    definitions = json.loads(run.one("aws:ecs/taskDefinition:TaskDefinition").inputs["containerDefinitions"])
    (app,) = [d for d in definitions if d["name"] == CONTAINER_NAME]
    return {"app": app, "target_group": run.one("aws:lb/targetGroup:TargetGroup").inputs}


def serves(path: str) -> bool:
    """Whether the app answers GET ``path`` with a route of its own (not the not-found handler)."""
    return node("const { buildApp } = require('./app/src/app.js');"
                "const app = buildApp({ db: null, logger: null });"
                "app.ready().then(() => {"
                "  process.stdout.write(JSON.stringify(app.hasRoute({ method: 'GET', url: process.argv[1] })));"
                "  return app.close(); });", path)


def test_the_route_check_tells_a_served_path_from_an_unknown_one():
    assert (serves("/users"), serves("/no-such-route")) == (True, False)


def test_stop_timeout_exceeds_the_apps_shutdown_bound_plus_the_deregistration_delay(deployed):
    # ECS drains the target for the deregistration delay, then sends SIGTERM, then SIGKILL after stopTimeout.
    # The app's bound is what it derives from the environment this task gives it (the app must accept it).
    environment = {e["name"]: e["value"] for e in deployed["app"]["environment"]}
    shutdown_ms = node("const { loadConfig } = require('./app/src/config.js');"
                       "const config = loadConfig(JSON.parse(process.argv[1]));"
                       "process.stdout.write(JSON.stringify(config.shutdownTimeoutMs))", json.dumps(environment))
    delay = deployed["target_group"]["deregistrationDelay"]
    assert deployed["app"]["stopTimeout"] > shutdown_ms / 1000 + delay, (deployed["app"]["stopTimeout"], shutdown_ms,
                                                                         delay)


def test_alb_health_check_path_is_a_route_the_app_serves(deployed):
    path = deployed["target_group"]["healthCheck"]["path"]
    assert serves(path), path


# --- the image layout (app/Dockerfile, build context app/) ------------------------------------------------------


def final_stage() -> list[tuple[str, str]]:
    """The last stage of app/Dockerfile as (INSTRUCTION, arguments), continuation lines joined."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for line in (APP_DIR / "Dockerfile").read_text().splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        pending += line.rstrip()
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        keyword, _, rest = pending.strip().partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
        pending = ""
    start = max(i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM")
    return instructions[start + 1:]


def image_layout() -> tuple[str, list[tuple[str, str]]]:
    """The final stage's WORKDIR, and what its COPY lines take from the build context: (path in the image,
    context path) pairs in order, a directory standing for everything below it."""
    workdir, copies = "/", []
    for keyword, rest in final_stage():
        if keyword == "WORKDIR":
            workdir = posixpath.join(workdir, rest)
        if keyword != "COPY":
            continue
        words = shlex.split(rest)
        if any(w.startswith("--from") for w in words):
            continue  # from another stage, not from the build context
        *sources, dest = [w for w in words if not w.startswith("--")]
        target = posixpath.normpath(posixpath.join(workdir, dest))
        for src in sources:
            # A directory's contents land in dest; a file lands in dest, or inside it when dest ends with "/" or
            # there are several sources.
            into = not (APP_DIR / src).is_dir() and (dest.endswith("/") or len(sources) > 1)
            copies.append((posixpath.join(target, posixpath.basename(src)) if into else target, src))
    return workdir, copies


def context_file(path: str) -> str | None:
    """The build-context path the image has at ``path`` (absolute), or None: the last COPY that covers it wins."""
    found = None
    for target, src in image_layout()[1]:
        if path == target:
            found = src
        elif path.startswith(target + "/") and (APP_DIR / src).is_dir():
            found = posixpath.join(src, path[len(target) + 1:])
    return found


def test_the_layout_reader_knows_what_the_image_holds():
    assert image_layout()[0] == "/app"
    assert context_file("/app/src/server.js") == "src/server.js"
    assert context_file("/app/package-lock.json") == "package-lock.json"
    assert context_file("/app/test/config.test.js") is None
    sent = _build_context_files(APP_DIR)  # the build context as .dockerignore leaves it (the image tag's reader)
    assert "src/server.js" in sent and "test/config.test.js" not in sent


def script_in_image(app: dict[str, Any]) -> str:
    """Where the health check's script is in the image: node resolves it against the working directory, the
    container's own or else the image's WORKDIR."""
    command = app["healthCheck"]["command"]
    assert command[:2] == ["CMD", "node"] and len(command) == 3, command
    return posixpath.join(app.get("workingDirectory") or image_layout()[0], command[2])


def test_container_health_check_script_is_in_the_image(deployed):
    path = script_in_image(deployed["app"])
    source = context_file(path)
    assert source, f"no COPY in app/Dockerfile puts anything at {path}"
    assert source in _build_context_files(APP_DIR), (path, source)


def test_image_health_check_runs_the_same_command_as_the_task(deployed):
    (healthcheck,) = [rest for keyword, rest in final_stage() if keyword == "HEALTHCHECK"]
    _, _, exec_form = healthcheck.partition(" CMD ")
    assert ["CMD", *json.loads(exec_form)] == deployed["app"]["healthCheck"]["command"]


# --- the container health check, run ---------------------------------------------------------------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Answers 200 to any GET and records the path asked for."""

    paths: list[str] = []

    def do_GET(self) -> None:
        type(self).paths.append(self.path)
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def health_check_request(app: dict[str, Any]) -> list[str]:
    """Run the container's health check script (from the build context, where the image has it) with node
    against a local server that answers 200; the paths it requested."""
    source = context_file(script_in_image(app))
    assert source, "the image has no health-check script"
    _Recorder.paths = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        proc = subprocess.run([node_binary(), str(APP_DIR / source)], cwd=APP_DIR, text=True,
                              capture_output=True, timeout=30, env={"PORT": str(server.server_address[1])})
    finally:
        server.shutdown()
        server.server_close()
    assert proc.returncode == 0, proc.stderr
    return _Recorder.paths


def test_container_health_check_requests_a_route_the_app_serves(deployed):
    paths = health_check_request(deployed["app"])
    assert len(paths) == 1 and serves(paths[0]), paths
