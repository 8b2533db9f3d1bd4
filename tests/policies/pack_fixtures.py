"""Compliant fixtures, one per resource type, as the engine sends them (camelCase inputs), and helpers to
derive a violating variant by changing one field (the Checkov style: what passes, what fails)."""

from __future__ import annotations

import copy
import json
from typing import Any, Dict

ACCOUNT = "111122223333"
KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SECRET_ARN = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:rds!db-0a1b2c-AbCdEf"
EXEC_ROLE = f"arn:aws:iam::{ACCOUNT}:role/app-exec"
TASK_ROLE = f"arn:aws:iam::{ACCOUNT}:role/app-task"
ECS_EXEC_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"

T = {
    "taskdef": "aws:ecs/taskDefinition:TaskDefinition",
    "service": "aws:ecs/service:Service",
    "taskset": "aws:ecs/taskSet:TaskSet",
    "cluster": "aws:ecs/cluster:Cluster",
    "repo": "aws:ecr/repository:Repository",
    "repo_policy": "aws:ecr/repositoryPolicy:RepositoryPolicy",
    "registry_policy": "aws:ecr/registryPolicy:RegistryPolicy",
    "lifecycle": "aws:ecr/lifecyclePolicy:LifecyclePolicy",
    "lb": "aws:lb/loadBalancer:LoadBalancer",
    "alb": "aws:alb/loadBalancer:LoadBalancer",
    "listener": "aws:lb/listener:Listener",
    "alb_listener": "aws:alb/listener:Listener",
    "listener_rule": "aws:lb/listenerRule:ListenerRule",
    "alb_listener_rule": "aws:alb/listenerRule:ListenerRule",
    "tg": "aws:lb/targetGroup:TargetGroup",
    "alb_tg": "aws:alb/targetGroup:TargetGroup",
    "sg": "aws:ec2/securityGroup:SecurityGroup",
    "sg_rule": "aws:ec2/securityGroupRule:SecurityGroupRule",
    "sg_ingress": "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "sg_egress": "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "default_sg": "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    "vpc": "aws:ec2/vpc:Vpc",
    "awsx_vpc": "awsx:ec2:Vpc",
    "flow_log": "aws:ec2/flowLog:FlowLog",
    "subnet": "aws:ec2/subnet:Subnet",
    "route_table": "aws:ec2/routeTable:RouteTable",
    "route": "aws:ec2/route:Route",
    "rt_assoc": "aws:ec2/routeTableAssociation:RouteTableAssociation",
    "igw": "aws:ec2/internetGateway:InternetGateway",
    "nacl": "aws:ec2/networkAcl:NetworkAcl",
    "nacl_rule": "aws:ec2/networkAclRule:NetworkAclRule",
    "log_group": "aws:cloudwatch/logGroup:LogGroup",
    "rds": "aws:rds/instance:Instance",
    "rds_cluster": "aws:rds/cluster:Cluster",
    "rds_cluster_instance": "aws:rds/clusterInstance:ClusterInstance",
    "param_group": "aws:rds/parameterGroup:ParameterGroup",
    "subnet_group": "aws:rds/subnetGroup:SubnetGroup",
    "secret": "aws:secretsmanager/secret:Secret",
    "rotation": "aws:secretsmanager/secretRotation:SecretRotation",
    "iam_policy": "aws:iam/policy:Policy",
    "role_policy": "aws:iam/rolePolicy:RolePolicy",
    "role": "aws:iam/role:Role",
    "attachment": "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "user_attachment": "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    "group_attachment": "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
    "policy_attachment": "aws:iam/policyAttachment:PolicyAttachment",
    "role_attachments_exclusive": "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
    "user_attachments_exclusive": "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive",
    "group_attachments_exclusive": "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive",
    "user_policy": "aws:iam/userPolicy:UserPolicy",
    "secret_policy": "aws:secretsmanager/secretPolicy:SecretPolicy",
    "native_taskdef": "aws-native:ecs:TaskDefinition",
    "native_service": "aws-native:ecs:Service",
    "native_db": "aws-native:rds:DbInstance",
    "native_sg": "aws-native:ec2:SecurityGroup",
    "native_sg_ingress": "aws-native:ec2:SecurityGroupIngress",
    "native_repo": "aws-native:ecr:Repository",
    "awsx_taskdef": "awsx:ecs:FargateTaskDefinition",
    "awsx_service": "awsx:ecs:FargateService",
    "kms": "aws:kms/key:Key",
    "alarm": "aws:cloudwatch/metricAlarm:MetricAlarm",
    "topic": "aws:sns/topic:Topic",
}


def doc(*statements: Dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


CONTAINER: Dict[str, Any] = {
    "name": "app",
    "image": f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/app:3f2a9c1e",
    "essential": True,
    "user": "1000:1000",
    "readonlyRootFilesystem": True,
    "privileged": False,
    "linuxParameters": {"initProcessEnabled": True},
    "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
    "environment": [{"name": k, "value": v} for k, v in {
        "DB_HOST": "app-db.abc.us-east-1.rds.amazonaws.com", "DB_PORT": "3306", "DB_NAME": "app", "DB_TLS": "true",
        "DB_POOL_SIZE": "10", "RUN_MIGRATIONS": "false", "LOG_LEVEL": "info", "PORT": "8080",
        "NODE_ENV": "production", "KMS_KEY_ID": "alias/app", "SECRET_NAME_PREFIX": "app/"}.items()],
    "secrets": [{"name": "DB_USER", "valueFrom": f"{SECRET_ARN}:username::"},
                {"name": "DB_PASSWORD", "valueFrom": f"{SECRET_ARN}:password::"}],
    "logConfiguration": {"logDriver": "awslogs", "options": {
        "awslogs-group": "/ecs/app", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "app"}},
    "healthCheck": {"command": ["CMD", "node", "healthcheck.js"], "interval": 10, "retries": 3},
    "stopTimeout": 30,
}


def taskdef(containers=None, **top: Any) -> Dict[str, Any]:
    props = {
        "family": "app", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256",
        "memory": "512", "executionRoleArn": EXEC_ROLE, "taskRoleArn": TASK_ROLE,
        "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
        "containerDefinitions": json.dumps(containers if containers is not None else [CONTAINER]),
    }
    return patch(props, **top)


def container(**changes: Any) -> Dict[str, Any]:
    """The compliant container with ``changes`` (a value of DELETE removes the key)."""
    return patch(CONTAINER, **changes)


def with_env(*pairs) -> Dict[str, Any]:
    c = copy.deepcopy(CONTAINER)
    c["environment"] = c["environment"] + [{"name": n, "value": v} for n, v in pairs]
    return c


DELETE = object()


def patch(base: Dict[str, Any], /, **changes: Any) -> Dict[str, Any]:
    """A deep copy of ``base`` with top-level ``changes``; DELETE removes a key."""
    out = copy.deepcopy(base)
    for k, v in changes.items():
        if v is DELETE:
            out.pop(k, None)
        else:
            out[k] = v
    return out


SG_DB_INGRESS = {"protocol": "tcp", "fromPort": 3306, "toPort": 3306, "securityGroups": ["sg-tasks"],
                 "description": "MySQL from the tasks"}

BASE: Dict[str, Dict[str, Any]] = {
    "taskdef": taskdef(),
    "service": {
        "cluster": "arn:aws:ecs:us-east-1:111122223333:cluster/app", "taskDefinition": "app:3", "desiredCount": 2,
        "capacityProviderStrategies": [{"capacityProvider": "FARGATE", "weight": 1, "base": 1},
                                       {"capacityProvider": "FARGATE_SPOT", "weight": 1}],
        "platformVersion": "LATEST",
        "networkConfiguration": {"assignPublicIp": False, "subnets": ["subnet-a", "subnet-b"],
                                 "securityGroups": ["sg-tasks"]},
        "deploymentCircuitBreaker": {"enable": True, "rollback": True},
        "deploymentController": {"type": "ECS"},
        "healthCheckGracePeriodSeconds": 30,
    },
    "taskset": {"cluster": "app", "service": "app", "taskDefinition": "app:3", "launchType": "FARGATE",
                "networkConfiguration": {"assignPublicIp": False, "subnets": ["subnet-a"]}},
    "cluster": {"settings": [{"name": "containerInsights", "value": "enabled"}],
                "configuration": {"executeCommandConfiguration": {
                    "kmsKeyId": KEY_ARN, "logging": "OVERRIDE",
                    "logConfiguration": {"cloudWatchLogGroupName": "/ecs/app/exec",
                                         "cloudWatchEncryptionEnabled": True}}}},
    "repo": {"imageTagMutability": "IMMUTABLE", "imageScanningConfiguration": {"scanOnPush": True},
             "encryptionConfigurations": [{"encryptionType": "KMS", "kmsKey": KEY_ARN}]},
    "repo_policy": {"repository": "app", "policy": doc(
        {"Sid": "pull", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
         "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]})},
    "lb": {"loadBalancerType": "application", "internal": False, "subnets": ["subnet-pub-a", "subnet-pub-b"],
           "securityGroups": ["sg-alb"], "dropInvalidHeaderFields": True, "desyncMitigationMode": "defensive",
           "enableDeletionProtection": True, "accessLogs": {"bucket": "app-alb-logs", "enabled": True}},
    "listener": {"loadBalancerArn": "arn:lb", "port": 80, "protocol": "HTTP", "defaultActions": [
        {"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}]},
    "listener_https": {"loadBalancerArn": "arn:lb", "port": 443, "protocol": "HTTPS",
                       "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
                       "certificateArn": f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/0000",
                       "defaultActions": [{"type": "forward", "targetGroupArn": "arn:tg"}]},
    "tg": {"port": 8080, "protocol": "HTTP", "targetType": "ip", "vpcId": "vpc-1", "deregistrationDelay": 10,
           "healthCheck": {"enabled": True, "path": "/healthz", "interval": 10, "healthyThreshold": 2,
                           "matcher": "200"}},
    "sg_alb": {"description": "ALB: HTTP(S) from the internet", "vpcId": "vpc-1",
               "ingress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"],
                            "ipv6CidrBlocks": ["::/0"], "description": "HTTPS from the internet"},
                           {"protocol": "tcp", "fromPort": 80, "toPort": 80, "cidrBlocks": ["0.0.0.0/0"],
                            "description": "HTTP, redirected to HTTPS"}],
               "egress": [{"protocol": "tcp", "fromPort": 8080, "toPort": 8080, "securityGroups": ["sg-tasks"],
                           "description": "to the tasks"}]},
    "sg_tasks": {"description": "Tasks: app port from the ALB only", "vpcId": "vpc-1",
                 "ingress": [{"protocol": "tcp", "fromPort": 8080, "toPort": 8080, "securityGroups": ["sg-alb"],
                              "description": "app port from the ALB"}],
                 "egress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"],
                             "description": "AWS APIs and ECR through NAT"}]},
    "sg_db": {"description": "Database: MySQL from the tasks only", "vpcId": "vpc-1",
              "ingress": [SG_DB_INGRESS], "egress": []},
    "sg_rule": {"type": "ingress", "securityGroupId": "sg-db", "protocol": "tcp", "fromPort": 3306,
                "toPort": 3306, "sourceSecurityGroupId": "sg-tasks", "description": "MySQL from the tasks"},
    "sg_ingress": {"securityGroupId": "sg-tasks", "ipProtocol": "tcp", "fromPort": 8080, "toPort": 8080,
                   "referencedSecurityGroupId": "sg-alb", "description": "app port from the ALB"},
    "sg_egress": {"securityGroupId": "sg-tasks", "ipProtocol": "tcp", "fromPort": 443, "toPort": 443,
                  "cidrIpv4": "0.0.0.0/0", "description": "HTTPS to AWS APIs"},
    "default_sg": {"vpcId": "vpc-1"},
    "subnet": {"vpcId": "vpc-1", "cidrBlock": "10.0.1.0/24", "mapPublicIpOnLaunch": False},
    "nacl": {"vpcId": "vpc-1", "ingress": [{"protocol": "tcp", "ruleNo": 100, "action": "allow",
                                           "cidrBlock": "0.0.0.0/0", "fromPort": 443, "toPort": 443}]},
    "nacl_rule": {"networkAclId": "acl-1", "ruleNumber": 100, "egress": False, "protocol": "tcp",
                  "ruleAction": "allow", "cidrBlock": "10.0.0.0/16", "fromPort": 22, "toPort": 22},
    "log_group": {"name": "/ecs/app", "retentionInDays": 30, "kmsKeyId": KEY_ARN},
    "alarm": {"namespace": "AWS/ApplicationELB", "metricName": "UnHealthyHostCount", "statistic": "Maximum",
              "dimensions": {"LoadBalancer": "app/app-alb/abc", "TargetGroup": "targetgroup/app-tg/def"},
              "period": 60.0, "evaluationPeriods": 5.0, "threshold": 0.0, "comparisonOperator": "GreaterThanThreshold",
              "alarmActions": [f"arn:aws:sns:us-east-1:{ACCOUNT}:app-alarms"]},
    "topic": {"kmsMasterKeyId": KEY_ARN},
    "rds": {"engine": "mysql", "engineVersion": "8.0", "instanceClass": "db.t4g.micro", "allocatedStorage": 20,
            "storageType": "gp3", "publiclyAccessible": False, "storageEncrypted": True, "kmsKeyId": KEY_ARN,
            "backupRetentionPeriod": 7, "multiAz": True, "deletionProtection": True,
            "autoMinorVersionUpgrade": True, "enabledCloudwatchLogsExports": ["error", "slowquery"],
            "iamDatabaseAuthenticationEnabled": True, "username": "appadmin", "manageMasterUserPassword": True,
            "copyTagsToSnapshot": True, "caCertIdentifier": "rds-ca-rsa2048-g1", "monitoringInterval": 60,
            "monitoringRoleArn": f"arn:aws:iam::{ACCOUNT}:role/rds-monitoring", "parameterGroupName": "app-mysql8",
            "dbSubnetGroupName": "app-db", "vpcSecurityGroupIds": ["sg-db"], "port": 3306},
    "secret": {"description": "app API credentials", "kmsKeyId": KEY_ARN},
    "rotation": {"secretId": SECRET_ARN, "rotationLambdaArn": "arn:aws:lambda:us-east-1:111122223333:function:rot",
                 "rotationRules": {"automaticallyAfterDays": 30}},
    "iam_policy": {"policy": doc(
        {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": SECRET_ARN},
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY_ARN},
        {"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"], "Resource": "*"})},
    "role": {"assumeRolePolicy": doc({"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                                      "Action": "sts:AssumeRole",
                                      "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}),
             "managedPolicyArns": [ECS_EXEC_POLICY],
             "inlinePolicies": [{"name": "read-db-secret", "policy": doc(
                 {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": SECRET_ARN})}]},
    "attachment": {"role": "app-exec", "policyArn": ECS_EXEC_POLICY},
    "kms": {"description": "app data key", "enableKeyRotation": True, "deletionWindowInDays": 30,
            "keyUsage": "ENCRYPT_DECRYPT", "customerMasterKeySpec": "SYMMETRIC_DEFAULT",
            "policy": doc({"Sid": "root", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                           "Action": "kms:*", "Resource": "*"})},
}

#: (fixture key, type key, resource name) for every compliant resource fixture.
RESOURCES = [
    ("taskdef", "taskdef", "app-task"), ("service", "service", "app-service"), ("taskset", "taskset", "app-ts"),
    ("cluster", "cluster", "app-cluster"), ("repo", "repo", "app-repo"), ("repo_policy", "repo_policy", "app-rp"),
    ("repo_policy", "registry_policy", "registry"), ("lb", "lb", "app-alb"), ("lb", "alb", "app-alb"),
    ("listener", "listener", "app-http"), ("listener", "alb_listener", "app-http"),
    ("listener_https", "listener", "app-https"), ("listener_https", "alb_listener", "app-https"),
    ("tg", "tg", "app-tg"), ("tg", "alb_tg", "app-tg"), ("sg_alb", "sg", "app-alb-sg"),
    ("sg_tasks", "sg", "app-tasks-sg"), ("sg_db", "sg", "app-db-sg"), ("sg_rule", "sg_rule", "app-db-from-tasks"),
    ("sg_ingress", "sg_ingress", "app-tasks-from-alb"), ("sg_egress", "sg_egress", "app-tasks-https-out"),
    ("default_sg", "default_sg", "app-default-sg"), ("subnet", "subnet", "app-private-1"),
    ("nacl", "nacl", "app-nacl"), ("nacl_rule", "nacl_rule", "app-nacl-ssh-internal"),
    ("log_group", "log_group", "app-logs"), ("rds", "rds", "app-db"), ("secret", "secret", "app-secret"),
    ("rotation", "rotation", "app-secret-rotation"), ("iam_policy", "iam_policy", "app-exec-policy"),
    ("iam_policy", "role_policy", "app-exec-inline"), ("role", "role", "app-exec"),
    ("attachment", "attachment", "app-exec-managed"), ("kms", "kms", "app-key"),
    ("alarm", "alarm", "app-unhealthy-hosts"), ("topic", "topic", "app-alarms"),
]
