"""Issue 12 (policy pack, second round): each class of evasion and of false positive, with fixtures in both
directions (a violation that must be caught, the nearest legitimate config that must pass), run through the pack
over the Analyzer protocol like every other case.

``CLASSES`` maps a class to its cases; ``test_every_class_has_fixtures_in_both_directions`` keeps it honest and
``python -m pytest tests/policies/test_pack_second_round.py -k counts -s`` prints the counts per class.
"""

from __future__ import annotations

import json
from typing import Dict, List

import pytest

from offline.analyzer import StackResource
from offline.wire import UNKNOWN, make_urn

from pack_fixtures import ACCOUNT, BASE, CONTAINER, DELETE, ECS_EXEC_POLICY, KEY_ARN, T, container, doc, patch, taskdef, \
    with_env
from test_pack_resource_rules import Case, check_case, fails, passes

R = "aws-ecs-taskdefinition-"
SG_ADMIN = "aws-ec2-securitygroup-no-world-admin-ports"
SG_ALL = "aws-ec2-securitygroup-no-world-all-protocols"
SG_WORLD = "aws-ec2-securitygroup-no-world-ingress"


def raw(*containers: str) -> Dict:
    """A task definition whose containerDefinitions is the JSON text given, container by container."""
    return taskdef(containerDefinitions="[" + ", ".join(containers) + "]")


def base_with(extra: str, **changes) -> str:
    """The compliant container as JSON text with ``extra`` key/value text appended (so keys can repeat)."""
    text = json.dumps(container(**changes))
    return text[:-1] + ", " + extra + "}"


def world_ssh(**fields) -> Dict:
    return {"type": "ingress", "securityGroupId": "sg-1", "cidrBlocks": ["0.0.0.0/0"], "description": "x",
            **fields}


def caps(*add, **extra) -> Dict:
    return container(linuxParameters={"initProcessEnabled": True, "capabilities": {"add": list(add), **extra}})


AURORA = {"engine": "aurora-mysql", "engineVersion": "8.0.mysql_aurora.3.08.0", "storageEncrypted": True,
          "kmsKeyId": KEY_ARN, "backupRetentionPeriod": 7, "deletionProtection": True,
          "iamDatabaseAuthenticationEnabled": True, "masterUsername": "appadmin", "manageMasterUserPassword": True}
MULTI_AZ_CLUSTER = {**AURORA, "engine": "mysql", "engineVersion": "8.0.40", "dbClusterInstanceClass": "db.m6gd.large",
                    "storageType": "io1", "allocatedStorage": 100, "iops": 1000, "publiclyAccessible": False}

ADMIN = "aws-iam-policy-no-admin-access"
ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
DB_USER_ARN = f"arn:aws:rds-db:us-east-1:{ACCOUNT}:dbuser:db-ABCDEFGHIJKL/app"


def policy(*statements) -> Dict:
    return {"policy": doc(*statements)}


def allow(action, resource=None, **extra) -> Dict:
    st = {"Effect": "Allow", "Action": action, **extra}
    if resource is not None:
        st["Resource"] = resource
    return st


def open_to_all(condition=None, principal="*", **extra) -> Dict:
    st = {"Effect": "Allow", "Principal": principal, "Action": "ecr:BatchGetImage", **extra}
    if condition is not None:
        st["Condition"] = condition
    return st


HALVES = ["0.0.0.0/1", "128.0.0.0/1"]


def ingress(port, cidrs, protocol="tcp", **extra) -> Dict:
    return {"protocol": protocol, "fromPort": port, "toPort": port, "cidrBlocks": cidrs, "description": "x", **extra}


def tasks_sg(*entries) -> Dict:
    return patch(BASE["sg_tasks"], ingress=list(entries))


SECRET = R + "no-plaintext-secrets"
FUZZY = R + "no-secret-like-names"
PW = "Tr0ub4dor-and-3"


def env(*pairs, **kw) -> Dict:
    return taskdef([with_env(*pairs)], **kw)


def native_td(*containers, **top) -> Dict:
    """An aws-native task definition: containerDefinitions is a list of objects, not a JSON string."""
    return {"family": "app", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256",
            "memory": "512", "containerDefinitions": list(containers), **top}


ORG = {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}

CLASSES: Dict[str, List[Case]] = {
    "1. keys read case-insensitively, last duplicate wins (Go encoding/json)": [
        fails(R + "not-privileged", "taskdef", raw(base_with('"Privileged": true', privileged=DELETE)),
              id="privileged-capitalised"),
        fails(R + "not-privileged", "taskdef", raw(base_with('"PRIVILEGED": true')), id="privileged-upper-after-false"),
        passes(R + "not-privileged", "taskdef", raw(base_with('"PRIVILEGED": false', privileged=True)),
               id="privileged-true-then-false-wins"),
        fails(R + "not-privileged", "taskdef", raw(base_with('"\\u0070rivileged": true')), id="privileged-escaped-key"),
        fails(R + "non-root-user", "taskdef", raw(base_with('"USER": "0"')), id="user-overridden-by-upper-key"),
        passes(R + "non-root-user", "taskdef", raw(base_with('"User": "1000:1000"', user="0")),
               id="user-root-overridden-by-non-root"),
        fails(R + "readonly-root-filesystem", "taskdef", raw(base_with('"ReadOnlyRootFileSystem": false')),
              id="readonly-overridden-by-mixed-case"),
        passes(R + "readonly-root-filesystem", "taskdef",
               raw(base_with('"READONLYROOTFILESYSTEM": true', readonlyRootFilesystem=False)),
               id="readonly-false-overridden-by-true"),
        fails(R + "log-configuration", "taskdef", raw(base_with('"LogConfiguration": null')),
              id="log-configuration-nulled-by-second-spelling"),
        fails(R + "non-root-user", "taskdef", raw(base_with('"u\u017fer": "0"')), id="user-spelled-with-long-s"),
        passes(R + "non-root-user", "taskdef", raw(base_with('"us\u0435r": "0"')), id="cyrillic-e-is-another-key"),
    ],
    "1. environment entries in either key style": [
        fails(R + "no-plaintext-secrets", "taskdef",
              raw(base_with('"Environment": [{"Name": "DB_PASSWORD", "Value": "hunter2"}]', environment=DELETE)),
              id="env-go-style-keys"),
        fails(R + "no-plaintext-secrets", "taskdef",
              raw(base_with('"environment": [{"NAME": "DB_PASSWORD", "value": "hunter2", "Name": "DB_PASSWORD"}]',
                            environment=DELETE)), id="env-mixed-keys"),
        passes(R + "no-plaintext-secrets", "taskdef",
               raw(base_with('"Environment": [{"Name": "DB_USER", "Value": "app"}, {"Name": "DB_AUTH", '
                             '"Value": "iam"}]', environment=DELETE)), id="env-go-style-benign"),
    ],
    "1. numeric forms of user, port and protocol": [
        fails(R + "non-root-user", "taskdef", taskdef([container(user="+0")]), id="user-plus-0"),
        fails(R + "non-root-user", "taskdef", taskdef([container(user="-0:1000")]), id="user-minus-0"),
        fails(R + "non-root-user", "taskdef", taskdef([container(user="1000:+00")]), id="group-plus-00"),
        fails(R + "non-root-user", "taskdef", taskdef([container(user="0.0")]), id="user-0-as-float-text"),
        passes(R + "non-root-user", "taskdef", taskdef([container(user="+1000:1000")]), id="user-plus-1000"),
        passes(R + "non-root-user", "taskdef", taskdef([container(user="10")]), id="user-10-not-root"),
        fails(SG_ADMIN, "sg_rule", world_ssh(protocol="06", fromPort="022", toPort="22.0"), SG_WORLD,
              name="app-x", id="ssh-protocol-06-ports-as-text"),
        fails(SG_ADMIN, "sg_rule", world_ssh(protocol="+6", fromPort="2.2e1", toPort=22), SG_WORLD,
              name="app-x", id="ssh-protocol-plus-6-port-exponent"),
        fails(SG_ALL, "sg_rule", world_ssh(protocol="-01", fromPort=0, toPort=0), SG_WORLD, name="app-x",
              id="all-protocols-minus-01"),
        fails(SG_ALL, "sg", patch(BASE["sg_tasks"], ingress=[{"protocol": "ALL", "fromPort": 0, "toPort": 0,
                                                              "cidrBlocks": ["0.0.0.0/0"], "description": "x"}]),
              SG_WORLD, name="app-tasks-sg", id="all-protocols-upper-case"),
        passes(SG_ADMIN, "sg_rule", world_ssh(protocol="06", fromPort="0443", toPort="443.0"), name="app-alb-x",
               id="https-protocol-06-ports-as-text"),
        passes(SG_ALL, "sg_rule", world_ssh(protocol="17", fromPort="443", toPort="443"), name="app-alb-x",
               id="udp-443-as-text-is-not-all"),
    ],
    "5. host network and host namespaces are mandatory": [
        fails(R + "no-host-network", "taskdef", taskdef(networkMode="host"), id="level-host-network"),
        fails(R + "no-host-network", "taskdef", taskdef(networkMode="HOST"), id="level-host-network-upper"),
        passes(R + "no-host-network", "taskdef", taskdef(networkMode="awsvpc"), id="level-awsvpc"),
        fails(R + "no-host-namespaces", "taskdef", taskdef(pidMode="host"), id="level-host-pid"),
        fails(R + "no-host-namespaces", "taskdef", taskdef(ipcMode="Host"), id="level-host-ipc"),
        passes(R + "no-host-namespaces", "taskdef", taskdef(pidMode="task", ipcMode="none"), id="level-task-pid"),
    ],
    "5. Linux capabilities beyond the default set": [
        fails(R + "no-added-capabilities", "taskdef", taskdef([caps("SYS_ADMIN")]), id="cap-sys-admin"),
        fails(R + "no-added-capabilities", "taskdef", taskdef([caps("ALL")]), id="cap-all"),
        fails(R + "no-added-capabilities", "taskdef", taskdef([caps(" cap_net_admin ")]), id="cap-prefixed-lower"),
        fails(R + "no-added-capabilities", "taskdef",
              raw(base_with('"LinuxParameters": {"Capabilities": {"ADD": ["SYS_MODULE"]}}')), id="cap-go-style-keys"),
        fails(R + "no-added-capabilities", "taskdef", taskdef([caps("SYS_PTRACE")]), id="cap-ptrace-not-allowed"),
        passes(R + "no-added-capabilities", "taskdef", taskdef([caps("SYS_PTRACE")]),
               config={R + "no-added-capabilities": {"allowedCapabilities": ["SYS_PTRACE"]}},
               id="cap-ptrace-allowed-by-stack"),
        passes(R + "no-added-capabilities", "taskdef", taskdef([caps("CHOWN", "NET_BIND_SERVICE", drop=["ALL"])]),
               id="cap-default-set-and-drop-all"),
    ],
    "5. DB clusters get the instance's backup, deletion-protection and public-access rules": [
        fails("aws-rds-instance-backup-retention", "rds_cluster", patch(AURORA, backupRetentionPeriod=1),
              id="aurora-backup-1-day"),
        fails("aws-rds-instance-backup-retention", "rds_cluster", patch(AURORA, backupRetentionPeriod=DELETE),
              id="aurora-backup-default"),
        fails("aws-rds-instance-deletion-protection", "rds_cluster", patch(AURORA, deletionProtection=False),
              id="aurora-no-deletion-protection"),
        fails("aws-rds-instance-not-public", "rds_cluster", patch(MULTI_AZ_CLUSTER, publiclyAccessible=True),
              id="multi-az-cluster-public"),
        fails("aws-rds-instance-not-public", "rds_cluster_instance",
              {"clusterIdentifier": "app", "instanceClass": "db.r6g.large", "engine": "aurora-mysql",
               "publiclyAccessible": True}, id="aurora-instance-public"),
        passes("aws-rds-instance-backup-retention", "rds_cluster", AURORA, id="aurora-compliant"),
        passes("aws-rds-instance-not-public", "rds_cluster", MULTI_AZ_CLUSTER, id="multi-az-cluster-compliant"),
        passes("aws-rds-instance-deletion-protection", "rds_cluster", patch(AURORA, deletionProtection=False),
               config={"aws-rds-instance-deletion-protection": {"required": False}}, id="aurora-dev-no-protection"),
    ],
    "2. secrets in concatenated names": [
        fails(SECRET, "taskdef", env(("DBPASSWORD", PW)), id="secret-dbpassword"),
        fails(SECRET, "taskdef", env(("MYSQLPWD", PW)), id="secret-mysqlpwd"),
        fails(SECRET, "taskdef", env(("clientSecret", "abc123")), id="secret-camel-client-secret"),
        fails(SECRET, "taskdef", env(("STRIPEAPIKEY", "abc123")), id="secret-stripeapikey"),
        passes(SECRET, "taskdef", env(("PASSWORDMINLENGTH", "12"), ("TOKENTTL", "3600")),
               id="secret-concatenated-settings"),
        passes(SECRET, "taskdef", env(("PWD", "/app")), id="secret-pwd-is-the-working-directory"),
    ],
    "2. connection strings of every common form": [
        fails(SECRET, "taskdef", env(("DATABASE_URL", f"mysql://app:{PW}@db:3306/app")), id="conn-url-userinfo"),
        fails(SECRET, "taskdef", env(("REDIS_URL", f"redis://:{PW}@cache:6379/0")), id="conn-redis-password-only"),
        fails(SECRET, "taskdef", env(("DATABASE_URL", f"postgresql://db:5432/app?user=app&password={PW}")),
              id="conn-url-query"),
        fails(SECRET, "taskdef", env(("JDBC_URL", f"jdbc:mysql://db:3306/app?user=app&password={PW}")),
              id="conn-jdbc-query"),
        fails(SECRET, "taskdef", env(("SQLSERVER", f"Server=db;Database=app;User Id=sa;Password={PW};")),
              id="conn-ado-key-value"),
        fails(SECRET, "taskdef", env(("PG_CONN", f"host=db user=app password={PW} dbname=app")), id="conn-libpq-dsn"),
        fails(SECRET, "taskdef", env(("ORACLE_CONNECT", f"scott/{PW}@//db:1521/orcl")), id="conn-oracle-ez"),
        fails(SECRET, "taskdef", env(("SEARCH_URL", "https://search.example.com/v1?api_key=9f8e7d6c5b4a")),
              id="conn-api-key-query"),
        passes(SECRET, "taskdef", env(("DATABASE_URL", "mysql://db:3306/app?ssl-mode=REQUIRED"),
                                      ("PASSWORD_RESET_URL", "https://example.com/account/reset-password")),
               id="conn-url-without-credentials"),
    ],
    "2. structured values (JSON in an env var)": [
        fails(SECRET, "taskdef", env(("APP_CONFIG", json.dumps({"db": {"host": "db", "password": PW}}))),
              id="json-nested-password"),
        fails(SECRET, "taskdef",
              env(("FEATURES", json.dumps([{"name": "pay", "key": "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"}]))),
              id="json-detector-value"),
        fails(SECRET, "taskdef", env(("SETTINGS", json.dumps({"upstream": f"mysql://app:{PW}@db/app"}))),
              id="json-connection-string"),
        passes(SECRET, "taskdef", env(("APP_CONFIG", json.dumps({"db": {"host": "db", "port": 3306, "user": "app",
                                                                        "passwordMinLength": 12}}))),
               id="json-settings-only"),
    ],
    "2. values a maintained detector recognises (detect-secrets)": [
        fails(SECRET, "taskdef", env(("CI_HELPER", "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8")),
              id="detector-github-token"),
        fails(SECRET, "taskdef", env(("NOTIFY", "xoxb-" + "123456789012-1234567890123-abcdefghijklmnopqrstuvwx")),
              id="detector-slack-token"),
        fails(SECRET, "taskdef", env(("SESSION", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
                                                 "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U")), id="detector-jwt"),
        passes(SECRET, "taskdef",
               env(("BUILD_SHA", "3f2a9c1e" * 5), ("DB_HOST", "app-db.abc.us-east-1.rds.amazonaws.com")),
               id="detector-sha-and-host-are-not-secrets"),
    ],
    "2. benign settings whose names contain a secret-ish word": [
        passes(SECRET, "taskdef", env(("PASSWORD_MIN_LENGTH", "12"), ("TOKEN_TTL", "3600"),
                                      ("SESSION_TOKEN_TTL_SECONDS", "900"), ("MAX_TOKENS", "4096"),
                                      ("SECRET_ROTATION_DAYS", "30"), ("DB_PASSWORD_SECRET_ARN",
                                                                        "arn:aws:secretsmanager:us-east-1:1:secret:x"),
                                      ("STRIPE_PUBLISHABLE_KEY", "pk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"),
                                      ("RECAPTCHA_SITE_KEY", "6LeIxAcTAAAAAJcZVRqyHh71UMIEGNQ_MXjiZKhI"),
                                      ("AUTH_TOKEN_HEADER", "Authorization")), id="benign-settings"),
        passes(FUZZY, "taskdef", env(("DB_USER", "app_user"), ("DB_APP_USER", "app"), ("DB_AUTH", "iam"),
                                     ("SORT_KEY", "createdAt")), id="benign-program-env"),
        fails(SECRET, "taskdef", env(("DB_PASSWORD", "hunter2")), id="benign-nearest-real-password"),
    ],
    "2. confidence split: fuzzy names advisory, allowedNames needs a reason": [
        fails(FUZZY, "taskdef", env(("SESSION_SALT", "Xy7-salt")), id="fuzzy-salt"),
        fails(FUZZY, "taskdef", env(("SIGNING_KEY", "Kx9_signing_v2")), id="fuzzy-signing-key"),
        fails(SECRET, "taskdef", env(("SIGNING_KEY", "8f9Kq2LmZx7Pw3Rt5Yv1Nb6Hc4Jd0Gs")),
              id="fuzzy-name-random-value-is-high"),
        passes(FUZZY, "taskdef", env(("SESSION_SALT", "Xy7-salt")),
               config={FUZZY: {"allowedNames": [{"name": "session_salt",
                                                 "reason": "a public per-deploy salt for cache keys"}]}},
               id="fuzzy-allowed-with-reason"),
        fails(SECRET, "taskdef", env(("DB_PASSWORD", f"mysql://app:{PW}@db/app")),
              config={SECRET: {"allowedNames": [{"name": "DB_PASSWORD", "reason": "trying to silence the rule"}]}},
              id="allowed-name-cannot-hide-a-detected-value"),
    ],
    "6. aws-native types and awsx components": [
        fails(R + "non-root-user", "native_taskdef", native_td(container(user="0")), id="native-td-root"),
        fails(R + "not-privileged", "native_taskdef", native_td(container(privileged=True)), id="native-td-privileged"),
        fails(R + "no-host-network", "native_taskdef", native_td(CONTAINER, networkMode="host"),
              id="native-td-host-network"),
        fails(R + "no-plaintext-secrets", "native_taskdef", native_td(with_env(("DB_PASSWORD", PW))),
              id="native-td-plaintext-secret"),
        passes(R + "non-root-user", "native_taskdef", native_td(CONTAINER), id="native-td-compliant"),
        fails(R + "non-root-user", "awsx_taskdef", {"container": container(user="root")}, id="awsx-td-root"),
        fails(R + "not-privileged", "awsx_service",
              {"taskDefinitionArgs": {"containers": {"app": container(name=DELETE, privileged=True)}}},
              id="awsx-service-privileged-container"),
        fails("aws-ecs-service-no-public-ip", "awsx_service",
              {"assignPublicIp": True, "taskDefinitionArgs": {"container": CONTAINER}}, id="awsx-service-public-ip"),
        passes(R + "not-privileged", "awsx_service", {"taskDefinitionArgs": {"container": CONTAINER},
                                                      "assignPublicIp": False}, id="awsx-service-compliant"),
        passes(R + "valid-container-definitions", "awsx_service", {"taskDefinition": "arn:aws:ecs:td/app:3"},
               id="awsx-service-existing-task-definition"),
        fails("aws-ecs-service-no-public-ip", "native_service",
              {"networkConfiguration": {"awsvpcConfiguration": {"assignPublicIp": "ENABLED"}}},
              id="native-service-public-ip"),
        passes("aws-ecs-service-no-public-ip", "native_service",
               {"networkConfiguration": {"awsvpcConfiguration": {"assignPublicIp": "DISABLED"}}},
               id="native-service-private"),
        fails("aws-rds-instance-not-public", "native_db", {"engine": "mysql", "storageEncrypted": True,
                                                           "publiclyAccessible": True}, id="native-db-public"),
        fails("aws-rds-instance-storage-encrypted", "native_db", {"engine": "mysql", "storageEncrypted": False},
              id="native-db-unencrypted"),
        passes("aws-rds-instance-not-public", "native_db", {"engine": "mysql", "storageEncrypted": True,
                                                            "publiclyAccessible": False}, id="native-db-compliant"),
        fails(SG_ADMIN, "native_sg", {"groupDescription": "x", "securityGroupIngress": [
            {"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "cidrIp": "0.0.0.0/0"}]}, id="native-sg-ssh-world"),
        fails(SG_ALL, "native_sg_ingress", {"groupId": "sg-1", "ipProtocol": "-1", "cidrIpv6": "::/0"},
              id="native-ingress-all-world"),
        passes(SG_ADMIN, "native_sg", {"groupDescription": "x", "securityGroupIngress": [
            {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIp": "0.0.0.0/0"}]}, id="native-sg-https-world"),
        fails("aws-ecr-repositorypolicy-no-public-principal", "native_repo",
              {"repositoryPolicyText": {"Version": "2012-10-17", "Statement": [open_to_all()]}},
              id="native-repo-public-policy-object"),
        passes("aws-ecr-repositorypolicy-no-public-principal", "native_repo",
               {"repositoryPolicyText": {"Version": "2012-10-17", "Statement": [open_to_all(ORG)]}},
               id="native-repo-org-policy"),
    ],
    "3. IAM administrator access by meaning, not spelling": [
        fails(ADMIN, "iam_policy", policy(allow("*", NotResource="arn:aws:s3:::logs/*")), id="admin-notresource"),
        fails(ADMIN, "iam_policy", policy(allow("*", "arn:aws:*")), id="admin-arn-aws-star"),
        fails(ADMIN, "iam_policy", policy(allow(["*:*"], ["arn:*:*:*:*:*"])), id="admin-arn-all-segments"),
        fails(ADMIN, "iam_policy", policy(allow("IAM:*", "*")), id="admin-whole-iam-service"),
        fails(ADMIN, "iam_policy", policy(allow("iam:*", f"arn:aws:iam::{ACCOUNT}:*")), id="admin-iam-on-all-iam"),
        fails(ADMIN, "iam_policy", policy(allow("?*", "*")), id="admin-question-star"),
        fails(ADMIN, "iam_policy", {"policy": json.dumps({"Version": "2012-10-17", "Statement": allow("*", "*")})},
              id="admin-statement-object"),
        fails(ADMIN, "iam_policy", {"policy": json.dumps({"version": "2012-10-17", "statement": [
            {"effect": "Allow", "action": "*", "resource": "*"}]})}, id="admin-lower-case-elements"),
        fails(ADMIN, "iam_policy", policy({"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}),
              id="admin-notaction"),
        fails(ADMIN, "user_policy", {"user": "ci", "policy": doc(allow("*", "*"))}, id="admin-user-inline"),
        fails(ADMIN, "user_attachment", {"user": "ci", "policyArn": ADMIN_ARN}, "aws-iam-role-no-aws-managed-policies",
              id="admin-user-attachment"),
        fails(ADMIN, "group_attachment", {"group": "ops", "policyArn": ADMIN_ARN},
              "aws-iam-role-no-aws-managed-policies", id="admin-group-attachment"),
        fails(ADMIN, "policy_attachment", {"name": "x", "roles": ["app"], "policyArn": ADMIN_ARN},
              "aws-iam-role-no-aws-managed-policies", id="admin-policy-attachment"),
        fails(ADMIN, "role_attachments_exclusive", {"roleName": "app", "policyArns": [ECS_EXEC_POLICY, ADMIN_ARN]},
              "aws-iam-role-no-aws-managed-policies", id="admin-role-attachments-exclusive"),
        fails(ADMIN, "user_attachments_exclusive", {"userName": "ci", "policyArns": [ADMIN_ARN]},
              "aws-iam-role-no-aws-managed-policies", id="admin-user-attachments-exclusive"),
        fails(ADMIN, "group_attachments_exclusive",
              {"groupName": "ops", "policyArns": ["arn:aws:iam::aws:policy/IAMFullAccess"]},
              "aws-iam-role-no-aws-managed-policies", id="admin-group-attachments-exclusive"),
        fails(ADMIN, "role", patch(BASE["role"], managedPolicyArns=[ADMIN_ARN]),
              "aws-iam-role-no-aws-managed-policies", id="admin-role-managed-policy-arns"),
        passes(ADMIN, "iam_policy", policy(allow("rds-db:connect", DB_USER_ARN)), id="rds-connect-one-db-user"),
        passes(ADMIN, "iam_policy", policy({"Effect": "Deny", "Action": "*", "NotResource": "arn:aws:s3:::app/*"}),
               id="deny-with-notresource"),
        passes(ADMIN, "iam_policy", policy(allow("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/app-task")),
               id="passrole-one-role"),
        passes(ADMIN, "role_attachments_exclusive", {"roleName": "app", "policyArns": [ECS_EXEC_POLICY]},
               id="exclusive-exec-policy-only"),
    ],
    "3. public resource policies unless a condition really restricts them": [
        fails("aws-ecr-repositorypolicy-no-public-principal", "repo_policy",
              {"repository": "app", "policy": doc(open_to_all({"StringEquals": {"aws:RequestedRegion": "us-east-1"}}))},
              id="ecr-public-region-condition"),
        fails("aws-ecr-repositorypolicy-no-public-principal", "repo_policy",
              {"repository": "app", "policy": doc(open_to_all({"StringLike": {"aws:PrincipalOrgID": "*"}},
                                                              principal={"AWS": ["*"]}))},
              id="ecr-public-org-wildcard"),
        fails("aws-ecr-repositorypolicy-no-public-principal", "repo_policy",
              {"repository": "app", "policy": doc(open_to_all(
                  {"StringEqualsIfExists": {"aws:SourceAccount": ACCOUNT}}))}, id="ecr-public-if-exists"),
        fails("aws-ecr-repositorypolicy-no-public-principal", "repo_policy",
              {"repository": "app", "policy": doc(open_to_all(
                  {"StringNotEquals": {"aws:PrincipalAccount": "999999999999"}}))}, id="ecr-public-negated"),
        fails("aws-kms-key-no-public-principal", "kms", patch(BASE["kms"], policy=doc(
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*",
             "Condition": {"StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}}})),
              id="kms-public-via-service-only"),
        fails("aws-secretsmanager-secretpolicy-no-public-principal", "secret_policy",
              {"secretArn": "arn:secret", "policy": doc({"Effect": "Allow", "Principal": "*",
                                                          "Action": "secretsmanager:GetSecretValue", "Resource": "*"})},
              id="secret-policy-public"),
        fails("aws-secretsmanager-secretpolicy-no-public-principal", "secret", patch(BASE["secret"], policy=doc(
            {"Effect": "Allow", "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
             "Action": "secretsmanager:GetSecretValue", "Resource": "*"})), id="secret-inline-notprincipal"),
        passes("aws-ecr-repositorypolicy-no-public-principal", "repo_policy",
               {"repository": "app", "policy": doc(open_to_all(ORG))}, id="ecr-org-restricted"),
        passes("aws-kms-key-no-public-principal", "kms", patch(BASE["kms"], policy=doc(
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*",
             "Condition": {"StringEquals": {"kms:CallerAccount": ACCOUNT,
                                            "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}}})),
               id="kms-caller-account"),
        passes("aws-secretsmanager-secretpolicy-no-public-principal", "secret_policy",
               {"secretArn": "arn:secret", "policy": doc(
                   {"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*",
                    "Condition": {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/app-*"}}})},
               id="secret-principal-arn-one-account"),
        passes("aws-secretsmanager-secretpolicy-no-public-principal", "secret_policy",
               {"secretArn": "arn:secret", "policy": doc(
                   {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/app-task"},
                    "Action": "secretsmanager:GetSecretValue", "Resource": "*"})}, id="secret-one-role"),
    ],
    "4. network exposure by coverage of the union of sources": [
        fails(SG_ADMIN, "sg", tasks_sg(ingress(22, HALVES)), SG_WORLD, name="app-tasks-sg", id="ssh-two-halves"),
        fails(SG_ADMIN, "sg", tasks_sg(ingress(3306, HALVES[:1]), ingress(3306, HALVES[1:])), SG_WORLD,
              name="app-tasks-sg", id="mysql-halves-in-two-inline-rules"),
        fails(SG_ADMIN, "sg", tasks_sg(ingress(22, [f"{i}.0.0.0/8" for i in range(256)])), SG_WORLD,
              name="app-tasks-sg", id="ssh-256-slash-8-blocks"),
        fails(SG_ADMIN, "sg_rule", patch(world_ssh(protocol="tcp", fromPort=22, toPort=22), cidrBlocks=DELETE,
                                                   ipv6CidrBlocks=["::/1", "8000::/1"]), SG_WORLD, name="app-x",
              id="ssh-ipv6-halves"),
        fails(SG_ALL, "sg", tasks_sg(ingress(0, HALVES[:1], "-1"), ingress(0, HALVES[1:], "-1")), SG_WORLD,
              name="app-tasks-sg", id="all-protocols-halves"),
        fails(SG_ADMIN, "sg", tasks_sg(ingress(22, HALVES[:1]), ingress(0, HALVES[1:], "-1")), SG_WORLD,
              name="app-tasks-sg", id="ssh-half-plus-all-protocols-half"),
        passes(SG_ADMIN, "sg", tasks_sg(ingress(22, ["0.0.0.0/1", "128.0.0.0/2"])), name="app-tasks-sg",
               id="ssh-three-quarters-is-not-the-world"),
        passes(SG_ADMIN, "sg", tasks_sg(ingress(22, HALVES[:1]), ingress(3306, HALVES[1:])), name="app-tasks-sg",
               id="halves-on-different-ports"),
        passes(SG_ALL, "sg", tasks_sg(ingress(0, ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"], "-1")),
               name="app-tasks-sg", id="all-protocols-from-private-ranges"),
    ],
}

CASES = [case for cases in CLASSES.values() for case in cases]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(pack, case):
    check_case(pack, case)


# --- Exposure split across rule resources (the stack rule) ------------------------------------------------------

ACROSS = "aws-ec2-securitygroup-no-world-exposure-across-rules"


def vpc_ingress(name, group, port, cidr, **extra):
    props = {"securityGroupId": group, "ipProtocol": "tcp", "fromPort": port, "toPort": port, "description": "x",
             **extra}
    props.update({"cidrIpv6" if ":" in cidr else "cidrIpv4": cidr})
    return StackResource(T["sg_ingress"], name, props)


def group(name, sg_id, *entries):
    return StackResource(T["sg"], name, patch(BASE["sg_tasks"], id=sg_id, ingress=list(entries)))


def sg_rule_res(name, group_id, port, cidrs, deps=None):
    props = {"type": "ingress", "securityGroupId": group_id, "protocol": "tcp", "fromPort": port, "toPort": port,
             "cidrBlocks": cidrs, "description": "x"}
    return StackResource(T["sg_rule"], name, props,
                         property_dependencies={"securityGroupId": deps} if deps else {})


STACK_CASES = [
    ("two-vpc-rules-halves-on-ssh", [vpc_ingress("a", "sg-9", 22, HALVES[0]), vpc_ingress("b", "sg-9", 22, HALVES[1])],
     True),
    ("inline-half-plus-rule-resource-half", [group("g", "sg-7", ingress(3306, HALVES[:1])),
                                             sg_rule_res("r", "sg-7", 3306, HALVES[1:])], True),
    ("rule-found-by-dependency-in-preview", [group("g", "sg-7", ingress(3306, HALVES[:1])),
                                             sg_rule_res("r", UNKNOWN, 3306, HALVES[1:],
                                                         deps=[make_urn("dev", "app", "", T["sg"], "g")])], True),
    ("ipv6-halves-in-two-vpc-rules", [vpc_ingress("a", "sg-9", 5432, "::/1"),
                                      vpc_ingress("b", "sg-9", 5432, "8000::/1")], True),
    ("halves-on-two-groups", [vpc_ingress("a", "sg-1", 22, HALVES[0]), vpc_ingress("b", "sg-2", 22, HALVES[1])],
     False),
    ("halves-on-https", [vpc_ingress("a", "sg-9", 443, HALVES[0]), vpc_ingress("b", "sg-9", 443, HALVES[1])], False),
    ("one-resource-alone-is-the-resource-rules", [group("g", "sg-7", ingress(22, ["0.0.0.0/0"])),
                                                  sg_rule_res("r", "sg-7", 22, ["10.0.0.0/8"])], False),
]


@pytest.mark.parametrize("id_,stack,caught", STACK_CASES, ids=[c[0] for c in STACK_CASES])
def test_exposure_across_rule_resources(pack, id_, stack, caught):
    result = pack.analyze_resources(stack)
    assert [n for n in result.not_applicable if n.reason.startswith("internal error")] == []
    found = [(v.policy_name, v.enforcement_level) for v in result.violations if v.policy_name == ACROSS]
    assert found == ([(ACROSS, "mandatory")] if caught else [])


@pytest.mark.parametrize("rule", [SECRET, FUZZY])
def test_allowed_names_without_a_reason_are_refused(pack, rule):
    from offline.analyzer import ConfigError

    with pytest.raises(ConfigError, match="reason"):
        pack.configure({rule: {"allowedNames": [{"name": "SESSION_SALT"}]}})
    with pytest.raises(ConfigError, match="allowedNames"):
        pack.configure({rule: {"allowedNames": ["SESSION_SALT"]}})


def test_case_ids_are_unique():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("name", list(CLASSES))
def test_every_class_has_fixtures_in_both_directions(name):
    cases = CLASSES[name]
    assert any(c.rule in c.expected for c in cases), "no violating fixture"
    assert any(c.rule not in c.expected for c in cases), "no legitimate fixture"


def test_counts():
    for name, cases in CLASSES.items():
        caught = sum(1 for c in cases if c.rule in c.expected)
        print(f"{name}: {len(cases)} fixtures ({caught} caught, {len(cases) - caught} pass)")
    caught = sum(1 for c in STACK_CASES if c[2])
    print(f"4. exposure split across rule resources (stack rule): {len(STACK_CASES)} fixtures ({caught} caught, "
          f"{len(STACK_CASES) - caught} pass)")
