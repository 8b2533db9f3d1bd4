"""__main__.py under each stack file: the full resource family, and the differences between stacks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from offline.fakes import PROGRAM_INVOKES
from tests.mocks import StrictMocks, UnknownInvokeError, run_main

STACKS = ("dev", "staging", "prod")

FAMILY = {
    "aws:ecs/cluster:Cluster": 1,
    "aws:ecr/repository:Repository": 1,
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": 1,
    "aws:ecs/taskDefinition:TaskDefinition": 1,
    "aws:ecs/service:Service": 1,
    "aws:lb/loadBalancer:LoadBalancer": 1,
    "aws:lb/listener:Listener": 1,
    "aws:lb/targetGroup:TargetGroup": 1,
    "aws:appautoscaling/target:Target": 1,
    "aws:appautoscaling/policy:Policy": 2,
    "aws:ec2/securityGroup:SecurityGroup": 3,
    "aws:rds/instance:Instance": 1,
    "aws:rds/subnetGroup:SubnetGroup": 1,
    "aws:rds/parameterGroup:ParameterGroup": 1,
    "aws:cloudwatch/logGroup:LogGroup": 3,
    "aws:iam/role:Role": 3,
    "awsx:ec2:Vpc": 1,
    "docker:index/image:Image": 1,
    "aws:ec2/flowLog:FlowLog": 1,
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": 1,
    "aws:kms/key:Key": 1,
    "aws:ec2/vpcEndpoint:VpcEndpoint": 1,
}
#: Stacks that serve HTTPS on a domain (staging and prod, with the offline example domain) add these.
DOMAIN_FAMILY = {
    "aws:acm/certificate:Certificate": 1,
    "aws:acm/certificateValidation:CertificateValidation": 1,
    "aws:route53/record:Record": 2,
}


def one(run, typ):
    return run.one(typ).inputs


def container(run, name="app"):
    definitions = json.loads(one(run, "aws:ecs/taskDefinition:TaskDefinition")["containerDefinitions"])
    (definition,) = [d for d in definitions if d["name"] == name]
    return definition


@pytest.mark.parametrize("stack", STACKS)
def test_stack_registers_the_full_resource_family(stack_run, stack):
    family = {**FAMILY, **(DOMAIN_FAMILY if stack != "dev" else {})}
    counts = {typ: len(stack_run(stack).all(typ)) for typ in family}
    assert {typ: n for typ, n in counts.items() if n < family[typ]} == {}


@pytest.mark.parametrize("stack", STACKS)
def test_stack_exports_the_contract_outputs(stack_run, stack):
    outputs = stack_run(stack).outputs
    for key in ("url", "albDnsName", "repositoryUrl", "imageRef", "clusterName", "serviceName", "dbEndpoint",
                "dbSecretArn", "logGroupName", "migrateCommand"):
        assert outputs.get(key), key
    assert re.match(r"^arn:aws:secretsmanager:[a-z0-9-]+:\d{12}:secret:", outputs["dbSecretArn"])
    assert outputs["imageRef"].startswith(outputs["repositoryUrl"] + ":sha-")
    assert outputs["logGroupName"] == f"/ecs/webservice-{stack}"


@pytest.mark.parametrize("stack", STACKS)
def test_stack_calls_only_the_documented_invokes(stack_run, stack):
    assert {c.token for c in stack_run(stack).calls} <= set(PROGRAM_INVOKES)


def test_access_log_lookup_happens_only_with_access_logs(stack_run):
    tokens = {stack: {c.token for c in stack_run(stack).calls} for stack in STACKS}
    assert "aws:elb/getServiceAccount:getServiceAccount" not in tokens["dev"]
    assert "aws:elb/getServiceAccount:getServiceAccount" in tokens["prod"]


@pytest.mark.parametrize("stack", STACKS)
def test_components_use_project_type_tokens_and_own_their_children(stack_run, stack):
    run = stack_run(stack)
    components = [r for r in run.registrations if r.type.startswith("webservice:")]
    assert {r.type for r in components} == {
        "webservice:keys:Encryption", "webservice:network:Network", "webservice:registry:Registry",
        "webservice:cluster:Cluster", "webservice:database:Database", "webservice:task:Task",
        "webservice:service:Service", "webservice:monitoring:Notifications", "webservice:monitoring:Monitoring"}
    component_urns = {r.urn for r in components}
    orphans = [r.name for r in run.registrations if r not in components and r.parent not in component_urns]
    assert orphans == []


@pytest.mark.parametrize("stack", STACKS)
def test_every_taggable_resource_carries_the_stack_tags(stack_run, stack):
    untagged = []
    for r in stack_run(stack).registrations:
        if r.custom and "tags" in r.inputs:
            if r.inputs["tags"].get("stack") != stack or r.inputs["tags"].get("project") != "webservice":
                untagged.append(r.name)
    assert untagged == []
    assert one(stack_run(stack), "aws:ecs/service:Service")["tags"]["stack"] == stack


def test_task_size_differs_per_stack(stack_run):
    sizes = {s: (one(stack_run(s), "aws:ecs/taskDefinition:TaskDefinition")["cpu"],
                 one(stack_run(s), "aws:ecs/taskDefinition:TaskDefinition")["memory"]) for s in STACKS}
    assert sizes == {"dev": ("256", "512"), "staging": ("512", "1024"), "prod": ("1024", "2048")}


def test_task_counts_differ_per_stack(stack_run):
    counts = {}
    for s in STACKS:
        target = one(stack_run(s), "aws:appautoscaling/target:Target")
        counts[s] = (one(stack_run(s), "aws:ecs/service:Service")["desiredCount"], target["minCapacity"],
                     target["maxCapacity"])
    assert counts == {"dev": (1, 1, 2), "staging": (2, 2, 4), "prod": (3, 3, 12)}


def test_spot_share_differs_per_stack(stack_run):
    strategy = {s: [(p["capacityProvider"], p["weight"]) for p in
                    one(stack_run(s), "aws:ecs/service:Service")["capacityProviderStrategies"]] for s in STACKS}
    assert strategy["dev"] == [("FARGATE_SPOT", 1)]
    assert strategy["staging"] == [("FARGATE", 1), ("FARGATE_SPOT", 1)]
    assert strategy["prod"] == [("FARGATE", 1)]


@pytest.mark.parametrize("stack", STACKS)
def test_architecture_defaults_to_arm64_for_task_and_image(stack_run, stack):
    run = stack_run(stack)
    assert one(run, "aws:ecs/taskDefinition:TaskDefinition")["runtimePlatform"]["cpuArchitecture"] == "ARM64"
    assert one(run, "docker:index/image:Image")["build"]["platform"] == "linux/arm64"


def test_architecture_override_switches_task_and_image(run_stack):
    run = run_stack("dev", overrides={"webservice:architecture": "X86_64"})
    assert one(run, "aws:ecs/taskDefinition:TaskDefinition")["runtimePlatform"]["cpuArchitecture"] == "X86_64"
    assert one(run, "docker:index/image:Image")["build"]["platform"] == "linux/amd64"


def test_nat_and_azs_differ_per_stack(stack_run):
    vpcs = {s: one(stack_run(s), "awsx:ec2:Vpc") for s in STACKS}
    assert (vpcs["dev"]["natGateways"]["strategy"], vpcs["dev"]["numberOfAvailabilityZones"]) == ("Single", 2)
    assert (vpcs["prod"]["natGateways"]["strategy"], vpcs["prod"]["numberOfAvailabilityZones"]) == ("OnePerAz", 3)
    assert vpcs["staging"]["numberOfAvailabilityZones"] >= 2


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_service_spans_at_least_two_azs_outside_dev(stack_run, stack):
    subnets = one(stack_run(stack), "aws:ecs/service:Service")["networkConfiguration"]["subnets"]
    assert len(subnets) >= 2


def test_database_differs_per_stack(stack_run):
    dev, prod = one(stack_run("dev"), "aws:rds/instance:Instance"), one(stack_run("prod"), "aws:rds/instance:Instance")
    assert dev["instanceClass"] == "db.t4g.micro"
    assert re.match(r"^db\.m\d+g\.", prod["instanceClass"])  # Graviton general purpose
    assert (dev["multiAz"], prod["multiAz"]) == (False, True)
    assert one(stack_run("staging"), "aws:rds/instance:Instance")["multiAz"] is False
    assert dev["backupRetentionPeriod"] < 7 <= prod["backupRetentionPeriod"]
    assert (dev["deletionProtection"], prod["deletionProtection"]) == (False, True)
    assert (dev["skipFinalSnapshot"], prod["skipFinalSnapshot"]) == (True, False)
    assert (dev["performanceInsightsEnabled"], prod["performanceInsightsEnabled"]) == (False, True)


def test_log_retention_differs_per_stack(stack_run):
    retention = {s: {g.inputs["retentionInDays"] for g in stack_run(s).all("aws:cloudwatch/logGroup:LogGroup")}
                 for s in STACKS}
    assert retention["dev"] == {7}
    assert retention["prod"] == {365}


def test_https_is_required_in_prod_and_optional_in_dev(stack_run):
    prod = stack_run("prod")
    prod_listeners = {lis.inputs["protocol"]: lis for lis in prod.all("aws:lb/listener:Listener")}
    dev_listeners = {lis.inputs["protocol"]: lis.inputs for lis in stack_run("dev").all("aws:lb/listener:Listener")}
    validation = prod.one("aws:acm/certificateValidation:CertificateValidation")
    assert prod_listeners["HTTPS"].inputs["certificateArn"] == validation.state["certificateArn"]
    assert validation.urn in prod_listeners["HTTPS"].dependencies  # the listener waits for issuance
    assert prod_listeners["HTTP"].inputs["defaultActions"][0]["type"] == "redirect"
    assert set(dev_listeners) == {"HTTP"}


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_url_is_the_domain_over_https(stack_run, stack):
    run = stack_run(stack)
    assert run.outputs["url"] == f"https://{stack}.example.com"
    assert run.one("aws:acm/certificate:Certificate").inputs["domainName"] == f"{stack}.example.com"


def test_dev_url_is_plain_http_on_the_alb_name(stack_run):
    outputs = stack_run("dev").outputs
    assert outputs["url"] == f"http://{outputs['albDnsName']}"


def test_url_is_empty_with_a_certificate_managed_elsewhere(run_stack):
    run = run_stack("prod", overrides={
        "webservice:domainName": None, "webservice:hostedZoneName": None,
        "webservice:certificateArn": "arn:aws:acm:us-east-1:210987654320:certificate/3f2a9c1e-8b7d-4e6f"})
    assert run.outputs["url"] == ""  # which name the certificate covers is not known here
    assert run.all("aws:acm/certificate:Certificate") == [] and run.all("aws:route53/record:Record") == []
    https = next(lis for lis in run.all("aws:lb/listener:Listener") if lis.inputs["protocol"] == "HTTPS")
    assert https.inputs["certificateArn"].endswith("certificate/3f2a9c1e-8b7d-4e6f")


def test_hosted_zone_is_looked_up_by_name_only_without_an_id(stack_run, run_stack):
    from offline import fakes
    from tests.mocks import REGION
    looked_up = [c.args for c in stack_run("prod").calls if c.token == "aws:route53/getZone:getZone"]
    assert looked_up == [{"name": "example.com", "privateZone": False}]
    alias = stack_run("prod").get("aws:route53/record:Record", "webservice-prod-alias-a").inputs
    zone = fakes.invoke("aws:route53/getZone:getZone", {"name": "example.com"}, REGION)
    assert alias["zoneId"] == zone["zoneId"] and alias["type"] == "A"
    with_id = run_stack("prod", overrides={"webservice:hostedZoneId": "Z0GIVENZONE"})
    assert "aws:route53/getZone:getZone" not in {c.token for c in with_id.calls}
    assert {r.inputs["zoneId"] for r in with_id.all("aws:route53/record:Record")} == {"Z0GIVENZONE"}


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_committed_stack_file_stops_a_real_deploy_at_settings(stack):
    """What a fresh clone's real `pulumi up` reads: no example values. It must stop before any resource,
    naming the keys to set."""
    mocks = StrictMocks()
    with pytest.raises(ValueError) as raised:
        run_main(stack, mocks=mocks, examples=False)
    message = str(raised.value)
    assert f"stack {stack!r} serves HTTPS only" in message
    assert all(key in message for key in ("domainName", "hostedZoneId", "certificateArn", "allowHttp"))
    assert mocks.created == [] and mocks.calls == []


def test_committed_stack_files_hold_no_example_or_placeholder_values():
    from tests.mocks import ROOT
    for stack in STACKS:
        text = (ROOT / f"Pulumi.{stack}.yaml").read_text()
        config_lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
        assert not any(marker in line for line in config_lines
                       for marker in ("example.com", "111122223333", "123456789012", "certificate/0000"))


def test_a_new_stack_that_allows_http_deploys_without_certificate():
    run = run_main("qa", config_of="staging", examples=False, overrides={"webservice:allowHttp": "true"})
    assert {lis.inputs["protocol"] for lis in run.all("aws:lb/listener:Listener")} == {"HTTP"}
    assert run.outputs["url"].startswith("http://")
    with pytest.raises(ValueError, match="stack 'qa' serves HTTPS only"):
        run_main("qa", config_of="staging", examples=False)


def test_alb_protection_and_access_logs_differ_per_stack(stack_run):
    dev = one(stack_run("dev"), "aws:lb/loadBalancer:LoadBalancer")
    prod = one(stack_run("prod"), "aws:lb/loadBalancer:LoadBalancer")
    assert (dev["enableDeletionProtection"], prod["enableDeletionProtection"]) == (False, True)
    assert "accessLogs" not in dev and prod["accessLogs"]["enabled"] is True


def test_exec_is_enabled_in_dev_only(stack_run):
    flags = {s: one(stack_run(s), "aws:ecs/service:Service")["enableExecuteCommand"] for s in STACKS}
    assert flags == {"dev": True, "staging": False, "prod": False}


def environment(definition):
    return {e["name"]: e["value"] for e in definition["environment"]}


@pytest.mark.parametrize("stack", STACKS)
def test_every_task_migrates_first_then_starts_the_app(stack_run, stack):
    run = stack_run(stack)
    assert container(run, "migrate")["command"] == ["node", "src/migrate.js"]
    assert container(run)["dependsOn"] == [{"containerName": "migrate", "condition": "SUCCESS"}]


@pytest.mark.parametrize("stack", STACKS)
def test_container_db_settings_point_at_the_stack_database(stack_run, stack):
    run = stack_run(stack)
    for name in ("app", "migrate"):
        env = environment(container(run, name))
        assert env["DB_HOST"] == run.one("aws:rds/instance:Instance").state["address"]
        assert env["DB_PORT"] == "3306" and env["DB_AUTH"] == "iam"
    assert environment(container(run))["PORT"] == "8080"
    assert {s["valueFrom"] for s in container(run, "migrate")["secrets"]} == {
        f"{run.outputs['dbSecretArn']}:username::", f"{run.outputs['dbSecretArn']}:password::"}
    assert "secrets" not in container(run)


@pytest.mark.parametrize("stack", STACKS)
def test_app_connects_as_the_configured_app_user_which_alone_the_task_role_may_be(stack_run, stack):
    run = stack_run(stack)
    assert environment(container(run))["DB_USER"] == environment(container(run, "migrate"))["DB_APP_USER"] == "app"
    resource_id = run.one("aws:rds/instance:Instance").state["resourceId"]
    connect = [json.loads(p.inputs["policy"]) for p in run.all("aws:iam/policy:Policy")
               if "rds-db:" in p.inputs["policy"]]
    assert [s["Resource"] for doc in connect for s in doc["Statement"]] == [
        f"arn:aws:rds-db:us-east-1:123456789012:dbuser:{resource_id}/app"]


def test_app_user_comes_from_config(run_stack):
    run = run_stack("staging", overrides={"webservice:dbAppUsername": "orders_rw"})
    assert environment(container(run))["DB_USER"] == "orders_rw"
    resources = [s["Resource"] for p in run.all("aws:iam/policy:Policy")
                 for s in json.loads(p.inputs["policy"])["Statement"] if s["Action"] == "rds-db:connect"]
    assert [r.rsplit("/", 1)[1] for r in resources] == ["orders_rw"]


@pytest.mark.parametrize("stack", STACKS)
def test_database_is_mysql_84_without_paid_extended_support(stack_run, stack):
    run = stack_run(stack)
    db = one(run, "aws:rds/instance:Instance")
    assert db["engineVersion"] == "8.4"
    assert db["engineLifecycleSupport"] == "open-source-rds-extended-support-disabled"
    assert one(run, "aws:rds/parameterGroup:ParameterGroup")["family"] == "mysql8.4"


def test_only_the_deletion_protected_prod_db_is_protected(stack_run):
    protected = {s: stack_run(s).one("aws:rds/instance:Instance").protect for s in STACKS}
    assert protected == {"dev": False, "staging": False, "prod": True}


def test_the_key_outlives_the_stack_wherever_a_final_snapshot_is_taken(stack_run):
    retained = {s: stack_run(s).one("aws:kms/key:Key").retain_on_delete for s in STACKS}
    snapshots = {s: not one(stack_run(s), "aws:rds/instance:Instance")["skipFinalSnapshot"] for s in STACKS}
    assert retained == snapshots == {"dev": False, "staging": True, "prod": True}


@pytest.mark.parametrize("stack", STACKS)
def test_migrate_command_runs_the_deployed_task_with_an_app_container_that_exits_at_once(stack_run, stack):
    command = stack_run(stack).outputs["migrateCommand"]
    assert command.startswith("aws ecs run-task --region us-east-1 --cluster ")
    assert f"--task-definition webservice-{stack} " in command
    assert command.endswith("""--overrides '{"containerOverrides":[{"name":"app","command":["node","-e",""]}]}'""")


def test_an_undeclared_key_fails_before_any_resource():
    mocks = StrictMocks()
    with pytest.raises(ValueError, match="certficateArn: not a key of this project"):
        run_main("prod", overrides={"webservice:certficateArn": "x"}, mocks=mocks)
    assert mocks.created == [] and mocks.calls == []


def test_with_a_digest_no_image_is_built_and_the_task_runs_the_digest(run_stack):
    digest = "sha256:" + "89abcdef01234567" * 4
    run = run_stack("prod", overrides={"webservice:imageDigest": digest})
    assert run.all("docker:index/image:Image") == []
    assert container(run)["image"] == f"{run.outputs['repositoryUrl']}@{digest}"
    assert run.outputs["imageRef"] == container(run)["image"] and run.outputs["imageVersion"] == digest
    repository = run.one("aws:ecr/repository:Repository")
    assert repository.urn in run.one("aws:ecs/taskDefinition:TaskDefinition").dependencies
    assert "aws:ecr/getAuthorizationToken:getAuthorizationToken" not in {c.token for c in run.calls}
    # Both containers run the digest, and the app reports it, so the smoke test can wait for this release.
    assert container(run, "migrate")["image"] == container(run)["image"]
    assert environment(container(run))["APP_VERSION"] == digest


def test_without_a_digest_the_stack_builds_its_image(stack_run):
    run = stack_run("dev")
    image = run.one("docker:index/image:Image")
    assert container(run)["image"] == image.inputs["imageName"] == run.outputs["imageRef"]
    assert run.outputs["imageVersion"] == run.outputs["imageRef"].rsplit(":", 1)[1]
    assert environment(container(run))["APP_VERSION"] == run.outputs["imageVersion"]


def test_unknown_invokes_fail_the_run():
    with pytest.raises(UnknownInvokeError, match="unexpected invoke aws:index/getCallerIdentity:getCallerIdentity"):
        run_main("dev", mocks=StrictMocks(invokes={}))


def test_stack_files_hold_only_declared_keys_that_differ_from_defaults():
    import yaml
    from tests.mocks import ROOT
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["config"]
    for stack in STACKS:
        values = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
        for key, value in values.items():
            namespace, _, name = key.partition(":")
            if namespace == "aws":
                assert name == "region"
                continue
            assert namespace == "webservice" and name in project, key
            assert value != project[name].get("default"), f"{stack}: {key} repeats the default"


def test_every_declared_key_has_type_and_description():
    import yaml
    from tests.mocks import ROOT
    for key, spec in yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["config"].items():
        assert spec.get("type") in ("string", "integer", "boolean", "array") and spec.get("description"), key
        assert spec["type"] != "array" or spec.get("items", {}).get("type") == "string", key


class _RebuildPreviewMocks(StrictMocks):
    """A PR preview against an existing stack: the image is being rebuilt, so it reports no outputs yet."""

    def new_resource(self, args):
        resource_id, state = super().new_resource(args)
        if args.typ == "docker:index/image:Image":
            return resource_id, {}
        return resource_id, state


def test_container_definitions_are_known_in_preview_while_the_image_rebuilds():
    run = run_main("prod", mocks=_RebuildPreviewMocks(), preview=True)
    definitions = run.one("aws:ecs/taskDefinition:TaskDefinition").inputs["containerDefinitions"]
    for definition in json.loads(definitions):  # a plain string: the policy pack can read every field
        assert definition["user"] == "1000:1000" and definition["readonlyRootFilesystem"] is True
        assert re.search(r":sha-[0-9a-f]{20}$", definition["image"])


def test_documented_invokes_are_exactly_the_ones_the_stacks_call(stack_run):
    from offline import fakes

    called = {c.token for stack in STACKS for c in stack_run(stack).calls}
    assert called == set(PROGRAM_INVOKES)  # the example domain of staging and prod names its zone: getZone
    source = Path(fakes.__file__).read_text()
    assert all(f"``{token}``" in source for token in PROGRAM_INVOKES)  # each says who calls it, and when


def test_a_stack_file_value_of_the_wrong_type_fails_the_run_as_the_cli_would(tmp_path, monkeypatch):
    """The stack tests read stack files with the offline preview's reader: YAML 1.2 booleans and the declared
    types, as the CLI reads them. ``no`` is not a boolean there (a YAML 1.1 reader would take it for false)."""
    import tests.mocks
    from offline.stackconfig import ConfigError

    (tmp_path / "Pulumi.yaml").write_text((tests.mocks.ROOT / "Pulumi.yaml").read_text())
    stack_file = (tests.mocks.ROOT / "Pulumi.dev.yaml").read_text()
    assert "webservice:albAccessLogs: false\n" in stack_file
    (tmp_path / "Pulumi.dev.yaml").write_text(stack_file.replace("albAccessLogs: false", "albAccessLogs: no"))
    monkeypatch.setattr(tests.mocks, "ROOT", tmp_path)
    mocks = StrictMocks()
    with pytest.raises(ConfigError, match="configuration key 'albAccessLogs' must be of type 'boolean'"):
        run_main("dev", mocks=mocks)
    assert mocks.created == [] and mocks.calls == []


def test_a_resource_type_the_fake_cloud_does_not_know_fails_the_run(run):
    import pulumi_aws as aws

    from offline.fakes import UnknownResourceType

    with pytest.raises(UnknownResourceType, match="'aws:sqs/queue:Queue'"):
        run(lambda: aws.sqs.Queue("jobs"))
