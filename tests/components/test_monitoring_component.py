"""Monitoring: the encrypted alarm topic and its destinations, the alarms and what they watch, the DB error
metric filter (against the lines the app really logs), and the dashboard."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from components.monitoring import (DB_ERROR_MESSAGES, Monitoring, MonitoringArgs, Notifications,
                                   NotificationsArgs, Thresholds, _dashboard_body,
                                   db_error_filter_pattern)
from components.facts import db_class_memory_gib, mysql_max_connections
from tests.mocks import ROOT

TOPIC = "arn:aws:sns:us-east-1:210987654320:pager"
THRESHOLDS = Thresholds(five_xx_percent=5, p99_latency_ms=1500, unhealthy_minutes=4, db_cpu_percent=80,
                        db_free_storage_percent=10, db_free_memory_percent=10, db_connections_percent=80)
BASE = dict(alarm_actions=["arn:aws:sns:us-east-1:210987654320:stack-alarms"], region="us-east-1",
            alb_arn_suffix="app/web-alb/abc", target_group_arn_suffix="targetgroup/web-tg/def", cluster_name="web",
            service_name="web-svc", min_count=2, max_count=4, cpu_target_percent=60, requests_per_target=1000,
            db_identifier="web-db", db_instance_class="db.t4g.small", db_allocated_storage=20,
            log_group_name="/ecs/web", thresholds=THRESHOLDS, tags={"project": "webservice"})
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def notifications(run, **changes):
    args = dict(kms_key_arn="arn:aws:kms:us-east-1:210987654320:key/k", account_id="210987654320",
                region="us-east-1", **changes)
    return run(lambda: Notifications("n", NotificationsArgs(**args)))


@pytest.fixture(scope="module")
def watched():
    from tests.mocks import run_program
    return run_program(lambda: Monitoring("m", MonitoringArgs(**BASE)))


def test_topic_is_encrypted_with_the_stack_key_and_only_cloudwatch_of_this_account_may_publish(run):
    result = notifications(run)
    assert result.one("aws:sns/topic:Topic").inputs["kmsMasterKeyId"] == "arn:aws:kms:us-east-1:210987654320:key/k"
    policy = json.loads(result.one("aws:sns/topicPolicy:TopicPolicy").inputs["policy"])
    (statement,) = policy["Statement"]
    assert statement["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert statement["Action"] == "sns:Publish"
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "210987654320"},
        "ArnLike": {"aws:SourceArn": "arn:aws:cloudwatch:us-east-1:210987654320:alarm:*"}}
    assert result.all("aws:sns/topicSubscription:TopicSubscription") == []


def test_each_alarm_email_gets_a_subscription_and_an_external_topic_is_an_action(run):
    result = notifications(run, emails=("a@example.com", "b@example.com"), external_topic_arn=TOPIC)
    subs = result.all("aws:sns/topicSubscription:TopicSubscription")
    assert sorted((s.inputs["protocol"], s.inputs["endpoint"]) for s in subs) == [
        ("email", "a@example.com"), ("email", "b@example.com")]
    assert result.all("aws:sns/topic:Topic")[0].name == "n-alarms"


@pytest.mark.parametrize("changes, message", [
    (dict(emails=("not-an-address",)), "emails=('not-an-address',): each entry must be one e-mail address such as "
                                       "ops@example.com, not 'not-an-address'"),
    (dict(external_topic_arn="arn:aws:sns:eu-west-1:210987654320:pager"),
     "the topic is in eu-west-1, but CloudWatch alarms can only notify a topic of their own region (us-east-1)"),
])
def test_notifications_args_reject_bad_destinations(changes, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        NotificationsArgs(kms_key_arn="k", account_id="1", region="us-east-1", **changes)


def test_monitoring_needs_somewhere_to_send_alarms():
    with pytest.raises(ValueError, match="alarm_actions: at least one topic ARN"):
        MonitoringArgs(**{**BASE, "alarm_actions": []})


def test_every_alarm_notifies_on_alarm_and_on_ok_and_says_what_to_do(watched):
    alarms = watched.all(ALARM)
    assert sorted(a.name for a in alarms) == sorted(f"m-{r}" for r in (
        "target-5xx-rate", "alb-5xx-rate", "p99-latency", "unhealthy-hosts", "running-tasks", "db-cpu",
        "db-free-storage", "db-free-memory", "db-connections", "db-errors"))
    for alarm in alarms:
        assert alarm.inputs["alarmActions"] == BASE["alarm_actions"], alarm.name
        assert alarm.inputs["okActions"] == BASE["alarm_actions"], alarm.name
        assert "First:" in alarm.inputs["alarmDescription"] and "When an alarm fires" in alarm.inputs["alarmDescription"]


def test_5xx_alarms_are_percentages_of_requests_from_targets_and_from_the_alb(watched):
    target = watched.get(ALARM, "m-target-5xx-rate").inputs
    queries = {q["id"]: q for q in target["metricQueries"]}
    assert queries["rate"]["expression"] == "100 * FILL(errors, 0) / requests"
    assert queries["errors"]["metric"]["metricName"] == "HTTPCode_Target_5XX_Count"
    assert queries["errors"]["metric"]["dimensions"] == {"LoadBalancer": "app/web-alb/abc",
                                                         "TargetGroup": "targetgroup/web-tg/def"}
    assert [q["id"] for q in target["metricQueries"] if q.get("returnData")] == ["rate"]
    assert target["threshold"] == 5
    alb = {q["id"]: q for q in watched.get(ALARM, "m-alb-5xx-rate").inputs["metricQueries"]}
    assert alb["errors"]["metric"]["metricName"] == "HTTPCode_ELB_5XX_Count"
    assert alb["errors"]["metric"]["dimensions"] == {"LoadBalancer": "app/web-alb/abc"}


def test_latency_unhealthy_and_task_alarms_use_the_thresholds(watched):
    p99 = watched.get(ALARM, "m-p99-latency").inputs
    assert (p99["metricName"], p99["extendedStatistic"], p99["threshold"]) == ("TargetResponseTime", "p99", 1.5)
    unhealthy = watched.get(ALARM, "m-unhealthy-hosts").inputs
    assert (unhealthy["evaluationPeriods"], unhealthy["datapointsToAlarm"], unhealthy["threshold"]) == (4, 4, 0)
    tasks = watched.get(ALARM, "m-running-tasks").inputs
    assert (tasks["namespace"], tasks["metricName"], tasks["threshold"], tasks["comparisonOperator"]) == (
        "ECS/ContainerInsights", "RunningTaskCount", 2, "LessThanThreshold")
    assert tasks["dimensions"] == {"ClusterName": "web", "ServiceName": "web-svc"}


def test_db_alarms_scale_with_the_class_and_the_allocated_storage(watched):
    gib = 1024 ** 3
    storage = watched.get(ALARM, "m-db-free-storage").inputs
    assert storage["threshold"] == pytest.approx(0.10 * 20 * gib)
    memory = watched.get(ALARM, "m-db-free-memory").inputs
    assert memory["threshold"] == pytest.approx(0.10 * 2 * gib)
    connections = watched.get(ALARM, "m-db-connections").inputs
    assert connections["threshold"] == round(0.8 * 170)
    assert {watched.get(ALARM, f"m-{r}").inputs["dimensions"]["DBInstanceIdentifier"]
            for r in ("db-cpu", "db-free-storage", "db-free-memory", "db-connections")} == {"web-db"}


def test_max_connections_follows_the_rds_mysql_formula():
    # {DBInstanceClassMemory/12582880} with the class's memory in bytes.
    assert mysql_max_connections("db.t4g.micro") == 1 * 1024 ** 3 // 12582880 == 85
    assert mysql_max_connections("db.t4g.small") == 170
    assert mysql_max_connections("db.m7g.large") == 682
    assert [db_class_memory_gib(c) for c in ("db.r6g.large", "db.r6g.xlarge", "db.r6g.4xlarge", "db.m6g.2xlarge",
                                             "db.x2g.large", "db.t4g.nano")] == [16, 32, 128, 32, None, None]


def test_metric_filter_counts_the_app_db_error_lines_into_the_alarmed_metric(watched):
    metric_filter = watched.one("aws:cloudwatch/logMetricFilter:LogMetricFilter").inputs
    assert metric_filter["logGroupName"] == "/ecs/web"
    assert metric_filter["pattern"] == db_error_filter_pattern()
    transformation = metric_filter["metricTransformation"]
    alarm = watched.get(ALARM, "m-db-errors").inputs
    assert (alarm["namespace"], alarm["metricName"]) == (transformation["namespace"], transformation["name"])
    assert transformation["value"] == "1"


# --- The filter pattern against the app's real log lines ------------------------------------------------


def _matches(pattern: str, line: str) -> bool:
    """CloudWatch Logs' JSON filter semantics for the subset the pattern uses: `{ (T) || (T) ... }` where each
    T is `$.a.b = "literal"`. Anything else in the pattern is an error, so the test cannot pass vacuously."""
    body = re.fullmatch(r"\{ (.*) \}", pattern)
    assert body, pattern
    event = json.loads(line)
    for term in body.group(1).split(" || "):
        found = re.fullmatch(r'\(\$\.([A-Za-z0-9_.]+) = "([^"*]*)"\)', term)
        assert found, f"unsupported term {term!r}"
        value = event
        for key in found.group(1).split("."):
            value = value.get(key) if isinstance(value, dict) else None
        if value == found.group(2):
            return True
    return False


def _credential_monitor_lines() -> list[str]:
    """Drive the app's real CredentialMonitor (app/src/credentials.js) with refused logins and a recovery, and
    return the lines pino writes for its calls: pino puts the object's fields and `msg` on one JSON line."""
    node = shutil.which("node")
    assert node, "node is needed to run the app's credential monitor"
    script = r"""
const { CredentialMonitor } = require('./app/src/credentials.js');
const out = [];
const log = (level) => (obj, msg) => out.push(typeof obj === 'string' ? { level, msg: obj } : { level, ...obj, msg });
const logger = { error: log(50), warn: log(40), info: log(30) };
const monitor = new CredentialMonitor({ probe: null, logger, failAfterProbes: 2 });
const refused = Object.assign(new Error("Access denied for user 'app'@'10.0.1.7'"), { code: 'ER_ACCESS_DENIED_ERROR' });
monitor.record(refused); monitor.record(refused); monitor.record(null);
for (const line of out) console.log(JSON.stringify({ time: '2026-11-30T21:00:00.000Z', service: 'users-service', ...line }));
"""
    out = subprocess.run([node, "-e", script], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return out.strip().splitlines()


def test_filter_pattern_matches_the_lines_the_app_emits_for_refused_logins_and_nothing_else():
    lines = _credential_monitor_lines()
    verdicts = [(json.loads(line)["msg"], _matches(db_error_filter_pattern(), line)) for line in lines]
    assert verdicts == [
        ("database credentials rejected: /readyz is 503", True),
        ("database credentials rejected on every probe: /healthz is 503 so that the task is replaced", True),
        ("database credentials accepted again", False)]
    assert json.loads(lines[0])["err"]["code"] == "ER_ACCESS_DENIED_ERROR"


def test_filter_pattern_matches_the_apps_unreachable_database_lines():
    source = (ROOT / "app" / "src" / "app.js").read_text()
    for message in ("database unavailable", "readiness check failed"):
        assert f"'{message}');" in source, message  # the app logs it with this message
        line = json.dumps({"level": 40, "err": {"code": "ECONNREFUSED"}, "msg": message})
        assert _matches(db_error_filter_pattern(), line)
    assert not _matches(db_error_filter_pattern(), json.dumps({"level": 30, "msg": "request completed"}))
    assert len(db_error_filter_pattern()) <= 1024  # CloudWatch's limit for a filter pattern
    assert set(DB_ERROR_MESSAGES) >= {"database unavailable", "readiness check failed"}


# --- Dashboard -----------------------------------------------------------------------------------------


def test_dashboard_names_the_real_resources_and_the_autoscaling_targets(watched):
    dashboard = watched.one("aws:cloudwatch/dashboard:Dashboard").inputs
    assert dashboard["dashboardName"] == "m"
    body = json.loads(dashboard["dashboardBody"])
    metrics = [m for w in body["widgets"] for m in w["properties"]["metrics"]]
    names = {(m[0], m[1]) for m in metrics}
    assert {("AWS/ApplicationELB", "RequestCount"), ("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count"),
            ("AWS/ApplicationELB", "TargetResponseTime"), ("AWS/ECS", "CPUUtilization"),
            ("AWS/ECS", "MemoryUtilization"), ("ECS/ContainerInsights", "RunningTaskCount"),
            ("AWS/RDS", "CPUUtilization"), ("AWS/RDS", "DatabaseConnections"), ("AWS/RDS", "FreeStorageSpace"),
            ("AWS/RDS", "ReadLatency"), ("AWS/RDS", "WriteLatency"), ("m/app", "DatabaseErrors")} <= names
    text = json.dumps(body)
    for real in ("app/web-alb/abc", "targetgroup/web-tg/def", '"web-svc"', '"web-db"'):
        assert real in text
    lines = [h["value"] for w in body["widgets"] for h in w["properties"].get("annotations", {}).get("horizontal", [])]
    assert 60 in lines and 1000 in lines  # CPU and requests-per-target scaling targets


def test_dashboard_percentiles_cover_p50_to_p99():
    body = json.loads(_dashboard_body(region="us-east-1", alb="a", target_group="t", cluster="c", service="s",
                                      db="d", metric_namespace="n", cpu_target_percent=50, requests_per_target=10,
                                      min_count=1, max_count=2))
    stats = [m[-1]["stat"] for w in body["widgets"] for m in w["properties"]["metrics"]
             if m[1] == "TargetResponseTime"]
    assert stats == ["p50", "p90", "p99"]



def test_no_alarm_fires_for_missing_data_so_a_first_deploy_pages_nobody(watched):
    assert {a.inputs["treatMissingData"] for a in watched.all(ALARM)} == {"notBreaching"}
