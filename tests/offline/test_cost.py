"""Cost arithmetic against a hand-computed example, and usage read from a recorded graph."""

from __future__ import annotations

import json

import pytest

from offline.cost import DbUsage, TaskUsage, Usage, estimate, load_prices, split_capacity, usage_from_resources

PRICES = {
    "region": "us-east-1", "currency": "USD", "hours_per_month": 730,
    "fargate": {
        "X86_64": {"vcpu_hour": {"usd": 0.04048, "source": "s", "date": "d"},
                   "gb_hour": {"usd": 0.004445, "source": "s", "date": "d"}},
        "ARM64": {"vcpu_hour": {"usd": 0.03238, "source": "s", "date": "d"},
                  "gb_hour": {"usd": 0.00356, "source": "s", "date": "d"}},
        "spot_discount": {"fraction": 0.7, "source": "s", "date": "d"},
    },
    "alb": {"hour": {"usd": 0.0225, "source": "s", "date": "d"}, "lcu_hour": {"usd": 0.008, "source": "s", "date": "d"}},
    "nat_gateway": {"hour": {"usd": 0.045, "source": "s", "date": "d"},
                    "gb_processed": {"usd": 0.045, "source": "s", "date": "d"}},
    "public_ipv4": {"hour": {"usd": 0.005, "source": "s", "date": "d"}},
    "rds_mysql": {"instance_hour": {"db.t4g.micro": {"vcpu": 2, "single_az": 0.016, "multi_az": 0.032, "source": "s",
                                                     "date": "d"}},
                  "gp3_gb_month": {"single_az": 0.115, "multi_az": 0.23, "source": "s", "date": "d"},
                  "extended_support": {"vcpu_hour": 0.1, "majors_billed": ["8.0"], "source": "s", "date": "d"}},
    "secrets_manager": {"secret_month": {"usd": 0.40, "source": "s", "date": "d"}},
    "cloudwatch_logs": {"ingest_gb": {"usd": 0.50, "source": "s", "date": "d"}},
    "ecr": {"storage_gb_month": {"usd": 0.10, "source": "s", "date": "d"}},
    "assumptions": {"alb_average_lcu": 1.0, "log_gb_per_task_month": 1.0, "flow_log_gb_month": 1.0,
                    "image_gb": 0.15, "images_kept_default": 10, "image_pulls_per_task_month": 30},
}


def test_hand_computed_bill():
    usage = Usage(
        tasks=(TaskUsage("svc", "ARM64", 0.25, 0.5, on_demand_tasks=2, spot_tasks=0),
               TaskUsage("spot", "X86_64", 1.0, 2.0, on_demand_tasks=0, spot_tasks=1)),
        albs=1, nat_gateways=1, public_ipv4=3, public_ipv4_detail="ALB 2, NAT 1",
        databases=(DbUsage("db", "db.t4g.micro", multi_az=True, storage_gb=20),),
        secrets=1, log_gb=3, ecr_gb=1.5)
    lines = {line.item: line.usd for line in estimate(usage, PRICES).lines}
    # By hand, 730 h a month:
    # ARM 0.25 vCPU x 0.03238 x 730 = 5.90935; 0.5 GB x 0.00356 x 730 = 1.2994; per task 7.20875; x2 = 14.4175
    assert lines["Fargate ARM64 on-demand (svc)"] == 14.42
    # x86 1 vCPU x 0.04048 x 730 = 29.5504; 2 GB x 0.004445 x 730 = 6.4897; 36.0401 x 0.3 = 10.81203
    assert lines["Fargate X86_64 Spot (spot)"] == 10.81
    assert lines["Application Load Balancer hours"] == 16.43  # 0.0225 x 730 = 16.425
    assert lines["ALB capacity units (assumed)"] == 5.84  # 0.008 x 730
    assert lines["NAT gateway hours"] == 32.85  # 0.045 x 730
    assert lines["Public IPv4 addresses"] == 10.95  # 3 x 0.005 x 730
    assert lines["RDS MySQL db.t4g.micro Multi-AZ (db)"] == 23.36  # 0.032 x 730
    assert lines["RDS gp3 storage Multi-AZ (db)"] == 4.60  # 20 x 0.23
    assert lines["Secrets Manager secrets"] == 0.40
    assert lines["CloudWatch Logs ingestion (assumed volume)"] == 1.50  # 3 GB x 0.50
    assert lines["ECR image storage (assumed size)"] == 0.15  # 1.5 GB x 0.10
    total = 14.42 + 10.81 + 16.43 + 5.84 + 32.85 + 10.95 + 23.36 + 4.60 + 0.40 + 1.50 + 0.15
    assert estimate(usage, PRICES).total == pytest.approx(total, abs=0.001)


DISABLED = "open-source-rds-extended-support-disabled"


def test_extended_support_is_billed_per_vcpu_hour_of_every_instance_only_where_it_applies():
    def extended(**db):
        lines = estimate(Usage(databases=(DbUsage("db", "db.t4g.micro", storage_gb=20, **db),)), PRICES).lines
        return [(line.quantity, line.usd) for line in lines if line.item.startswith("RDS Extended Support")]
    # 2 vCPU x 0.1 x 730 = 146 a month; Multi-AZ bills the standby too
    assert extended(multi_az=False, engine_version="8.0.43") == [("1 x 2 vCPU x 730 h", 146.0)]
    assert extended(multi_az=True, engine_version="8.0") == [("2 x 2 vCPU x 730 h", 292.0)]
    assert extended(multi_az=False, engine_version="8.0", lifecycle=DISABLED) == []
    assert extended(multi_az=False, engine_version="8.4") == []


def test_an_instance_without_a_lifecycle_is_read_as_enrolled_like_rds_does():
    db = {"urn": "u:db", "type": "aws:rds/instance:Instance", "name": "db",
          "inputs": {"instanceClass": "db.t4g.micro", "engineVersion": "8.0", "allocatedStorage": 20.0}}
    (usage,) = usage_from_resources([db], PRICES).databases
    assert usage.lifecycle == "open-source-rds-extended-support"
    db["inputs"]["engineLifecycleSupport"] = DISABLED
    assert usage_from_resources([db], PRICES).databases[0].lifecycle == DISABLED


def test_unknown_db_class_is_named_not_guessed():
    est = estimate(Usage(databases=(DbUsage("db", "db.x9.huge", False, 10),)), PRICES)
    assert est.lines[0].quantity == "class not in the price table" and est.lines[0].usd == 0.0


def test_capacity_split_base_then_weights():
    assert split_capacity(3, [{"capacityProvider": "FARGATE", "base": 1.0, "weight": 1.0},
                              {"capacityProvider": "FARGATE_SPOT", "weight": 1.0}]) == (2.0, 1.0)
    assert split_capacity(2, [{"capacityProvider": "FARGATE_SPOT", "weight": 1.0}]) == (0.0, 2.0)
    assert split_capacity(2, None) == (2.0, 0.0)


def test_committed_price_table_dates_and_sources_every_price():
    prices = load_prices()

    def walk(node, path):
        if isinstance(node, dict):
            if "usd" in node or "single_az" in node or "fraction" in node:
                assert node.get("source") and node.get("date"), path
            for k, v in node.items():
                if k != "assumptions":
                    walk(v, path + [k])

    walk(prices, [])
    assert prices["region"] == "us-east-1"


def test_usage_from_a_recorded_graph():
    td = {"urn": "u:td", "type": "aws:ecs/taskDefinition:TaskDefinition", "name": "td",
          "inputs": {"cpu": "512", "memory": "1024", "runtimePlatform": {"cpuArchitecture": "ARM64"}}}
    svc = {"urn": "u:svc", "type": "aws:ecs/service:Service", "name": "svc",
           "inputs": {"desiredCount": 2.0, "capacityProviderStrategies": [
               {"capacityProvider": "FARGATE", "base": 1.0, "weight": 1.0},
               {"capacityProvider": "FARGATE_SPOT", "weight": 1.0}]},
           "property_dependencies": {"taskDefinition": ["u:td"]}}
    vpc = {"urn": "u:vpc", "type": "awsx:ec2:Vpc", "name": "vpc",
           "inputs": {"numberOfAvailabilityZones": 3.0, "natGateways": {"strategy": "OnePerAz"}}}
    alb = {"urn": "u:alb", "type": "aws:lb/loadBalancer:LoadBalancer", "name": "alb", "inputs": {}}
    db = {"urn": "u:db", "type": "aws:rds/instance:Instance", "name": "db",
          "inputs": {"instanceClass": "db.t4g.micro", "multiAz": True, "allocatedStorage": 20.0,
                     "manageMasterUserPassword": True}}
    repo = {"urn": "u:repo", "type": "aws:ecr/repository:Repository", "name": "repo", "inputs": {}}
    lc = {"urn": "u:lc", "type": "aws:ecr/lifecyclePolicy:LifecyclePolicy", "name": "lc", "dependencies": ["u:repo"],
          "inputs": {"policy": json.dumps({"rules": [{"selection": {"tagStatus": "any", "countType": "imageCountMoreThan",
                                                                     "countNumber": 20}}]})}}
    u = usage_from_resources([td, svc, vpc, alb, db, repo, lc], PRICES)
    assert u.tasks == (TaskUsage("svc", "ARM64", 0.5, 1.0, 1.0, 1.0),)
    assert (u.nat_gateways, u.albs, u.public_ipv4) == (3, 1, 6)  # 3 NAT + one ALB IP per AZ
    assert u.databases == (DbUsage("db", "db.t4g.micro", True, 20.0),)
    assert u.databases[0].lifecycle == "open-source-rds-extended-support"  # RDS's default when not sent
    assert u.secrets == 1 and u.ecr_gb == pytest.approx(3.0) and u.log_gb == 2.0


def _graph_with_nat(*extra):
    td = {"urn": "u:td", "type": "aws:ecs/taskDefinition:TaskDefinition", "name": "td",
          "inputs": {"cpu": "256", "memory": "512", "runtimePlatform": {"cpuArchitecture": "ARM64"}}}
    svc = {"urn": "u:svc", "type": "aws:ecs/service:Service", "name": "svc", "inputs": {"desiredCount": 2.0},
           "property_dependencies": {"taskDefinition": ["u:td"]}}
    vpc = {"urn": "u:vpc", "type": "awsx:ec2:Vpc", "name": "vpc",
           "inputs": {"numberOfAvailabilityZones": 2.0, "natGateways": {"strategy": "Single"}}}
    return [td, svc, vpc, *extra]


S3_GATEWAY = {"urn": "u:s3", "type": "aws:ec2/vpcEndpoint:VpcEndpoint", "name": "s3",
              "inputs": {"vpcEndpointType": "Gateway", "serviceName": "com.amazonaws.us-east-1.s3"}}


def test_without_s3_gateway_image_pulls_go_through_nat():
    usage = usage_from_resources(_graph_with_nat(), PRICES)
    # 2 tasks x 1 GB of logs + 2 tasks x 30 pulls x 0.15 GB
    assert (usage.nat_gb, usage.s3_gateway_endpoint) == (pytest.approx(11.0), False)
    lines = {line.item: line.usd for line in estimate(usage, PRICES).lines}
    assert lines["NAT data processed (assumed)"] == 0.50  # 11 GB x 0.045


def test_s3_gateway_endpoint_takes_image_pulls_off_nat():
    usage = usage_from_resources(_graph_with_nat(S3_GATEWAY), PRICES)
    assert (usage.nat_gb, usage.s3_gateway_endpoint) == (pytest.approx(2.0), True)  # the logs only
    est = estimate(usage, PRICES)
    assert {line.item: line.usd for line in est.lines}["NAT data processed (assumed)"] == 0.09  # 2 x 0.045
    assert any("this stack has one" in a for a in est.assumptions)


def test_an_interface_endpoint_is_not_an_s3_gateway():
    interface = {**S3_GATEWAY, "inputs": {"vpcEndpointType": "Interface", "serviceName": "com.amazonaws.us-east-1.s3"}}
    assert usage_from_resources(_graph_with_nat(interface), PRICES).s3_gateway_endpoint is False


def test_monitoring_is_priced_per_alarm_metric_dashboard_and_filter_metric():
    prices = load_prices()
    alarm = {"type": "aws:cloudwatch/metricAlarm:MetricAlarm", "inputs": {"namespace": "AWS/RDS"}}
    math_alarm = {"type": "aws:cloudwatch/metricAlarm:MetricAlarm", "inputs": {"metricQueries": [
        {"id": "errors", "metric": {"metricName": "HTTPCode_ELB_5XX_Count"}},
        {"id": "requests", "metric": {"metricName": "RequestCount"}},
        {"id": "rate", "expression": "100 * errors / requests"}]}}
    resources = [{**r, "urn": f"u:{i}", "name": f"r{i}"} for i, r in enumerate([
        alarm, alarm, math_alarm,
        {"type": "aws:cloudwatch/dashboard:Dashboard", "inputs": {}},
        {"type": "aws:cloudwatch/logMetricFilter:LogMetricFilter", "inputs": {}}])]
    usage = usage_from_resources(resources, prices)
    assert (usage.alarms, usage.alarm_metrics, usage.dashboards, usage.custom_metrics) == (3, 4, 1, 1)
    lines = {line.item: (line.quantity, line.usd) for line in estimate(usage, prices).lines}
    # 4 alarm metrics x 0.10; 1 dashboard x 3.00; 1 custom metric x 0.30
    assert lines["CloudWatch alarms"] == ("3 alarms reading 4 metrics", 0.40)
    assert lines["CloudWatch dashboards"] == ("1 dashboard-month", 3.00)
    assert lines["CloudWatch custom metrics (log metric filters)"] == ("1 metric-month", 0.30)
