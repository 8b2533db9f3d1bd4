"""The pack's rules, as an explicit list. Importing this module starts no server.

`policies/__main__.py` builds the PolicyPack from :data:`POLICIES`; the tests and the README generator
introspect it directly. Each rule is a module ``<service>/<rule>.py`` holding one ``POLICY``, imported here by
name and listed once in :data:`RULE_MODULES`, in the order the pack serves them (the order of the README's tables).
A new rule file is one name in its service's import and one line in the list; tests/policies/test_pack_layout.py
fails on a rule file that is not listed or a listed one that is gone.
"""

from types import ModuleType
from typing import List, Union

from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

from .ecs import (
    cluster_container_insights, cluster_exec_encryption, cluster_exec_logging, service_circuit_breaker,
    service_fargate_platform_version, service_no_public_ip, taskdefinition_efs_transit_encryption,
    taskdefinition_log_configuration, taskdefinition_no_added_capabilities, taskdefinition_no_host_namespaces,
    taskdefinition_no_host_network, taskdefinition_no_plaintext_secrets, taskdefinition_no_secret_like_names,
    taskdefinition_non_root_user, taskdefinition_not_privileged, taskdefinition_pinned_image,
    taskdefinition_readonly_root_filesystem, taskdefinition_separate_execution_role,
    taskdefinition_valid_container_definitions,
)
from .ecr import (
    repository_immutable_tags, repository_kms_encryption, repository_lifecycle_policy, repository_scan_on_push,
    repositorypolicy_no_public_principal,
)
from .lb import (
    listener_acm_certificate, listener_http_redirects_to_https, listenerrule_http_redirects_only, listener_tls_policy,
    loadbalancer_access_logs, loadbalancer_deletion_protection, loadbalancer_desync_mitigation,
    loadbalancer_drop_invalid_headers, loadbalancer_multi_az, targetgroup_health_check,
)
from .ec2 import (
    defaultsecuritygroup_closed, networkacl_no_world_admin_ports, securitygroup_descriptions,
    securitygroup_no_world_admin_ports, securitygroup_no_world_all_protocols,
    securitygroup_no_world_exposure_across_rules, securitygroup_no_world_ingress, subnet_no_public_ip_on_launch,
    vpc_flow_logs,
)
from .cloudwatch import loggroup_kms, loggroup_retention, metricalarm_actions
from .rds import (
    instance_auto_minor_upgrade, instance_backup_retention, instance_ca_certificate, instance_copy_tags_to_snapshot,
    instance_custom_admin_username, instance_deletion_protection, instance_enhanced_monitoring,
    instance_iam_authentication, instance_log_exports, instance_multi_az, instance_no_internet_routed_subnets,
    instance_not_public, instance_performance_insights_encrypted, instance_security_group_sources,
    instance_storage_encrypted, parametergroup_require_tls,
)
from .secretsmanager import secret_kms, secret_rotation, secretpolicy_no_public_principal, secretrotation_interval
from .iam import (
    policy_no_admin_access, policy_no_kms_decrypt_all_keys, policy_no_privilege_escalation, policy_no_service_wildcards,
    policy_no_wildcard_resource, role_no_aws_managed_policies, role_trust_no_wildcard_principal,
)
from .kms import key_no_lockout_bypass, key_no_public_principal, key_rotation
from .sns import topic_kms

RULE_MODULES: List[ModuleType] = [
    cluster_container_insights,
    cluster_exec_encryption,
    cluster_exec_logging,
    service_circuit_breaker,
    service_fargate_platform_version,
    service_no_public_ip,
    taskdefinition_efs_transit_encryption,
    taskdefinition_log_configuration,
    taskdefinition_no_added_capabilities,
    taskdefinition_no_host_namespaces,
    taskdefinition_no_host_network,
    taskdefinition_no_plaintext_secrets,
    taskdefinition_no_secret_like_names,
    taskdefinition_non_root_user,
    taskdefinition_not_privileged,
    taskdefinition_pinned_image,
    taskdefinition_readonly_root_filesystem,
    taskdefinition_separate_execution_role,
    taskdefinition_valid_container_definitions,
    repository_immutable_tags,
    repository_kms_encryption,
    repository_lifecycle_policy,
    repository_scan_on_push,
    repositorypolicy_no_public_principal,
    listener_acm_certificate,
    listener_http_redirects_to_https,
    listenerrule_http_redirects_only,
    listener_tls_policy,
    loadbalancer_access_logs,
    loadbalancer_deletion_protection,
    loadbalancer_desync_mitigation,
    loadbalancer_drop_invalid_headers,
    loadbalancer_multi_az,
    targetgroup_health_check,
    defaultsecuritygroup_closed,
    networkacl_no_world_admin_ports,
    securitygroup_descriptions,
    securitygroup_no_world_admin_ports,
    securitygroup_no_world_all_protocols,
    securitygroup_no_world_exposure_across_rules,
    securitygroup_no_world_ingress,
    subnet_no_public_ip_on_launch,
    vpc_flow_logs,
    loggroup_kms,
    loggroup_retention,
    metricalarm_actions,
    instance_auto_minor_upgrade,
    instance_backup_retention,
    instance_ca_certificate,
    instance_copy_tags_to_snapshot,
    instance_custom_admin_username,
    instance_deletion_protection,
    instance_enhanced_monitoring,
    instance_iam_authentication,
    instance_log_exports,
    instance_multi_az,
    instance_no_internet_routed_subnets,
    instance_not_public,
    instance_performance_insights_encrypted,
    instance_security_group_sources,
    instance_storage_encrypted,
    parametergroup_require_tls,
    secret_kms,
    secret_rotation,
    secretpolicy_no_public_principal,
    secretrotation_interval,
    policy_no_admin_access,
    policy_no_kms_decrypt_all_keys,
    policy_no_privilege_escalation,
    policy_no_service_wildcards,
    policy_no_wildcard_resource,
    role_no_aws_managed_policies,
    role_trust_no_wildcard_principal,
    key_no_lockout_bypass,
    key_no_public_principal,
    key_rotation,
    topic_kms,
]

POLICIES: List[Union[ResourceValidationPolicy, StackValidationPolicy]] = [m.POLICY for m in RULE_MODULES]
