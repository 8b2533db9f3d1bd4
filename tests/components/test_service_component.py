"""Service component: ALB, listeners, security groups, target group, ECS service, alarms, autoscaling."""

from __future__ import annotations

import json

import pulumi_aws as aws
import pytest

from components.service import DEREGISTRATION_DELAY, HEALTH_CHECK_GRACE_PERIOD, Service, ServiceArgs, \
    _capacity_provider_strategy, _steady_state_timeout_minutes
from components.task import STOP_TIMEOUT

CERT = "arn:aws:acm:us-east-1:210987654320:certificate/3f2a9c1e-8b7d-4e6f-9a1b-2c3d4e5f6a7b"
BASE = dict(
    vpc_id="vpc-1", public_subnet_ids=["pub-a", "pub-b"], private_subnet_ids=["priv-a", "priv-b"],
    cluster_arn="arn:aws:ecs:us-east-1:123456789012:cluster/c", cluster_name="c",
    task_definition_arn="arn:aws:ecs:us-east-1:123456789012:task-definition/t:1", container_port=8080,
    db_security_group_id="sg-db", db_port=3306, desired_count=2, min_count=2, max_count=4, spot_percent=50,
    cpu_target_percent=60, requests_per_target=1000, certificate_arn=CERT, access_logs=True,
    deletion_protection=True, enable_execute_command=False, log_retention_days=90,
    account_id="123456789012", region="us-east-1", tags={"project": "webservice"},
)


def build(run, **changes):
    def program():
        providers = aws.ecs.ClusterCapacityProviders("cp", cluster_name="c", capacity_providers=["FARGATE"])
        Service("svc", ServiceArgs(capacity_providers=providers, **{**BASE, **changes}))
    return run(program)


@pytest.fixture
def https(run):
    return build(run)


@pytest.fixture
def domain(run):
    return build(run, certificate_arn="", domain_name="app.example.com", hosted_zone_id="Z0TESTZONE")


@pytest.fixture
def http_only(run):
    return build(run, certificate_arn="", access_logs=False, deletion_protection=False)


def rules(result, kind):
    return {r.name: r.inputs for r in result.all(f"aws:vpc/securityGroup{kind}Rule:SecurityGroup{kind}Rule")}


def group_id(result, name):
    """The id the fake cloud gave a security group."""
    return result.get("aws:ec2/securityGroup:SecurityGroup", name).id


def test_service_has_no_public_ip(https):
    network = https.get("aws:ecs/service:Service", "svc-service").inputs["networkConfiguration"]
    assert network["assignPublicIp"] is False
    assert network["subnets"] == ["priv-a", "priv-b"]


def test_service_runs_on_latest_platform_version(https):
    assert https.get("aws:ecs/service:Service", "svc-service").inputs["platformVersion"] == "LATEST"


def test_service_rolls_out_at_100_200_with_circuit_breaker_rollback(https):
    service = https.get("aws:ecs/service:Service", "svc-service").inputs
    assert (service["deploymentMinimumHealthyPercent"], service["deploymentMaximumPercent"]) == (100, 200)
    assert service["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}


def test_service_rolls_back_on_5xx_and_cpu_alarms(https):
    alarms = https.get("aws:ecs/service:Service", "svc-service").inputs["alarms"]
    five_xx = https.get("aws:cloudwatch/metricAlarm:MetricAlarm", "svc-5xx-alarm")
    cpu = https.get("aws:cloudwatch/metricAlarm:MetricAlarm", "svc-cpu-alarm")
    assert alarms["enable"] is True and alarms["rollback"] is True
    assert alarms["alarmNames"] == [five_xx.state["name"], cpu.state["name"]]
    assert five_xx.inputs["metricName"] == "HTTPCode_Target_5XX_Count"
    assert cpu.inputs["metricName"] == "CPUUtilization"


def test_service_ignores_desired_count_after_creation(https):
    assert https.get("aws:ecs/service:Service", "svc-service").ignore_changes == ["desiredCount"]


def test_up_waits_for_steady_state_with_circuit_breaker_rollback_on(https):
    service = https.one("aws:ecs/service:Service")
    assert service.inputs["waitForSteadyState"] is True
    assert service.inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}


def test_steady_state_wait_covers_grace_deregistration_and_a_rollout(https):
    timeouts = https.one("aws:ecs/service:Service").custom_timeouts
    minutes = _steady_state_timeout_minutes()
    assert timeouts == {"create": f"{minutes}m", "update": f"{minutes}m"}
    one_rollout = 300 + HEALTH_CHECK_GRACE_PERIOD + 20 + DEREGISTRATION_DELAY + STOP_TIMEOUT
    assert minutes * 60 >= 3 * one_rollout and minutes >= 20
    assert _steady_state_timeout_minutes(task_start_seconds=900) * 60 >= 3 * (900 + 120)


def test_service_is_replaced_by_delete_then_create_because_its_name_is_fixed(https):
    service = https.one("aws:ecs/service:Service")
    assert service.inputs["name"] == "svc" and service.delete_before_replace is True


def test_service_has_health_check_grace_period(https):
    assert https.get("aws:ecs/service:Service", "svc-service").inputs["healthCheckGracePeriodSeconds"] >= 30


def test_service_waits_for_capacity_providers_and_listeners(https):
    deps = set(https.get("aws:ecs/service:Service", "svc-service").dependencies)
    assert https.get("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", "cp").urn in deps
    assert https.get("aws:lb/listener:Listener", "svc-https").urn in deps


@pytest.mark.parametrize("share, expected", [
    (0, [{"capacity_provider": "FARGATE", "weight": 1, "base": 0}]),
    (100, [{"capacity_provider": "FARGATE_SPOT", "weight": 1, "base": 0}]),
    (50, [{"capacity_provider": "FARGATE", "weight": 1, "base": 1},
          {"capacity_provider": "FARGATE_SPOT", "weight": 1, "base": 0}]),
    (75, [{"capacity_provider": "FARGATE", "weight": 1, "base": 1},
          {"capacity_provider": "FARGATE_SPOT", "weight": 3, "base": 0}]),
])
def test_capacity_provider_strategy_follows_spot_share(share, expected):
    assert _capacity_provider_strategy(share) == expected


def test_service_uses_the_spot_strategy(https):
    strategy = https.get("aws:ecs/service:Service", "svc-service").inputs["capacityProviderStrategies"]
    assert [(s["capacityProvider"], s["weight"]) for s in strategy] == [("FARGATE", 1), ("FARGATE_SPOT", 1)]


def test_alb_drops_invalid_headers_and_is_defensive(https):
    alb = https.get("aws:lb/loadBalancer:LoadBalancer", "svc-alb").inputs
    assert alb["dropInvalidHeaderFields"] is True
    assert alb["desyncMitigationMode"] == "defensive"
    assert alb["subnets"] == ["pub-a", "pub-b"]


def test_alb_access_logs_and_deletion_protection_follow_settings(https, http_only):
    on = https.get("aws:lb/loadBalancer:LoadBalancer", "svc-alb").inputs
    off = http_only.get("aws:lb/loadBalancer:LoadBalancer", "svc-alb").inputs
    assert on["enableDeletionProtection"] is True and off["enableDeletionProtection"] is False
    assert on["accessLogs"]["enabled"] is True and on["accessLogs"]["prefix"] == "alb"
    assert "accessLogs" not in off
    assert not http_only.all("aws:s3/bucket:Bucket")


def test_access_log_bucket_is_private_encrypted_and_expires(https):
    assert https.get("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "svc-alb-logs").inputs == {
        "bucket": https.get("aws:s3/bucket:Bucket", "svc-alb-logs").id, "blockPublicAcls": True, "blockPublicPolicy": True,
        "ignorePublicAcls": True, "restrictPublicBuckets": True}
    sse = https.get("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                    "svc-alb-logs").inputs
    assert sse["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"
    lifecycle = https.get("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "svc-alb-logs")
    assert lifecycle.inputs["rules"][0]["expiration"]["days"] == 90


def test_access_log_bucket_policy_lets_elb_write(https):
    policy = json.loads(https.get("aws:s3/bucketPolicy:BucketPolicy", "svc-alb-logs").inputs["policy"])
    principals = [s["Principal"] for s in policy["Statement"] if s["Effect"] == "Allow"]
    assert {"AWS": "arn:aws:iam::127311923021:root"} in principals
    assert any(c.token == "aws:elb/getServiceAccount:getServiceAccount" for c in https.calls)


def test_https_listener_uses_tls13_policy_and_the_certificate(https):
    listener = https.get("aws:lb/listener:Listener", "svc-https").inputs
    assert (listener["protocol"], listener["port"]) == ("HTTPS", 443)
    assert listener["sslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert listener["certificateArn"] == CERT
    assert listener["defaultActions"][0]["type"] == "forward"


def test_http_listener_only_redirects_when_a_certificate_exists(https):
    (action,) = https.get("aws:lb/listener:Listener", "svc-http").inputs["defaultActions"]
    assert action["type"] == "redirect"
    assert action["redirect"] == {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}


def test_domain_gets_a_dns_validated_certificate_in_its_zone(domain):
    cert = domain.one("aws:acm/certificate:Certificate").inputs
    assert (cert["domainName"], cert["validationMethod"]) == ("app.example.com", "DNS")
    record = domain.get("aws:route53/record:Record", "svc-cert-validation")
    assert record.inputs["zoneId"] == "Z0TESTZONE" and record.inputs["type"] == "CNAME"
    [validation_option] = domain.one("aws:acm/certificate:Certificate").state["domainValidationOptions"]
    assert record.inputs["name"] == validation_option["resourceRecordName"]
    validation = domain.one("aws:acm/certificateValidation:CertificateValidation")
    assert validation.inputs["validationRecordFqdns"] == [record.state["fqdn"]]


def test_https_listener_waits_for_the_validated_certificate(domain):
    listener = next(lis for lis in domain.all("aws:lb/listener:Listener") if lis.inputs["protocol"] == "HTTPS")
    validation = domain.one("aws:acm/certificateValidation:CertificateValidation")
    assert validation.urn in listener.dependencies
    assert listener.inputs["certificateArn"] == validation.state["certificateArn"]


def test_domain_points_an_ipv4_alias_at_the_alb(domain):
    alias = domain.get("aws:route53/record:Record", "svc-alias-a").inputs
    alb = domain.one("aws:lb/loadBalancer:LoadBalancer").state
    assert alias["type"] == "A" and alias["name"] == "app.example.com"
    assert alias["aliases"] == [{"name": alb["dnsName"], "zoneId": alb["zoneId"], "evaluateTargetHealth": True}]
    assert "ipAddressType" not in domain.one("aws:lb/loadBalancer:LoadBalancer").inputs  # IPv4: no AAAA


def test_http_listener_forwards_without_certificate(http_only):
    (action,) = http_only.get("aws:lb/listener:Listener", "svc-http").inputs["defaultActions"]
    assert action["type"] == "forward"
    assert not [r for r in http_only.all("aws:lb/listener:Listener") if r.name == "svc-https"]


def test_target_group_checks_healthz_fast_and_drains_briefly(https):
    group = https.get("aws:lb/targetGroup:TargetGroup", "svc-tg").inputs
    check = group["healthCheck"]
    assert check["path"] == "/healthz"
    assert 5 <= check["interval"] <= 10 and check["healthyThreshold"] == 2
    assert group["targetType"] == "ip" and group["port"] == 8080
    assert group["deregistrationDelay"] == DEREGISTRATION_DELAY == 10


def test_only_the_alb_is_open_to_the_world_and_only_on_80_and_443(https):
    world = {name: (r["fromPort"], r["securityGroupId"]) for name, r in rules(https, "Ingress").items()
             if r.get("cidrIpv4") == "0.0.0.0/0" or r.get("cidrIpv6")}
    alb = group_id(https, "svc-alb-sg")
    assert world == {"svc-alb-http-in": (80, alb), "svc-alb-https-in": (443, alb)}


def test_tasks_accept_only_the_alb_on_the_container_port(https):
    tasks = group_id(https, "svc-task-sg")
    into_tasks = [r for r in rules(https, "Ingress").values() if r["securityGroupId"] == tasks]
    assert into_tasks == [{"description": "App port from the ALB only", "securityGroupId": tasks,
                           "ipProtocol": "tcp", "fromPort": 8080, "toPort": 8080,
                           "referencedSecurityGroupId": group_id(https, "svc-alb-sg"),
                           "tags": {"project": "webservice"}}]


def test_db_accepts_only_the_tasks_on_3306(https):
    into_db = [r for r in rules(https, "Ingress").values() if r["securityGroupId"] == "sg-db"]
    assert [(r["fromPort"], r["toPort"], r["referencedSecurityGroupId"]) for r in into_db] == \
        [(3306, 3306, group_id(https, "svc-task-sg"))]


def test_alb_egress_goes_only_to_the_tasks(https):
    out = [r for r in rules(https, "Egress").values() if r["securityGroupId"] == group_id(https, "svc-alb-sg")]
    assert [(r["fromPort"], r.get("referencedSecurityGroupId")) for r in out] == [(8080, group_id(https, "svc-task-sg"))]


def test_every_security_group_and_rule_has_a_description(https):
    described = https.all("aws:ec2/securityGroup:SecurityGroup") + \
        https.all("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") + \
        https.all("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
    assert described and all(r.inputs.get("description") for r in described)


def test_security_groups_have_no_inline_rules(https):
    for group in https.all("aws:ec2/securityGroup:SecurityGroup"):
        assert "ingress" not in group.inputs and "egress" not in group.inputs


def test_autoscaling_target_uses_min_and_max(https):
    target = https.get("aws:appautoscaling/target:Target", "svc-scaling").inputs
    assert (target["minCapacity"], target["maxCapacity"]) == (2, 4)
    assert target["resourceId"] == "service/c/svc"
    assert target["scalableDimension"] == "ecs:service:DesiredCount"


def test_autoscaling_tracks_cpu(https):
    config = https.get("aws:appautoscaling/policy:Policy", "svc-scale-cpu").inputs
    assert config["policyType"] == "TargetTrackingScaling"
    tracking = config["targetTrackingScalingPolicyConfiguration"]
    assert tracking["predefinedMetricSpecification"]["predefinedMetricType"] == "ECSServiceAverageCPUUtilization"
    assert tracking["targetValue"] == 60


def test_autoscaling_tracks_requests_per_target(https):
    tracking = https.get("aws:appautoscaling/policy:Policy", "svc-scale-requests").inputs[
        "targetTrackingScalingPolicyConfiguration"]
    metric = tracking["predefinedMetricSpecification"]
    assert metric["predefinedMetricType"] == "ALBRequestCountPerTarget"
    alb = https.one("aws:lb/loadBalancer:LoadBalancer").state["arnSuffix"]
    target_group = https.one("aws:lb/targetGroup:TargetGroup").state["arnSuffix"]
    assert metric["resourceLabel"] == f"{alb}/{target_group}"
    assert tracking["targetValue"] == 1000


def test_children_are_parented_to_the_component(https):
    component = https.get("webservice:service:Service", "svc")
    children = [r for r in https.registrations if r.name.startswith("svc-")]
    assert children and all(r.parent == component.urn for r in children)


@pytest.mark.parametrize("changes, message", [
    (dict(min_count=3, desired_count=2), r"min_count=3: must be <= the desired count \(2\)"),
    (dict(max_count=0, desired_count=0, min_count=0), "max_count=0: must be at least 1"),
    (dict(spot_percent=101), "spot_percent=101: allowed values are 0..100"),
    (dict(log_retention_days=8), "log_retention_days=8"),
    (dict(certificate_arn=CERT.replace("us-east-1", "eu-west-1")), "the certificate is in eu-west-1"),
    (dict(domain_name="app.example.com"), r"set it or the domain name \(app.example.com\), not both"),
    (dict(certificate_arn="", domain_name="app.example.com"),
     "domain_name='app.example.com': needs the Route 53 public hosted zone"),
    (dict(certificate_arn="", domain_name="App", hosted_zone_id="Z1"), "must be a lower-case DNS name"),
])
def test_args_are_validated(changes, message):
    with pytest.raises(ValueError, match=message):
        ServiceArgs(capacity_providers=None, **{**BASE, **changes})
