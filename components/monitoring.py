"""Monitoring: where alarms go (an encrypted SNS topic, e-mail subscriptions, an existing topic), and what
they watch: alarms that matter to users, a log-based signal for the app's database errors, and a dashboard.

Two components, because the service's rollback alarms must notify too: ``Notifications`` (the topic) is built
before the service, and ``Monitoring`` (alarms, metric filter, dashboard) after it, from its real names."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

from ._common import partition_for_region, policy_json
from . import checks
from .facts import db_class_memory_gib, mysql_max_connections

#: The app's log lines (pino, JSON on stdout) that say it cannot use its database: refused logins, seen by the
#: credential monitor (app/src/credentials.js), and a database that cannot be reached, seen by requests and by
#: the readiness check (app/src/app.js). The metric filter counts these ``msg`` values.
DB_ERROR_MESSAGES = (
    "database credentials rejected: /readyz is 503",
    "database credentials rejected on every probe: /healthz is 503 so that the task is replaced",
    "database unavailable",
    "readiness check failed",
)
DB_ERROR_METRIC = "DatabaseErrors"
GIB = 1024 ** 3
RUNBOOK = "README 'When an alarm fires'"


def db_error_filter_pattern() -> str:
    """A CloudWatch Logs JSON filter pattern that matches exactly the app's database error lines."""
    return "{ " + " || ".join(f'($.msg = "{message}")' for message in DB_ERROR_MESSAGES) + " }"


def _topic_policy(*, topic_arn: str, account_id: str, region: str) -> str:
    """CloudWatch alarms of this account and region may publish to the topic; nothing else is granted."""
    return policy_json({
        "Sid": "CloudWatchAlarmsPublish",
        "Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Action": "sns:Publish",
        "Resource": topic_arn,
        "Condition": {
            "StringEquals": {"aws:SourceAccount": account_id},
            "ArnLike": {"aws:SourceArn": f"arn:{partition_for_region(region)}:cloudwatch:{region}:{account_id}:alarm:*"},
        },
    })


def dashboard_url(region: str, dashboard_name: str) -> str:
    return f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}#dashboards:name={dashboard_name}"


def _dashboard_body(*, region: str, alb: str, target_group: str, cluster: str, service: str, db: str,
                    metric_namespace: str, cpu_target_percent: int, requests_per_target: int,
                    min_count: int, max_count: int) -> str:
    """The dashboard as CloudWatch's JSON body: ALB, ECS, RDS and the log-based DB errors, one row each."""
    lb = {"LoadBalancer": alb}
    tg = {**lb, "TargetGroup": target_group}
    ecs = {"ClusterName": cluster, "ServiceName": service}
    rds = {"DBInstanceIdentifier": db}

    def metric(namespace: str, name: str, dims: Mapping[str, str], **opts: Any) -> list[Any]:
        flat: list[Any] = [namespace, name]
        for key, value in dims.items():
            flat += [key, value]
        return flat + ([opts] if opts else [])

    def widget(x: int, y: int, title: str, metrics: list[list[Any]], **props: Any) -> dict[str, Any]:
        return {"type": "metric", "x": x, "y": y, "width": 8, "height": 6,
                "properties": {"title": title, "region": region, "view": "timeSeries", "period": 60,
                               "metrics": metrics, **props}}

    def line(label: str, value: float) -> dict[str, Any]:
        return {"horizontal": [{"label": label, "value": value}]}

    widgets = [
        widget(0, 0, "ALB requests and 5xx", [
            metric("AWS/ApplicationELB", "RequestCount", lb, stat="Sum"),
            metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", tg, stat="Sum"),
            metric("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", lb, stat="Sum")]),
        widget(8, 0, "Target response time (s)", [
            metric("AWS/ApplicationELB", "TargetResponseTime", tg, stat=p) for p in ("p50", "p90", "p99")]),
        widget(16, 0, "Requests per target (autoscaling target)", [
            metric("AWS/ApplicationELB", "RequestCountPerTarget", {"TargetGroup": target_group}, stat="Sum")],
            annotations=line("scaling target", requests_per_target)),
        widget(0, 6, "ECS CPU and memory (%)", [
            metric("AWS/ECS", "CPUUtilization", ecs, stat="Average"),
            metric("AWS/ECS", "MemoryUtilization", ecs, stat="Average")],
            annotations=line("CPU scaling target", cpu_target_percent), yAxis={"left": {"min": 0, "max": 100}}),
        widget(8, 6, "ECS tasks", [
            metric("ECS/ContainerInsights", name, ecs, stat="Average")
            for name in ("RunningTaskCount", "DesiredTaskCount", "PendingTaskCount")],
            annotations={"horizontal": [{"label": "min", "value": min_count}, {"label": "max", "value": max_count}]}),
        widget(16, 6, "App database errors (log lines)", [
            metric(metric_namespace, DB_ERROR_METRIC, {}, stat="Sum")]),
        widget(0, 12, "RDS CPU (%) and connections", [
            metric("AWS/RDS", "CPUUtilization", rds, stat="Average"),
            metric("AWS/RDS", "DatabaseConnections", rds, stat="Maximum", yAxis="right")]),
        widget(8, 12, "RDS free storage and memory (bytes)", [
            metric("AWS/RDS", "FreeStorageSpace", rds, stat="Minimum"),
            metric("AWS/RDS", "FreeableMemory", rds, stat="Minimum")]),
        widget(16, 12, "RDS read and write latency (s)", [
            metric("AWS/RDS", "ReadLatency", rds, stat="Average"),
            metric("AWS/RDS", "WriteLatency", rds, stat="Average")]),
    ]
    return json.dumps({"widgets": widgets}, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class NotificationsArgs:
    """Where alarms go. Checks: ``checks.alarm_emails``, ``alarm_topic_arn``."""

    #: ARN of the KMS key that encrypts the alarm topic.
    kms_key_arn: pulumi.Input[str]
    #: The account id (12 digits) whose CloudWatch alarms may publish to the topic.
    account_id: pulumi.Input[str]
    #: The stack's AWS region (aws:region); alarms can notify topics of this region only.
    region: str
    #: Each address gets an e-mail subscription, which it must confirm before it receives anything. Default: none.
    emails: Sequence[str] = ()
    #: An existing topic (chat, paging) of ``region`` that gets every alarm too: an SNS topic ARN, or "" (default).
    external_topic_arn: str = ""
    #: Tags for every taggable child resource (key -> value). Default: none.
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        checks.validate(self, emails=checks.alarm_emails,
                        external_topic_arn=lambda arn: checks.alarm_topic_arn(arn, region=self.region))


class Notifications(pulumi.ComponentResource):
    topic_arn: pulumi.Output[str]
    #: What every alarm notifies: the stack's topic, and the external topic when there is one.
    alarm_actions: list[pulumi.Output[str]]

    def __init__(self, name: str, args: NotificationsArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("webservice:monitoring:Notifications", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        topic = aws.sns.Topic(f"{name}-alarms", kms_master_key_id=args.kms_key_arn, tags=dict(args.tags), opts=child)
        aws.sns.TopicPolicy(
            f"{name}-alarms-policy", arn=topic.arn,
            policy=pulumi.Output.all(topic.arn, args.account_id).apply(
                lambda v: _topic_policy(topic_arn=v[0], account_id=v[1], region=args.region)),
            opts=child)
        for index, email in enumerate(args.emails):
            aws.sns.TopicSubscription(f"{name}-alarms-email-{index}", topic=topic.arn, protocol="email",
                                      endpoint=email, opts=child)
        self.topic_arn = topic.arn
        self.alarm_actions = [topic.arn] + ([pulumi.Output.from_input(args.external_topic_arn)]
                                            if args.external_topic_arn else [])
        self.register_outputs({"topicArn": self.topic_arn})


@dataclass(frozen=True)
class Thresholds:
    """Alarm thresholds; each field is the config key in the comment. Allowed values:
    ``checks.ALARM_THRESHOLD_RANGES``."""
    five_xx_percent: int  # alarm5xxPercent: 5xx responses in percent of requests, 1..100
    p99_latency_ms: int  # alarmP99LatencyMs: p99 target response time in ms, 1..60000
    unhealthy_minutes: int  # alarmUnhealthyMinutes: minutes with an unhealthy target, 1..60
    db_cpu_percent: int  # alarmDbCpuPercent: DB CPU in percent, 1..100
    db_free_storage_percent: int  # alarmDbFreeStoragePercent: free storage in percent of allocated, 1..99
    db_free_memory_percent: int  # alarmDbFreeMemoryPercent: freeable memory in percent of the class's, 1..99
    db_connections_percent: int  # alarmDbConnectionsPercent: connections in percent of max_connections, 1..100

    def __post_init__(self) -> None:
        checks.validate(self, **{name: checks.alarm_threshold(name) for name in checks.ALARM_THRESHOLD_RANGES})


@dataclass(frozen=True)
class MonitoringArgs:
    """What the alarms, the metric filter and the dashboard watch. Checks: at least one alarm action, and
    ``checks.db_class_memory``."""

    #: SNS topic ARNs every alarm notifies (on ALARM and on OK): at least one.
    alarm_actions: Sequence[pulumi.Input[str]]
    #: The stack's AWS region (aws:region), for the dashboard's widgets and URL.
    region: str
    #: The ALB's ARN suffix (app/<name>/<id>), the LoadBalancer dimension.
    alb_arn_suffix: pulumi.Input[str]
    #: The target group's ARN suffix (targetgroup/<name>/<id>), the TargetGroup dimension.
    target_group_arn_suffix: pulumi.Input[str]
    #: The ECS cluster's name, the ClusterName dimension.
    cluster_name: pulumi.Input[str]
    #: The ECS service's name, the ServiceName dimension.
    service_name: pulumi.Input[str]
    #: The service's minimum task count: fewer running tasks raise an alarm.
    min_count: int
    #: The service's maximum task count, drawn on the dashboard.
    max_count: int
    #: The CPU scaling target in percent, drawn on the dashboard.
    cpu_target_percent: int
    #: The request scaling target per task, drawn on the dashboard.
    requests_per_target: int
    #: The DB instance identifier, the DBInstanceIdentifier dimension.
    db_identifier: str
    #: The DB instance class, a db.t*, db.m* or db.r* class whose memory and max_connections are known.
    db_instance_class: str
    #: The DB's allocated storage in GiB, the base of the free-storage threshold.
    db_allocated_storage: int
    #: The app's log group, where the metric filter counts database errors.
    log_group_name: pulumi.Input[str]
    #: The alarm thresholds.
    thresholds: Thresholds
    #: Tags for every taggable child resource (key -> value). Default: none.
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.alarm_actions:
            raise ValueError("alarm_actions: at least one topic ARN, or nobody hears an alarm")
        checks.validate(self, db_instance_class=checks.db_class_memory)


class Monitoring(pulumi.ComponentResource):
    dashboard_name: pulumi.Output[str]
    dashboard_url: pulumi.Output[str]

    def __init__(self, name: str, args: MonitoringArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("webservice:monitoring:Monitoring", name, None, opts)
        self._name, self._args = name, args
        metric_namespace = f"{name}/app"
        self._load_balancer_alarms()
        self._service_alarms()
        self._database_alarms()
        self._log_signal(metric_namespace)
        self._dashboard(metric_namespace)
        self.register_outputs({"dashboardName": self.dashboard_name, "dashboardUrl": self.dashboard_url})

    def _alarm(self, role: str, description: str, **props: Any) -> None:
        """An alarm that notifies on ALARM and on OK. Its description says what it means and what to do first."""
        aws.cloudwatch.MetricAlarm(
            f"{self._name}-{role}", alarm_description=f"{description} Runbook: {RUNBOOK}.",
            alarm_actions=list(self._args.alarm_actions), ok_actions=list(self._args.alarm_actions),
            tags=dict(self._args.tags), opts=pulumi.ResourceOptions(parent=self), **props)

    def _load_balancer_alarms(self) -> None:
        a, t = self._args, self._args.thresholds
        lb = {"LoadBalancer": a.alb_arn_suffix}
        tg = {**lb, "TargetGroup": a.target_group_arn_suffix}

        common = {"comparison_operator": "GreaterThanThreshold", "evaluation_periods": 5,
                  "datapoints_to_alarm": 3, "treat_missing_data": "notBreaching"}

        def rate(role: str, description: str, errors: str, dims: Mapping[str, Any], expression: str) -> None:
            """An alarm on the percentage of requests that got a 5xx: metric math over two ALB sums."""
            queries = [{"id": id_, "return_data": False, "metric": {
                "namespace": "AWS/ApplicationELB", "metric_name": metric, "dimensions": dims, "period": 60,
                "stat": "Sum"}} for id_, metric in (("errors", errors), ("requests", "RequestCount"))]
            self._alarm(role, description, threshold=t.five_xx_percent, metric_queries=[
                *queries, {"id": "rate", "expression": expression, "label": "5xx %", "return_data": True}], **common)

        rate("target-5xx-rate",
             f"More than {t.five_xx_percent}% of requests got a 5xx from the app (3 of 5 minutes). First: the app "
             "log's errors and a recent deploy (roll back to the previous imageDigest).",
             "HTTPCode_Target_5XX_Count", tg, "100 * FILL(errors, 0) / requests")
        # The ALB counts a request it refused before choosing a target in its 5xx, not in RequestCount.
        rate("alb-5xx-rate",
             f"More than {t.five_xx_percent}% of requests got a 5xx from the ALB itself (3 of 5 minutes): usually no "
             "healthy target (502/503) or targets timing out (504). First: target health and running tasks.",
             "HTTPCode_ELB_5XX_Count", lb, "100 * FILL(errors, 0) / (FILL(requests, 0) + FILL(errors, 0))")
        self._alarm(
            "p99-latency",
            f"Target p99 response time above {t.p99_latency_ms} ms (3 of 5 minutes). First: DB CPU and "
            "connections, then ECS CPU; scale out or roll back.",
            namespace="AWS/ApplicationELB", metric_name="TargetResponseTime", dimensions=tg,
            extended_statistic="p99", period=60, threshold=t.p99_latency_ms / 1000, **common)
        self._alarm(
            "unhealthy-hosts",
            f"A target has failed the ALB health check for {t.unhealthy_minutes} minutes. First: the app log of "
            "the failing task, /healthz and /readyz, and stopped tasks' reasons.",
            namespace="AWS/ApplicationELB", metric_name="UnHealthyHostCount", dimensions=tg, statistic="Maximum",
            period=60, evaluation_periods=t.unhealthy_minutes, datapoints_to_alarm=t.unhealthy_minutes,
            threshold=0, comparison_operator="GreaterThanThreshold", treat_missing_data="notBreaching")

    def _service_alarms(self) -> None:
        a = self._args
        self._alarm(
            "running-tasks",
            f"Fewer than {a.min_count} tasks running (the service minimum) for 3 minutes. First: the service's "
            "events and stopped tasks' reasons (image pull, secrets, health checks, Spot interruptions).",
            namespace="ECS/ContainerInsights", metric_name="RunningTaskCount",
            dimensions={"ClusterName": a.cluster_name, "ServiceName": a.service_name}, statistic="Minimum",
            period=60, evaluation_periods=3, datapoints_to_alarm=3, threshold=a.min_count,
            comparison_operator="LessThanThreshold",
            # Not "breaching": on a stack's first deploy the alarm exists minutes before the first task reports,
            # and must not page anyone for that.
            treat_missing_data="notBreaching")

    def _database_alarms(self) -> None:
        a, t = self._args, self._args.thresholds
        dims = {"DBInstanceIdentifier": a.db_identifier}
        memory = db_class_memory_gib(a.db_instance_class) or 0
        connections = mysql_max_connections(a.db_instance_class) or 0

        def rds(role: str, description: str, metric: str, statistic: str, threshold: float, operator: str) -> None:
            self._alarm(role, description, namespace="AWS/RDS", metric_name=metric, dimensions=dims,
                        statistic=statistic, period=300, evaluation_periods=3, datapoints_to_alarm=3,
                        threshold=threshold, comparison_operator=operator, treat_missing_data="notBreaching")

        rds("db-cpu", f"DB CPU above {t.db_cpu_percent}% for 15 minutes. First: Performance Insights' top SQL, "
            "then request rate; scale dbInstanceClass.", "CPUUtilization", "Average", t.db_cpu_percent,
            "GreaterThanThreshold")
        rds("db-free-storage", f"DB free storage below {t.db_free_storage_percent}% of {a.db_allocated_storage} GiB "
            "for 15 minutes. First: storage autoscaling headroom (dbMaxAllocatedStorage) and table sizes.",
            "FreeStorageSpace", "Minimum", t.db_free_storage_percent / 100 * a.db_allocated_storage * GIB,
            "LessThanThreshold")
        rds("db-free-memory", f"DB freeable memory below {t.db_free_memory_percent}% of {memory} GiB for 15 "
            "minutes. First: connections and their buffers; scale dbInstanceClass.", "FreeableMemory", "Minimum",
            t.db_free_memory_percent / 100 * memory * GIB, "LessThanThreshold")
        rds("db-connections", f"DB connections above {t.db_connections_percent}% of max_connections (about "
            f"{connections} for {a.db_instance_class}) for 15 minutes. First: task count x dbPoolSize; new "
            "connections will be refused at the limit.", "DatabaseConnections", "Maximum",
            round(t.db_connections_percent / 100 * connections), "GreaterThanThreshold")

    def _log_signal(self, metric_namespace: str) -> None:
        aws.cloudwatch.LogMetricFilter(
            f"{self._name}-db-errors", log_group_name=self._args.log_group_name,
            pattern=db_error_filter_pattern(),
            metric_transformation={"name": DB_ERROR_METRIC, "namespace": metric_namespace, "value": "1",
                                   "unit": "Count"},
            opts=pulumi.ResourceOptions(parent=self))
        self._alarm(
            "db-errors",
            "The app logged that it cannot use its database (refused login or unreachable) in 2 of 5 minutes. "
            "First: /readyz, the app log's err.code, the DB instance's status and the app user's grants.",
            namespace=metric_namespace, metric_name=DB_ERROR_METRIC, statistic="Sum", period=60,
            evaluation_periods=5, datapoints_to_alarm=2, threshold=0, comparison_operator="GreaterThanThreshold",
            treat_missing_data="notBreaching")

    def _dashboard(self, metric_namespace: str) -> None:
        a = self._args
        body = pulumi.Output.all(a.alb_arn_suffix, a.target_group_arn_suffix, a.cluster_name, a.service_name).apply(
            lambda v: _dashboard_body(
                region=a.region, alb=v[0], target_group=v[1], cluster=v[2], service=v[3], db=a.db_identifier,
                metric_namespace=metric_namespace, cpu_target_percent=a.cpu_target_percent,
                requests_per_target=a.requests_per_target, min_count=a.min_count, max_count=a.max_count))
        dashboard = aws.cloudwatch.Dashboard(f"{self._name}-dashboard", dashboard_name=self._name,
                                             dashboard_body=body, opts=pulumi.ResourceOptions(parent=self))
        self.dashboard_name = dashboard.dashboard_name
        self.dashboard_url = dashboard.dashboard_name.apply(lambda n: dashboard_url(a.region, n))
