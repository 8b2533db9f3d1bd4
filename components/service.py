"""Service: ALB (with optional access logs), security groups chained by reference, target group, listeners,
the Fargate service with safe rolling deployments, rollback alarms and autoscaling."""

from __future__ import annotations

from dataclasses import dataclass, field
from math import gcd
from typing import Any, Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

from . import checks
from ._common import policy_json
from .task import CONTAINER_NAME, STOP_TIMEOUT

TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
HEALTH_CHECK_PATH = "/healthz"
#: ALB drains a target this long before ECS sends SIGTERM; requests here are short.
DEREGISTRATION_DELAY = 10
HEALTH_CHECK_GRACE_PERIOD = 60
WORLD = "0.0.0.0/0"
#: How long the ALB health check needs to call a new task healthy: interval x healthy threshold.
HEALTH_CHECK_INTERVAL = 10
HEALTHY_THRESHOLD = 2


def _steady_state_timeout_minutes(*, task_start_seconds: int = 300) -> int:
    """How long ``pulumi up`` waits for the service to be stable before it fails. One rolling deploy takes a
    task start (image pull, secrets, app start: ``task_start_seconds``), the health-check grace period, the
    checks that pass a target, then the old tasks' deregistration delay and stop timeout. The circuit breaker
    needs several failed tasks before it gives up, so the wait covers three such rounds, and never less than
    the provider's own 20-minute default."""
    one_round = (task_start_seconds + HEALTH_CHECK_GRACE_PERIOD + HEALTH_CHECK_INTERVAL * HEALTHY_THRESHOLD
                 + DEREGISTRATION_DELAY + STOP_TIMEOUT)
    return max(20, -(-3 * one_round // 60))


def _capacity_provider_strategy(spot_percent: int) -> list[dict[str, Any]]:
    """Split tasks between FARGATE and FARGATE_SPOT by weight. A mixed split keeps one on-demand task as
    base, because Spot capacity can vanish and ECS does not fall back to on-demand by itself."""
    if spot_percent == 0:
        return [{"capacity_provider": "FARGATE", "weight": 1, "base": 0}]
    if spot_percent == 100:
        return [{"capacity_provider": "FARGATE_SPOT", "weight": 1, "base": 0}]
    divisor = gcd(spot_percent, 100 - spot_percent)
    return [
        {"capacity_provider": "FARGATE", "weight": (100 - spot_percent) // divisor, "base": 1},
        {"capacity_provider": "FARGATE_SPOT", "weight": spot_percent // divisor, "base": 0},
    ]


def _access_log_bucket_policy(*, bucket_arn: str, account_id: str, elb_account_arn: str) -> str:
    """Let Elastic Load Balancing write access logs for this account only, and refuse plain HTTP."""
    objects = f"{bucket_arn}/alb/AWSLogs/{account_id}/*"
    return policy_json(
        {
            "Sid": "ElbAccountWritesAccessLogs",
            "Effect": "Allow",
            "Principal": {"AWS": elb_account_arn},
            "Action": "s3:PutObject",
            "Resource": objects,
        },
        {
            "Sid": "ElbLogDeliveryWritesAccessLogs",
            "Effect": "Allow",
            "Principal": {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": objects,
        },
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "s3:*",
            "Resource": [bucket_arn, f"{bucket_arn}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    )


@dataclass(frozen=True)
class ServiceArgs:
    """What the load balancer and the Fargate service need. Checks: ``checks.task_count``, ``min_count``,
    ``desired_count``, ``max_count``, ``spot_percent``, ``container_port``, ``certificate_arn``,
    ``single_certificate_source``, ``dns_name``, ``domain_zone``, ``log_retention``."""

    #: The VPC of the ALB's and the tasks' security groups.
    vpc_id: pulumi.Input[str]
    #: The public subnets the ALB is in, one per AZ.
    public_subnet_ids: pulumi.Input[Sequence[str]]
    #: The private subnets the tasks run in (no public IP), one per AZ.
    private_subnet_ids: pulumi.Input[Sequence[str]]
    #: ARN of the ECS cluster the service runs in.
    cluster_arn: pulumi.Input[str]
    #: Name of that cluster, for the autoscaling target and the rollback alarms' dimensions.
    cluster_name: pulumi.Input[str]
    #: The cluster's capacity providers (FARGATE, FARGATE_SPOT), which the service waits for.
    capacity_providers: pulumi.Resource
    #: ARN of the task definition the service runs.
    task_definition_arn: pulumi.Input[str]
    #: Port the app listens on: 1024..65535; the target group and the security groups use it.
    container_port: int
    #: The database's security group, which gets ingress from the tasks' group only.
    db_security_group_id: pulumi.Input[str]
    #: The database's port (3306), for the task-to-DB security group rules.
    db_port: int
    #: Tasks at creation (0 or more, min_count..max_count); autoscaling owns the count afterwards.
    desired_count: int
    #: Autoscaling minimum task count: 0 or more, at most ``desired_count``.
    min_count: int
    #: Autoscaling maximum task count: at least 1 and at least ``desired_count``.
    max_count: int
    #: Share of tasks on FARGATE_SPOT in percent, 0..100; a mixed split keeps one on-demand task as base.
    spot_percent: int
    #: Target average CPU percent of the CPU scaling policy.
    cpu_target_percent: int
    #: Target ALB requests per task (per minute) of the request scaling policy.
    requests_per_target: int
    #: ACM certificate ARN of this account and ``region`` for the HTTPS listener; "" for none (then
    #: ``domain_name`` gets a managed one, or the ALB serves plain HTTP).
    certificate_arn: str
    #: Write ALB access logs to a new encrypted S3 bucket.
    access_logs: bool
    #: ALB deletion protection; without it the access-log bucket is emptied on destroy.
    deletion_protection: bool
    #: Allow ECS Exec into the service's tasks.
    enable_execute_command: bool
    #: Days the access-log bucket keeps objects (its expiration rule): a CloudWatch Logs retention value.
    log_retention_days: int
    #: The account id (12 digits) whose ALB may write to the access-log bucket.
    account_id: pulumi.Input[str]
    #: Region of the ALB (aws:region); a listener certificate must be in it.
    region: str
    #: Public name of the service: the component issues and validates an ACM certificate for it and points an
    #: alias record at the ALB, in the Route 53 public zone ``hosted_zone_id`` (or the one named
    #: ``hosted_zone_name``, looked up). Not together with ``certificate_arn``. A lower-case DNS name. Default "".
    domain_name: str = ""
    #: Route 53 public hosted zone id (Z...) that holds ``domain_name``. Default "".
    hosted_zone_id: str = ""
    #: Name of that zone (e.g. example.com), looked up when ``hosted_zone_id`` is "". Default "".
    hosted_zone_name: str = ""
    #: SNS topic ARNs the rollback alarms notify (on ALARM and on OK), besides rolling back. Default: none.
    alarm_actions: Sequence[pulumi.Input[str]] = ()
    #: Tags for every taggable child resource (key -> value). Default: none.
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        checks.validate(
            self, min_count=(checks.task_count, lambda n: checks.min_count(n, desired=self.desired_count)),
            desired_count=(checks.task_count, lambda n: checks.desired_count(n, maximum=self.max_count)),
            max_count=checks.max_count, spot_percent=checks.spot_percent, container_port=checks.container_port,
            certificate_arn=(lambda arn: checks.certificate_arn(arn, region=self.region),
                             lambda arn: checks.single_certificate_source(arn, domain_name=self.domain_name)),
            domain_name=(checks.dns_name, lambda name: checks.domain_zone(
                name, zone_id=self.hosted_zone_id, zone_name=self.hosted_zone_name)),
            log_retention_days=checks.log_retention)


class Service(pulumi.ComponentResource):
    #: ``https://<domain_name>`` with a domain; ``http://<ALB DNS name>`` without a certificate; empty with a
    #: ``certificate_arn`` only, because the program does not know which name that certificate covers (and
    #: no certificate covers the ALB's own name).
    url: pulumi.Output[str]
    alb_dns_name: pulumi.Output[str]
    service_name: pulumi.Output[str]
    task_security_group_id: pulumi.Output[str]
    #: The CloudWatch dimensions of the ALB and target group ("app/..." and "targetgroup/...").
    alb_arn_suffix: pulumi.Output[str]
    target_group_arn_suffix: pulumi.Output[str]
    target_group_arn: pulumi.Output[str]

    def __init__(self, name: str, args: ServiceArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("webservice:service:Service", name, None, opts)
        tags = dict(args.tags)
        https = bool(args.certificate_arn or args.domain_name)
        alb_sg, task_sg = self._security_groups(name, args, tags, https)
        alb = self._load_balancer(name, args, tags, alb_sg)
        target_group = self._target_group(name, args, tags)
        zone_id = self._zone_id(args) if args.domain_name else ""
        listeners = self._listeners(name, args, tags, https, alb, target_group, zone_id)
        alarms = self._rollback_alarms(name, args, tags, alb, target_group)
        service = self._service(name, args, tags, task_sg, target_group, listeners, alarms)
        self._autoscaling(name, args, tags, service, alb, target_group)
        self.url = self._url(name, args, https, alb, zone_id)
        self.alb_dns_name = alb.dns_name
        self.service_name = service.name
        self.task_security_group_id = task_sg.id
        self.alb_arn_suffix = alb.arn_suffix
        self.target_group_arn_suffix = target_group.arn_suffix
        self.target_group_arn = target_group.arn
        self.register_outputs({
            "targetGroupArn": self.target_group_arn,
            "albArnSuffix": self.alb_arn_suffix,
            "targetGroupArnSuffix": self.target_group_arn_suffix,
            "url": self.url,
            "albDnsName": self.alb_dns_name,
            "serviceName": self.service_name,
            "taskSecurityGroupId": self.task_security_group_id,
        })

    def _security_groups(self, name: str, args: ServiceArgs, tags: dict[str, str],
                         https: bool) -> tuple[aws.ec2.SecurityGroup, aws.ec2.SecurityGroup]:
        """The ALB's and the tasks' security groups, with rules as standalone resources only, chained by group
        reference; also the database group's one ingress rule, from the tasks."""
        child = pulumi.ResourceOptions(parent=self)
        alb_sg = aws.ec2.SecurityGroup(
            f"{name}-alb-sg", description="ALB: HTTP(S) from the internet, to the app tasks only",
            vpc_id=args.vpc_id, tags={**tags, "Name": f"{name}-alb"}, opts=child)
        task_sg = aws.ec2.SecurityGroup(
            f"{name}-task-sg", description="App tasks: from the ALB on the app port; to the DB and HTTPS",
            vpc_id=args.vpc_id, tags={**tags, "Name": f"{name}-tasks"}, opts=child)

        def ingress(role: str, description: str, group: Any, port: int, **source: Any) -> None:
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-{role}", description=description, security_group_id=group, ip_protocol="tcp",
                from_port=port, to_port=port, tags=tags, opts=child, **source)

        def egress(role: str, description: str, group: Any, port: int, **destination: Any) -> None:
            aws.vpc.SecurityGroupEgressRule(
                f"{name}-{role}", description=description, security_group_id=group, ip_protocol="tcp",
                from_port=port, to_port=port, tags=tags, opts=child, **destination)

        ingress("alb-http-in", "HTTP from the internet (redirected to HTTPS)" if https
                else "HTTP from the internet (dev without certificate)", alb_sg.id, 80, cidr_ipv4=WORLD)
        if https:
            ingress("alb-https-in", "HTTPS from the internet", alb_sg.id, 443, cidr_ipv4=WORLD)
        egress("alb-to-tasks", "ALB to the app tasks on the app port", alb_sg.id, args.container_port,
               referenced_security_group_id=task_sg.id)
        ingress("tasks-from-alb", "App port from the ALB only", task_sg.id, args.container_port,
                referenced_security_group_id=alb_sg.id)
        egress("tasks-to-db", "App tasks to MySQL", task_sg.id, args.db_port,
               referenced_security_group_id=args.db_security_group_id)
        egress("tasks-https-out", "HTTPS to AWS APIs (ECR, Secrets Manager, CloudWatch Logs) through NAT",
               task_sg.id, 443, cidr_ipv4=WORLD)
        ingress("db-from-tasks", "MySQL from the app tasks only", args.db_security_group_id, args.db_port,
                referenced_security_group_id=task_sg.id)
        return alb_sg, task_sg

    def _access_logs_bucket(self, name: str, args: ServiceArgs,
                            tags: dict[str, str]) -> tuple[dict[str, Any], list[pulumi.Resource]]:
        """The ALB's access-log settings and the bucket's resources the ALB waits for: private, owner-enforced,
        SSE-S3, expiring after the log retention, writable by Elastic Load Balancing for this account only."""
        child = pulumi.ResourceOptions(parent=self)
        bucket = aws.s3.Bucket(f"{name}-alb-logs", force_destroy=not args.deletion_protection, tags=tags,
                               opts=child)
        deps: list[pulumi.Resource] = [aws.s3.BucketPublicAccessBlock(
            f"{name}-alb-logs", bucket=bucket.id, block_public_acls=True, block_public_policy=True,
            ignore_public_acls=True, restrict_public_buckets=True, opts=child)]
        deps.append(aws.s3.BucketOwnershipControls(
            f"{name}-alb-logs", bucket=bucket.id, rule={"object_ownership": "BucketOwnerEnforced"},
            opts=child))
        # ALB access logs support SSE-S3 only (not SSE-KMS).
        deps.append(aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-alb-logs", bucket=bucket.id,
            rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}], opts=child))
        deps.append(aws.s3.BucketLifecycleConfiguration(
            f"{name}-alb-logs", bucket=bucket.id,
            rules=[{"id": "expire-access-logs", "status": "Enabled", "filter": {"prefix": ""},
                    "expiration": {"days": args.log_retention_days},
                    "abort_incomplete_multipart_upload": {"days_after_initiation": 1}}],
            opts=child))
        elb_account = aws.elb.get_service_account_output(opts=pulumi.InvokeOutputOptions(parent=self))
        deps.append(aws.s3.BucketPolicy(
            f"{name}-alb-logs", bucket=bucket.id,
            policy=pulumi.Output.all(bucket_arn=bucket.arn, account_id=args.account_id,
                                     elb_account_arn=elb_account.arn).apply(
                lambda v: _access_log_bucket_policy(**v)),
            opts=child))
        return {"bucket": bucket.bucket, "prefix": "alb", "enabled": True}, deps

    def _load_balancer(self, name: str, args: ServiceArgs, tags: dict[str, str],
                       alb_sg: aws.ec2.SecurityGroup) -> aws.lb.LoadBalancer:
        """The internet-facing ALB, with its access-logs bucket when the stack wants access logs."""
        access_logs, deps = self._access_logs_bucket(name, args, tags) if args.access_logs else (None, [])
        return aws.lb.LoadBalancer(
            f"{name}-alb",
            load_balancer_type="application",
            internal=False,
            subnets=args.public_subnet_ids,
            security_groups=[alb_sg.id],
            drop_invalid_header_fields=True,
            desync_mitigation_mode="defensive",
            enable_deletion_protection=args.deletion_protection,
            access_logs=access_logs,
            idle_timeout=60,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=deps),
        )

    def _target_group(self, name: str, args: ServiceArgs, tags: dict[str, str]) -> aws.lb.TargetGroup:
        return aws.lb.TargetGroup(
            f"{name}-tg",
            target_type="ip",
            protocol="HTTP",
            port=args.container_port,
            vpc_id=args.vpc_id,
            deregistration_delay=DEREGISTRATION_DELAY,
            health_check={
                "enabled": True, "path": HEALTH_CHECK_PATH, "protocol": "HTTP", "port": "traffic-port",
                "interval": 10, "timeout": 5, "healthy_threshold": 2, "unhealthy_threshold": 3, "matcher": "200",
            },
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _listeners(self, name: str, args: ServiceArgs, tags: dict[str, str], https: bool, alb: aws.lb.LoadBalancer,
                   target_group: aws.lb.TargetGroup, zone_id: pulumi.Input[str]) -> list[pulumi.Resource]:
        """HTTPS forwarding to the target group and HTTP redirecting to it; without a certificate, HTTP
        forwarding only."""
        child = pulumi.ResourceOptions(parent=self)
        forward = [{"type": "forward", "target_group_arn": target_group.arn}]
        listeners: list[pulumi.Resource] = []
        if https:
            certificate_arn = (self._managed_certificate(name, args, tags, zone_id) if args.domain_name
                               else pulumi.Output.from_input(args.certificate_arn))
            listeners.append(aws.lb.Listener(
                f"{name}-https", load_balancer_arn=alb.arn, port=443, protocol="HTTPS", ssl_policy=TLS_POLICY,
                certificate_arn=certificate_arn, default_actions=forward, tags=tags, opts=child))
            http_actions: list[dict[str, Any]] = [{"type": "redirect", "redirect": {
                "protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"}}]
        else:
            http_actions = forward
        listeners.append(aws.lb.Listener(
            f"{name}-http", load_balancer_arn=alb.arn, port=80, protocol="HTTP", default_actions=http_actions,
            tags=tags, opts=child))
        return listeners

    def _rollback_alarms(self, name: str, args: ServiceArgs, tags: dict[str, str], alb: aws.lb.LoadBalancer,
                         target_group: aws.lb.TargetGroup) -> list[aws.cloudwatch.MetricAlarm]:
        """A failing release trips one of these and ECS rolls back. The CPU alarm names the service by its fixed
        name (see :meth:`_service`), before the service exists."""
        child = pulumi.ResourceOptions(parent=self)
        five_xx = aws.cloudwatch.MetricAlarm(
            f"{name}-5xx-alarm",
            alarm_description="App returns 5xx: roll back the deployment",
            namespace="AWS/ApplicationELB", metric_name="HTTPCode_Target_5XX_Count",
            dimensions={"LoadBalancer": alb.arn_suffix, "TargetGroup": target_group.arn_suffix},
            statistic="Sum", period=60, evaluation_periods=3, datapoints_to_alarm=2, threshold=10,
            comparison_operator="GreaterThanOrEqualToThreshold", treat_missing_data="notBreaching",
            alarm_actions=list(args.alarm_actions), ok_actions=list(args.alarm_actions), tags=tags, opts=child)
        cpu_high = aws.cloudwatch.MetricAlarm(
            f"{name}-cpu-alarm",
            alarm_description="Service CPU saturated: roll back the deployment",
            namespace="AWS/ECS", metric_name="CPUUtilization",
            dimensions={"ClusterName": args.cluster_name, "ServiceName": name},
            statistic="Average", period=60, evaluation_periods=5, datapoints_to_alarm=4, threshold=95,
            comparison_operator="GreaterThanOrEqualToThreshold", treat_missing_data="notBreaching",
            alarm_actions=list(args.alarm_actions), ok_actions=list(args.alarm_actions), tags=tags, opts=child)
        return [five_xx, cpu_high]

    def _service(self, name: str, args: ServiceArgs, tags: dict[str, str], task_sg: aws.ec2.SecurityGroup,
                 target_group: aws.lb.TargetGroup, listeners: list[pulumi.Resource],
                 alarms: list[aws.cloudwatch.MetricAlarm]) -> aws.ecs.Service:
        """The Fargate service: private subnets, rolling deployments with circuit breaker and alarm rollback.

        The name stays fixed, because the CPU rollback alarm names the service before it exists (autonaming
        would make a cycle: the service lists the alarm). A change that forces a new service therefore deletes
        the old one first (delete_before_replace); with the default create-before-delete the new service would
        collide with the old one's name. Such changes (launch type, scheduling strategy, deployment controller)
        are rare, and the replacement has a short outage."""
        return aws.ecs.Service(
            f"{name}-service",
            name=name,
            cluster=args.cluster_arn,
            task_definition=args.task_definition_arn,
            desired_count=args.desired_count,
            capacity_provider_strategies=_capacity_provider_strategy(args.spot_percent),
            platform_version="LATEST",
            network_configuration={"subnets": args.private_subnet_ids, "security_groups": [task_sg.id],
                                   "assign_public_ip": False},
            load_balancers=[{"target_group_arn": target_group.arn, "container_name": CONTAINER_NAME,
                             "container_port": args.container_port}],
            health_check_grace_period_seconds=HEALTH_CHECK_GRACE_PERIOD,
            deployment_controller={"type": "ECS"},
            deployment_minimum_healthy_percent=100,
            deployment_maximum_percent=200,
            deployment_circuit_breaker={"enable": True, "rollback": True},
            # `pulumi up` fails when the tasks never become healthy, instead of succeeding as soon as ECS
            # accepted the change.
            wait_for_steady_state=True,
            alarms={"alarm_names": [alarm.name for alarm in alarms], "enable": True, "rollback": True},
            availability_zone_rebalancing="ENABLED",
            enable_execute_command=args.enable_execute_command,
            enable_ecs_managed_tags=True,
            propagate_tags="SERVICE",
            tags=tags,
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[*listeners, args.capacity_providers], ignore_changes=["desiredCount"],
                delete_before_replace=True,
                custom_timeouts=pulumi.CustomTimeouts(create=f"{_steady_state_timeout_minutes()}m",
                                                      update=f"{_steady_state_timeout_minutes()}m")),
        )

    def _autoscaling(self, name: str, args: ServiceArgs, tags: dict[str, str], service: aws.ecs.Service,
                     alb: aws.lb.LoadBalancer, target_group: aws.lb.TargetGroup) -> None:
        """Target tracking on CPU and on requests per target, between min and max."""
        child = pulumi.ResourceOptions(parent=self)
        scaling_target = aws.appautoscaling.Target(
            f"{name}-scaling",
            service_namespace="ecs",
            scalable_dimension="ecs:service:DesiredCount",
            resource_id=pulumi.Output.concat("service/", args.cluster_name, "/", service.name),
            min_capacity=args.min_count,
            max_capacity=args.max_count,
            tags=tags,
            opts=child,
        )
        scaling = {"service_namespace": scaling_target.service_namespace,
                   "scalable_dimension": scaling_target.scalable_dimension,
                   "resource_id": scaling_target.resource_id}
        aws.appautoscaling.Policy(
            f"{name}-scale-cpu", policy_type="TargetTrackingScaling", **scaling,
            target_tracking_scaling_policy_configuration={
                "target_value": args.cpu_target_percent,
                "predefined_metric_specification": {"predefined_metric_type": "ECSServiceAverageCPUUtilization"},
                "scale_in_cooldown": 120, "scale_out_cooldown": 30,
            },
            opts=child)
        aws.appautoscaling.Policy(
            f"{name}-scale-requests", policy_type="TargetTrackingScaling", **scaling,
            target_tracking_scaling_policy_configuration={
                "target_value": args.requests_per_target,
                "predefined_metric_specification": {
                    "predefined_metric_type": "ALBRequestCountPerTarget",
                    "resource_label": pulumi.Output.concat(alb.arn_suffix, "/", target_group.arn_suffix),
                },
                "scale_in_cooldown": 120, "scale_out_cooldown": 30,
            },
            opts=child)

    def _url(self, name: str, args: ServiceArgs, https: bool, alb: aws.lb.LoadBalancer,
             zone_id: pulumi.Input[str]) -> pulumi.Output[str]:
        """The service's URL; with a domain, first the alias record that points the domain at the ALB."""
        if args.domain_name:
            # IPv4 only (A, no AAAA): the ALB is IPv4 because the awsx subnets have no IPv6 CIDRs, and an AAAA
            # alias at an IPv4 ALB would answer nothing.
            aws.route53.Record(
                f"{name}-alias-a", zone_id=zone_id, name=args.domain_name, type="A",
                aliases=[{"name": alb.dns_name, "zone_id": alb.zone_id, "evaluate_target_health": True}],
                opts=pulumi.ResourceOptions(parent=self))
            return pulumi.Output.from_input(f"https://{args.domain_name}")
        if https:
            return pulumi.Output.from_input("")
        return pulumi.Output.concat("http://", alb.dns_name)

    def _managed_certificate(self, name: str, args: ServiceArgs, tags: Mapping[str, str],
                             zone_id: pulumi.Input[str]) -> pulumi.Output[str]:
        """An ACM certificate for ``domain_name``, validated by a DNS record in the hosted zone. Returns the
        certificate ARN once ACM has issued it, so the HTTPS listener waits for validation."""
        child = pulumi.ResourceOptions(parent=self)
        certificate = aws.acm.Certificate(
            f"{name}-cert", domain_name=args.domain_name, validation_method="DNS", tags=dict(tags), opts=child)
        # One name, so exactly one validation record.
        option = certificate.domain_validation_options[0]
        record = aws.route53.Record(
            f"{name}-cert-validation", zone_id=zone_id, name=option.resource_record_name,
            type=option.resource_record_type, records=[option.resource_record_value], ttl=300,
            allow_overwrite=True, opts=child)
        validation = aws.acm.CertificateValidation(
            f"{name}-cert-validation", certificate_arn=certificate.arn, validation_record_fqdns=[record.fqdn],
            opts=child)
        return validation.certificate_arn

    def _zone_id(self, args: ServiceArgs) -> pulumi.Input[str]:
        """The hosted zone's id: as configured, or looked up by its name among the account's public zones."""
        if args.hosted_zone_id:
            return args.hosted_zone_id
        return aws.route53.get_zone_output(
            name=args.hosted_zone_name, private_zone=False, opts=pulumi.InvokeOutputOptions(parent=self)).zone_id
