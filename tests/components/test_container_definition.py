"""The container definition helper, checked against botocore's own ECS service model."""

from __future__ import annotations

import copy

import pytest
from botocore.exceptions import ParamValidationError
from botocore.loaders import Loader
from botocore.model import ServiceModel
from botocore.validate import ParamValidator

from components.task import APP_USER, MIGRATE_COMMAND, STOP_TIMEOUT, _container_definitions
from components.service import DEREGISTRATION_DELAY

SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-abc-XyZ"


def definitions(**changes):
    args = dict(
        image="123456789012.dkr.ecr.us-east-1.amazonaws.com/app:sha-abc", port=8080, log_group="/ecs/app",
        region="us-east-1", db_host="db.example.internal", db_port=3306, db_name="app",
        db_secret_arn=SECRET_ARN, db_pool_size=10, run_migrations=False, log_level="info",
    )
    args.update(changes)
    return _container_definitions(**args)


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


def test_container_runs_as_numeric_non_root_user():
    assert definitions()[0]["user"] == APP_USER == "1000:1000"


def test_container_has_read_only_root_filesystem_with_writable_tmp():
    app = definitions()[0]
    assert app["readonlyRootFilesystem"] is True
    assert app["mountPoints"] == [{"sourceVolume": "tmp", "containerPath": "/tmp", "readOnly": False}]


def test_container_is_not_privileged_and_drops_all_capabilities():
    app = definitions()[0]
    assert app["privileged"] is False
    assert app["linuxParameters"]["capabilities"] == {"drop": ["ALL"]}


def test_container_runs_an_init_process():
    assert definitions()[0]["linuxParameters"]["initProcessEnabled"] is True


def test_container_listens_on_the_configured_port():
    app = definitions(port=9090)[0]
    assert app["portMappings"] == [{"name": "http", "containerPort": 9090, "hostPort": 9090, "protocol": "tcp",
                                    "appProtocol": "http"}]
    assert {"name": "PORT", "value": "9090"} in app["environment"]


def test_container_health_check_runs_the_node_script():
    assert definitions()[0]["healthCheck"]["command"] == ["CMD", "node", "src/healthcheck.js"]


def test_stop_timeout_exceeds_deregistration_delay_and_fits_fargate():
    assert DEREGISTRATION_DELAY < definitions()[0]["stopTimeout"] == STOP_TIMEOUT <= 120


def test_container_logs_through_awslogs():
    log = definitions()[0]["logConfiguration"]
    assert log["logDriver"] == "awslogs"
    assert log["options"]["awslogs-group"] == "/ecs/app"
    assert log["options"]["awslogs-region"] == "us-east-1"


def test_db_credentials_come_from_the_rds_secret_json_keys():
    assert definitions()[0]["secrets"] == [
        {"name": "DB_PASSWORD", "valueFrom": f"{SECRET_ARN}:password::"},
        {"name": "DB_USER", "valueFrom": f"{SECRET_ARN}:username::"},
    ]


def test_db_location_is_plain_environment():
    env = {e["name"]: e["value"] for e in definitions()[0]["environment"]}
    assert env["DB_HOST"] == "db.example.internal"
    assert env["DB_PORT"] == "3306"
    assert env["DB_NAME"] == "app"
    assert env["DB_TLS"] == "true"


def test_environment_holds_no_secret_names():
    names = {e["name"] for e in definitions()[0]["environment"]}
    assert not {n for n in names if any(word in n for word in ("PASSWORD", "SECRET", "TOKEN", "USER"))}


def test_runtime_settings_reach_the_app():
    env = {e["name"]: e["value"] for e in definitions(run_migrations=True, log_level="debug",
                                                       db_pool_size=5)[0]["environment"]}
    assert (env["RUN_MIGRATIONS"], env["LOG_LEVEL"], env["DB_POOL_SIZE"]) == ("true", "debug", "5")


def test_exec_adds_writable_agent_paths_only_when_enabled():
    paths = {m["containerPath"] for m in definitions(enable_execute_command=True)[0]["mountPoints"]}
    assert paths == {"/tmp", "/managed-agents", "/var/lib/amazon/ssm", "/var/log/amazon/ssm"}


def test_migrate_command_runs_the_node_script():
    assert MIGRATE_COMMAND == ["node", "src/migrate.js"]


def test_bad_log_level_is_rejected():
    with pytest.raises(ValueError, match="log_level='loud': allowed values are trace, debug"):
        definitions(log_level="loud")
