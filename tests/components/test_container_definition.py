"""The container definitions helper (app + migrate), checked against botocore's own ECS service model."""

from __future__ import annotations

import copy

import pytest
from botocore.exceptions import ParamValidationError
from botocore.loaders import Loader
from botocore.model import ServiceModel
from botocore.validate import ParamValidator

from components.task import APP_USER, MIGRATE_COMMAND, NO_OP_COMMAND, STOP_TIMEOUT, _container_definitions
from components.service import DEREGISTRATION_DELAY

SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-abc-XyZ"


def definitions(**changes):
    args = dict(
        image="123456789012.dkr.ecr.us-east-1.amazonaws.com/app:sha-abc", port=8080, log_group="/ecs/app",
        region="us-east-1", db_host="db.example.internal", db_port=3306, db_name="app",
        db_secret_arn=SECRET_ARN, db_app_user="app", db_pool_size=10, log_level="info", app_version="sha-abc",
    )
    args.update(changes)
    return _container_definitions(**args)


def app(**changes):
    app_container, _ = definitions(**changes)
    assert app_container["name"] == "app"
    return app_container


def migrate(**changes):
    _, migrate_container = definitions(**changes)
    assert migrate_container["name"] == "migrate"
    return migrate_container


def env(container):
    return {e["name"]: e["value"] for e in container["environment"]}


BOTH = pytest.mark.parametrize("container", [app, migrate], ids=["app", "migrate"])


@pytest.fixture(scope="module")
def container_shape():
    model = ServiceModel(Loader().load_service_model("ecs", "service-2"), service_name="ecs")
    return model.operation_model("RegisterTaskDefinition").input_shape.members["containerDefinitions"].member


def validate(shape, definition):
    report = ParamValidator().validate(definition, shape)
    if report.has_errors():
        raise ParamValidationError(report=report.generate_report())


def test_container_definition_matches_the_ecs_model(container_shape):
    assert container_shape.name == "ContainerDefinition"
    for definition in definitions() + definitions(enable_execute_command=True):
        validate(container_shape, definition)


def test_validator_catches_a_misspelled_key(container_shape):
    definition = copy.deepcopy(definitions()[0])
    definition["readOnlyRootFilesystem"] = definition.pop("readonlyRootFilesystem")
    with pytest.raises(ParamValidationError, match="readOnlyRootFilesystem"):
        validate(container_shape, definition)


def test_validator_catches_a_wrong_type(container_shape):
    definition = copy.deepcopy(definitions()[0])
    definition["stopTimeout"] = "30"
    with pytest.raises(ParamValidationError, match="stopTimeout"):
        validate(container_shape, definition)


@BOTH
def test_container_runs_as_numeric_non_root_user(container):
    assert container()["user"] == APP_USER == "1000:1000"


@BOTH
def test_container_has_read_only_root_filesystem_with_writable_tmp(container):
    definition = container()
    assert definition["readonlyRootFilesystem"] is True
    assert definition["mountPoints"] == [{"sourceVolume": "tmp", "containerPath": "/tmp", "readOnly": False}]


@BOTH
def test_container_is_not_privileged_and_drops_all_capabilities(container):
    definition = container()
    assert definition["privileged"] is False
    assert definition["linuxParameters"]["capabilities"] == {"drop": ["ALL"]}


@BOTH
def test_container_runs_an_init_process(container):
    assert container()["linuxParameters"]["initProcessEnabled"] is True


@BOTH
def test_both_containers_run_the_same_image(container):
    assert container()["image"] == "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:sha-abc"


def test_app_starts_only_after_migrate_exits_0():
    assert app()["dependsOn"] == [{"containerName": "migrate", "condition": "SUCCESS"}]
    assert app()["essential"] is True


def test_migrate_is_not_essential_and_runs_the_migrate_script():
    # ECS requires a container that others wait on for SUCCESS to be non-essential.
    assert migrate()["essential"] is False
    assert migrate()["command"] == MIGRATE_COMMAND == ["node", "src/migrate.js"]
    assert "portMappings" not in migrate() and "healthCheck" not in migrate()


def test_container_listens_on_the_configured_port():
    app_container = app(port=9090)
    assert app_container["portMappings"] == [{"name": "http", "containerPort": 9090, "hostPort": 9090, "protocol": "tcp",
                                    "appProtocol": "http"}]
    assert {"name": "PORT", "value": "9090"} in app_container["environment"]


def test_container_health_check_runs_the_node_script():
    assert app()["healthCheck"]["command"] == ["CMD", "node", "src/healthcheck.js"]


def test_stop_timeout_exceeds_deregistration_delay_and_fits_fargate():
    assert DEREGISTRATION_DELAY < app()["stopTimeout"] == STOP_TIMEOUT <= 120


@BOTH
def test_container_logs_through_awslogs_under_its_own_stream_prefix(container):
    log = container()["logConfiguration"]
    assert log["logDriver"] == "awslogs"
    assert log["options"]["awslogs-group"] == "/ecs/app"
    assert log["options"]["awslogs-region"] == "us-east-1"
    assert log["options"]["awslogs-stream-prefix"] == container()["name"]


def test_master_secret_reaches_only_the_migrate_container():
    # ECS resolves `secrets` at every container start, so each new task's migrate run has the rotated password.
    assert migrate()["secrets"] == [
        {"name": "DB_ADMIN_PASSWORD", "valueFrom": f"{SECRET_ARN}:password::"},
        {"name": "DB_ADMIN_USER", "valueFrom": f"{SECRET_ARN}:username::"},
    ]
    assert "secrets" not in app()
    assert SECRET_ARN not in str(app())


def test_app_connects_as_its_own_user_with_iam_auth_and_no_password():
    app_env = env(app())
    assert (app_env["DB_USER"], app_env["DB_AUTH"], app_env["AWS_REGION"]) == ("app", "iam", "us-east-1")
    assert not {name for name in app_env if "PASSWORD" in name or "SECRET" in name or "TOKEN" in name}


def test_migrate_creates_the_app_user_for_iam_auth():
    migrate_env = env(migrate())
    assert (migrate_env["DB_APP_USER"], migrate_env["DB_AUTH"]) == ("app", "iam")
    assert "DB_APP_PASSWORD" not in migrate_env and "DB_PASSWORD" not in migrate_env


@BOTH
def test_db_location_is_plain_environment(container):
    container_env = env(container())
    assert container_env["DB_HOST"] == "db.example.internal"
    assert container_env["DB_PORT"] == "3306"
    assert container_env["DB_NAME"] == "app"
    assert container_env["DB_TLS"] == "true"


def test_runtime_settings_reach_the_app():
    app_env = env(app(log_level="debug", db_pool_size=5, app_version="sha256:" + "a" * 64))
    assert (app_env["LOG_LEVEL"], app_env["DB_POOL_SIZE"]) == ("debug", "5")
    assert app_env["APP_VERSION"] == "sha256:" + "a" * 64
    assert "RUN_MIGRATIONS" not in app_env  # the app user cannot run DDL: only the migrate container migrates


@BOTH
def test_exec_adds_writable_agent_paths_only_when_enabled(container):
    paths = {m["containerPath"] for m in container(enable_execute_command=True)["mountPoints"]}
    assert paths == {"/tmp", "/managed-agents", "/var/lib/amazon/ssm", "/var/log/amazon/ssm"}


def test_no_op_command_exits_without_serving():
    # migrateCommand overrides the app container with it; `node -e ""` exits 0 without reading anything.
    assert NO_OP_COMMAND == ["node", "-e", ""]
