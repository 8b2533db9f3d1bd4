"""webservice: a Node.js service on ECS Fargate behind an ALB, with RDS MySQL. Wiring only."""

import json

import pulumi
import pulumi_aws as aws

from components.cluster import Cluster, ClusterArgs
from components.database import Database, DatabaseArgs
from components.keys import Encryption, EncryptionArgs
from components.monitoring import Monitoring, MonitoringArgs, Notifications, NotificationsArgs, Thresholds
from components.network import Network, NetworkArgs
from components.registry import Registry, RegistryArgs
from components.service import Service, ServiceArgs
from components.settings import load_settings
from components.task import CONTAINER_NAME, NO_OP_COMMAND, Task, TaskArgs

settings = load_settings()  # validates everything before the first resource exists
name = f"{settings.project}-{settings.stack}"
tags = {"project": settings.project, "stack": settings.stack, "managed-by": "pulumi"}
account_id = aws.get_caller_identity_output().account_id

# A final snapshot is encrypted with the stack key, so the key outlives the stack whenever one is taken.
keys = Encryption(name, EncryptionArgs(account_id=account_id, region=settings.region,
                                       retain_on_delete=settings.db_final_snapshot, tags=tags))

network = Network(name, NetworkArgs(
    cidr_block=settings.vpc_cidr, az_count=settings.az_count, nat_strategy=settings.nat_strategy,
    region=settings.region, account_id=account_id, log_retention_days=settings.log_retention_days,
    kms_key_arn=keys.key_arn, tags=tags))

registry = Registry(name, RegistryArgs(
    context="app", dockerfile="app/Dockerfile", platform=settings.platform, image_tag=settings.image_tag,
    image_digest=settings.image_digest, kms_key_arn=keys.key_arn, tags=tags))

cluster = Cluster(name, ClusterArgs(
    kms_key_arn=keys.key_arn, log_retention_days=settings.log_retention_days, tags=tags))

database = Database(name, DatabaseArgs(
    vpc_id=network.vpc_id, subnet_ids=network.isolated_subnet_ids, instance_class=settings.db_instance_class,
    engine_version=settings.db_engine_version, engine_lifecycle_support=settings.db_engine_lifecycle_support,
    log_retention_days=settings.log_retention_days, db_name=settings.db_name, username=settings.db_username,
    allocated_storage=settings.db_allocated_storage, max_allocated_storage=settings.db_max_allocated_storage,
    multi_az=settings.db_multi_az, backup_retention_days=settings.db_backup_retention_days,
    deletion_protection=settings.db_deletion_protection, final_snapshot=settings.db_final_snapshot,
    monitoring_interval=settings.db_monitoring_interval, kms_key_arn=keys.key_arn, region=settings.region,
    account_id=account_id, tags=tags))

task = Task(name, TaskArgs(
    cpu=settings.cpu, memory=settings.memory, architecture=settings.architecture,
    container_port=settings.container_port, region=settings.region, account_id=account_id,
    image_ref=registry.image_ref, image=registry.image, repository_arn=registry.repository_arn,
    db_host=database.address, db_port=database.port, db_name=database.db_name,
    db_secret_arn=database.secret_arn, db_resource_id=database.resource_id, db_app_user=settings.db_app_username,
    kms_key_arn=keys.key_arn, exec_log_group_arn=cluster.exec_log_group_arn,
    log_retention_days=settings.log_retention_days, db_pool_size=settings.db_pool_size,
    log_level=settings.log_level, app_version=registry.image_version,
    enable_execute_command=settings.enable_execute_command, tags=tags))

notifications = Notifications(name, NotificationsArgs(
    kms_key_arn=keys.key_arn, account_id=account_id, region=settings.region, emails=settings.alarm_emails,
    external_topic_arn=settings.alarm_topic_arn, tags=tags))

service = Service(name, ServiceArgs(
    vpc_id=network.vpc_id, public_subnet_ids=network.public_subnet_ids,
    private_subnet_ids=network.private_subnet_ids, cluster_arn=cluster.cluster_arn,
    cluster_name=cluster.cluster_name, capacity_providers=cluster.capacity_providers,
    task_definition_arn=task.task_definition_arn, container_port=settings.container_port,
    db_security_group_id=database.security_group_id, db_port=database.port,
    desired_count=settings.desired_count, min_count=settings.min_count, max_count=settings.max_count,
    spot_percent=settings.spot_percent, cpu_target_percent=settings.cpu_target_percent,
    requests_per_target=settings.requests_per_target, certificate_arn=settings.certificate_arn,
    region=settings.region, domain_name=settings.domain_name, hosted_zone_id=settings.hosted_zone_id,
    hosted_zone_name=settings.hosted_zone_name, access_logs=settings.alb_access_logs,
    deletion_protection=settings.alb_deletion_protection,
    enable_execute_command=settings.enable_execute_command, log_retention_days=settings.log_retention_days,
    account_id=account_id, alarm_actions=notifications.alarm_actions, tags=tags))

monitoring = Monitoring(name, MonitoringArgs(
    alarm_actions=notifications.alarm_actions, region=settings.region, alb_arn_suffix=service.alb_arn_suffix,
    target_group_arn_suffix=service.target_group_arn_suffix, cluster_name=cluster.cluster_name,
    service_name=service.service_name, min_count=settings.min_count, max_count=settings.max_count,
    cpu_target_percent=settings.cpu_target_percent, requests_per_target=settings.requests_per_target,
    db_identifier=database.identifier, db_instance_class=settings.db_instance_class,
    db_allocated_storage=settings.db_allocated_storage, log_group_name=task.log_group_name,
    thresholds=Thresholds(
        five_xx_percent=settings.alarm_5xx_percent, p99_latency_ms=settings.alarm_p99_latency_ms,
        unhealthy_minutes=settings.alarm_unhealthy_minutes, db_cpu_percent=settings.alarm_db_cpu_percent,
        db_free_storage_percent=settings.alarm_db_free_storage_percent,
        db_free_memory_percent=settings.alarm_db_free_memory_percent,
        db_connections_percent=settings.alarm_db_connections_percent),
    tags=tags))

pulumi.export("url", service.url)
pulumi.export("albDnsName", service.alb_dns_name)
pulumi.export("repositoryUrl", registry.repository_url)
pulumi.export("imageRef", registry.image_ref)
pulumi.export("imageVersion", registry.image_version)
pulumi.export("clusterName", cluster.cluster_name)
pulumi.export("serviceName", service.service_name)
pulumi.export("dbEndpoint", database.endpoint)
pulumi.export("dbSecretArn", database.secret_arn)
pulumi.export("logGroupName", task.log_group_name)
pulumi.export("alarmTopicArn", notifications.topic_arn)
pulumi.export("dashboardName", monitoring.dashboard_name)
pulumi.export("dashboardUrl", monitoring.dashboard_url)
pulumi.export("dbInstanceId", database.identifier)
pulumi.export("targetGroupArn", service.target_group_arn)
# A one-off migration: a task of the deployed definition whose migrate container runs as at every task start,
# and whose app container exits 0 at once.
pulumi.export("migrateCommand", pulumi.Output.format(
    "aws ecs run-task --region {0} --cluster {1} --task-definition {2} --capacity-provider-strategy "
    "capacityProvider=FARGATE,weight=1 --network-configuration "
    "'awsvpcConfiguration={{subnets=[{3}],securityGroups=[{4}],assignPublicIp=DISABLED}}' "
    "--overrides '{5}'",
    settings.region, cluster.cluster_name, task.family,
    network.private_subnet_ids.apply(",".join), service.task_security_group_id,
    json.dumps({"containerOverrides": [{"name": CONTAINER_NAME, "command": NO_OP_COMMAND}]},
               separators=(",", ":"))))
