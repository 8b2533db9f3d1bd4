"""Rules for cloudwatch."""

METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
#: Metric namespaces of the resources whose alarms must reach someone: ALB, ECS service, RDS instance.
WATCHED_NAMESPACES = ("AWS/ApplicationELB", "AWS/ECS", "ECS/ContainerInsights", "AWS/RDS")
