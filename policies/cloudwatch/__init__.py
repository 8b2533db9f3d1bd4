"""Rules for cloudwatch, and the CloudWatch type tokens the rules share."""

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
#: Metric namespaces of the resources whose alarms must reach someone: ALB, ECS service, RDS instance.
WATCHED_NAMESPACES = ("AWS/ApplicationELB", "AWS/ECS", "ECS/ContainerInsights", "AWS/RDS")
