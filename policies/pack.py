"""The pack's rules, as an explicit list. Importing this module starts no server.

`policies/__main__.py` builds the PolicyPack from :data:`POLICIES`; the tests and the README generator
introspect it directly. Each entry is a module ``<service>.<rule>`` holding one ``POLICY``.
"""

import importlib
from typing import List, Union

from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

RULES = [
    "ecs.cluster_container_insights",
    "ecs.cluster_exec_encryption",
    "ecs.cluster_exec_logging",
    "ecs.service_circuit_breaker",
    "ecs.service_fargate_platform_version",
    "ecs.service_no_public_ip",
    "ecs.taskdefinition_efs_transit_encryption",
    "ecs.taskdefinition_log_configuration",
    "ecs.taskdefinition_no_added_capabilities",
    "ecs.taskdefinition_no_host_namespaces",
    "ecs.taskdefinition_no_host_network",
    "ecs.taskdefinition_no_plaintext_secrets",
    "ecs.taskdefinition_non_root_user",
    "ecs.taskdefinition_not_privileged",
    "ecs.taskdefinition_pinned_image",
    "ecs.taskdefinition_readonly_root_filesystem",
    "ecs.taskdefinition_separate_execution_role",
    "ecs.taskdefinition_valid_container_definitions",
    "ecr.repository_immutable_tags",
    "ecr.repository_kms_encryption",
    "ecr.repository_lifecycle_policy",
    "ecr.repository_scan_on_push",
    "ecr.repositorypolicy_no_public_principal",
    "lb.listener_acm_certificate",
    "lb.listener_http_redirects_to_https",
    "lb.listenerrule_http_redirects_only",
    "lb.listener_tls_policy",
    "lb.loadbalancer_access_logs",
    "lb.loadbalancer_deletion_protection",
    "lb.loadbalancer_desync_mitigation",
    "lb.loadbalancer_drop_invalid_headers",
    "lb.loadbalancer_multi_az",
    "lb.targetgroup_health_check",
    "ec2.defaultsecuritygroup_closed",
    "ec2.networkacl_no_world_admin_ports",
    "ec2.securitygroup_descriptions",
    "ec2.securitygroup_no_world_admin_ports",
    "ec2.securitygroup_no_world_all_protocols",
    "ec2.securitygroup_no_world_ingress",
    "ec2.subnet_no_public_ip_on_launch",
    "ec2.vpc_flow_logs",
    "cloudwatch.loggroup_kms",
    "cloudwatch.loggroup_retention",
    "rds.instance_auto_minor_upgrade",
    "rds.instance_backup_retention",
    "rds.instance_ca_certificate",
    "rds.instance_copy_tags_to_snapshot",
    "rds.instance_custom_admin_username",
    "rds.instance_deletion_protection",
    "rds.instance_enhanced_monitoring",
    "rds.instance_iam_authentication",
    "rds.instance_log_exports",
    "rds.instance_multi_az",
    "rds.instance_no_internet_routed_subnets",
    "rds.instance_not_public",
    "rds.instance_performance_insights_encrypted",
    "rds.instance_security_group_sources",
    "rds.instance_storage_encrypted",
    "rds.parametergroup_require_tls",
    "secretsmanager.secret_kms",
    "secretsmanager.secret_rotation",
    "secretsmanager.secretrotation_interval",
    "iam.policy_no_admin_access",
    "iam.policy_no_kms_decrypt_all_keys",
    "iam.policy_no_privilege_escalation",
    "iam.policy_no_service_wildcards",
    "iam.policy_no_wildcard_resource",
    "iam.role_no_aws_managed_policies",
    "iam.role_trust_no_wildcard_principal",
    "kms.key_no_lockout_bypass",
    "kms.key_no_public_principal",
    "kms.key_rotation",
]

RULE_MODULES = [importlib.import_module(f"{__package__}.{name}") for name in RULES]

POLICIES: List[Union[ResourceValidationPolicy, StackValidationPolicy]] = [m.POLICY for m in RULE_MODULES]
