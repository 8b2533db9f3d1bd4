"""__main__.py per stack: alarm destinations from config, every alarm notifies the stack topic, the dashboard
names the stack's real resources, and prod refuses to run without anyone to tell."""

from __future__ import annotations

import json

import pytest

from tests.mocks import run_main

STACKS = ("dev", "staging", "prod")
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


@pytest.mark.parametrize("stack", STACKS)
def test_every_alarm_of_the_stack_notifies_its_encrypted_topic(stack_run, stack):
    run = stack_run(stack)
    topic = run.one("aws:sns/topic:Topic")
    key = run.one("aws:kms/key:Key")
    assert topic.inputs["kmsMasterKeyId"] == key.state["arn"]
    topic_arn = topic.state["arn"]
    alarms = run.all(ALARM)
    # 10 for users and the database, and the 2 that roll a deployment back (5xx-alarm, cpu-alarm).
    assert sorted(a.name for a in alarms) == [f"webservice-{stack}-{alarm}" for alarm in (
        "5xx-alarm", "alb-5xx-rate", "cpu-alarm", "db-connections", "db-cpu", "db-errors", "db-free-memory",
        "db-free-storage", "p99-latency", "running-tasks", "target-5xx-rate", "unhealthy-hosts")]
    assert [a.name for a in alarms if topic_arn not in a.inputs.get("alarmActions", [])] == []
    assert run.outputs["alarmTopicArn"] == topic_arn


@pytest.mark.parametrize("stack", STACKS)
def test_stack_exports_what_the_runbook_commands_read(stack_run, stack):
    outputs = stack_run(stack).outputs
    assert outputs["dbInstanceId"] == f"webservice-{stack}-db"
    assert outputs["targetGroupArn"] == stack_run(stack).one("aws:lb/targetGroup:TargetGroup").state["arn"]
    for key in ("alarmTopicArn", "dashboardName", "dashboardUrl", "clusterName", "serviceName", "logGroupName"):
        assert outputs.get(key), key


@pytest.mark.parametrize("stack", STACKS)
def test_key_policy_lets_cloudwatch_alarms_use_the_key_for_the_topic(stack_run, stack):
    policy = json.loads(stack_run(stack).one("aws:kms/key:Key").inputs["policy"])
    (statement,) = [s for s in policy["Statement"] if s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}]
    assert sorted(statement["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert statement["Condition"]["ArnLike"]["aws:SourceArn"].endswith(":alarm:*")


def test_subscriptions_come_from_alarm_email(stack_run):
    assert stack_run("dev").all("aws:sns/topicSubscription:TopicSubscription") == []
    (sub,) = stack_run("prod").all("aws:sns/topicSubscription:TopicSubscription")
    assert (sub.inputs["protocol"], sub.inputs["endpoint"]) == ("email", "oncall@example.com")
    run = run_main("dev", overrides={"webservice:alarmEmail": '["a@example.org", "b@example.org"]'})
    assert sorted(s.inputs["endpoint"] for s in run.all("aws:sns/topicSubscription:TopicSubscription")) == [
        "a@example.org", "b@example.org"]


def test_alarm_topic_arn_is_an_action_of_every_alarm_too():
    pager = "arn:aws:sns:us-east-1:210987654320:pager"
    run = run_main("prod", overrides={"webservice:alarmTopicArn": pager, "webservice:alarmEmail": "[]"})
    alarms = run.all(ALARM)
    assert alarms and all(pager in a.inputs["alarmActions"] and len(a.inputs["alarmActions"]) == 2 for a in alarms)
    assert run.all("aws:sns/topicSubscription:TopicSubscription") == []


def test_prod_without_an_alarm_destination_is_a_settings_error():
    with pytest.raises(Exception) as raised:
        run_main("prod", overrides={"webservice:alarmEmail": "[]"})
    assert ("alarmEmail=[], alarmTopicArn='': stack 'prod' must tell a person when an alarm fires; set alarmEmail "
            "(one or more addresses) or alarmTopicArn (an existing SNS topic), or both") in str(raised.value)


@pytest.mark.parametrize("stack", STACKS)
def test_dashboard_names_the_stacks_real_resources_and_its_url_is_an_output(stack_run, stack):
    run = stack_run(stack)
    body = json.dumps(json.loads(run.one("aws:cloudwatch/dashboard:Dashboard").inputs["dashboardBody"]))
    alb = run.one("aws:lb/loadBalancer:LoadBalancer").state["arnSuffix"]
    target_group = run.one("aws:lb/targetGroup:TargetGroup").state["arnSuffix"]
    db = run.one("aws:rds/instance:Instance").inputs["identifier"]
    service = run.one("aws:ecs/service:Service").inputs["name"]
    cluster = run.outputs["clusterName"]
    for real in (alb, target_group, db, service, cluster):
        assert json.dumps(real) in body, real
    assert run.outputs["dashboardUrl"] == (
        f"https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards:name=webservice-{stack}")


@pytest.mark.parametrize("stack", STACKS)
def test_db_error_filter_reads_the_app_log_group(stack_run, stack):
    run = stack_run(stack)
    metric_filter = run.one("aws:cloudwatch/logMetricFilter:LogMetricFilter").inputs
    assert metric_filter["logGroupName"] == run.outputs["logGroupName"]


def test_thresholds_are_per_stack_config():
    run = run_main("staging", overrides={"webservice:alarmP99LatencyMs": "250", "webservice:alarmDbCpuPercent": "65"})
    assert run.get(ALARM, "webservice-staging-p99-latency").inputs["threshold"] == 0.25
    assert run.get(ALARM, "webservice-staging-db-cpu").inputs["threshold"] == 65
