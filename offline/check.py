"""The AWS provider's Check, approximated where it is cheap and sure.

A real preview sends every custom resource's inputs to its provider's ``Check`` before anything else sees them;
the policy pack's Analyze then receives the *checked* inputs, and a Check failure fails the preview. pulumi-aws is a
bridged Terraform provider, and its Check (pulumi-terraform-bridge ``pkg/tfbridge/provider.go``) does, in order:

1. **Pulumi-side defaults, autonames among them** (``makeTerraformInputs`` without Terraform defaults). A resource
   whose Terraform schema has an input ``name`` is autonamed ``<logical name><separator><7 random hex>``
   (pulumi-aws ``provider/autonaming.go``: max length 255, separator ``-``) unless ``provider/resource_overrides.go``
   or ``provider/aliases.go`` configures that type otherwise (:data:`AUTONAMES`). A logical name too long for the
   maximum fails with ``NewUniqueName``'s error. The engine sends no autonaming options unless the stack configures
   ``pulumi:autonaming``, so the provider's own rule applies. The random part comes from the engine's random seed;
   offline it is derived from the URN, so reports are stable.
2. **Terraform validators** (``ValidateResource``) on those inputs: the ones in :data:`VALIDATORS`, each copied
   from terraform-provider-aws (the function is named in its docstring). A failure fails the preview with the
   engine's check-failure message.
3. **Terraform schema defaults** for properties the program left unset. Since bridge 3.127 (pulumi-aws 7.27) falsy
   ones (``false``, ``0``, ``""``) are not sent, so only the truthy ones in :data:`DEFAULTS` appear; each is one a
   pack rule reads. Pulumi-side ``Default`` values (``Managed by Pulumi`` descriptions) need nothing here: the Python
   SDK already sends them.

Only the ``aws`` package is approximated, and only the types listed here; :data:`NOT_APPROXIMATED` says what else a
real Check does. The engine calls :func:`check_inputs` once per custom resource, before recording and analysing it.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Optional

from .wire import SECRET_SIG, SECRET_SIG_KEY, UNKNOWN, plain

__all__ = ["AutoName", "AUTONAMES", "DEFAULTS", "VALIDATORS", "LOG_GROUP_RETENTION", "APPROXIMATED",
           "NOT_APPROXIMATED", "CheckFailed", "autoname", "check_inputs", "describe"]


@dataclass(frozen=True)
class AutoName:
    """How the provider names a resource the program left unnamed (tfbridge ``AutoNameOptions``)."""

    prop: str  # the camelCase input property
    maxlen: int  # of ``<name><separator><random>``; 0: no limit
    separator: str = "-"
    randlen: int = 7
    lower: bool = False  # Transform: strings.ToLower on the logical name
    prefix: str = ""  # PostTransform: prepended unless already there (KMS aliases: "alias/")
    fifo_prop: str = ""  # PostTransform: ".fifo" appended when this input is true (SNS topics)


_DEFAULT = AutoName("name", 255)  # provider/autonaming.go: setAutonaming(255, "-") for every input `name`

#: The autonamed property per type, from pulumi-aws ``provider/autonaming.go`` (the default),
#: ``provider/resource_overrides.go`` and ``provider/aliases.go`` (the overrides).
AUTONAMES: dict[str, AutoName] = {
    "aws:appautoscaling/policy:Policy": _DEFAULT,
    "aws:cloudwatch/logGroup:LogGroup": _DEFAULT,
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": _DEFAULT,
    "aws:cloudwatch/metricAlarm:MetricAlarm": _DEFAULT,  # alarm_name, exposed as `name`: AutoName("name", 255)
    "aws:ec2/securityGroup:SecurityGroup": _DEFAULT,
    "aws:ecr/repository:Repository": _DEFAULT,
    "aws:ecs/cluster:Cluster": _DEFAULT,
    "aws:ecs/service:Service": _DEFAULT,
    "aws:iam/policy:Policy": _DEFAULT,
    "aws:iam/role:Role": AutoName("name", 64),
    "aws:kms/alias:Alias": AutoName("name", 238, prefix="alias/"),
    "aws:lb/loadBalancer:LoadBalancer": _DEFAULT,  # no override: validName below caps it at 32
    "aws:alb/loadBalancer:LoadBalancer": _DEFAULT,
    "aws:lb/targetGroup:TargetGroup": AutoName("name", 32),
    "aws:alb/targetGroup:TargetGroup": _DEFAULT,  # the alias keeps only deregistration_delay: the default applies
    "aws:rds/instance:Instance": AutoName("identifier", 255, separator=""),  # ComputeAutoNameDefault, no separator
    "aws:rds/parameterGroup:ParameterGroup": _DEFAULT,
    "aws:rds/subnetGroup:SubnetGroup": _DEFAULT,
    "aws:s3/bucket:Bucket": AutoName("bucket", 63, lower=True),  # AutoNameTransform(strings.ToLower)
    "aws:sns/topic:Topic": AutoName("name", 80, fifo_prop="fifoTopic"),
}

#: Truthy Terraform schema defaults the bridge adds to the checked inputs, limited to properties a pack rule reads.
#: Source: terraform-provider-aws, the resource's schema (``Default:``); all are SDKv2 resources.
DEFAULTS: dict[str, dict[str, Any]] = {
    # internal/service/elbv2/load_balancer.go
    "aws:lb/loadBalancer:LoadBalancer": {"loadBalancerType": "application", "desyncMitigationMode": "defensive"},
    "aws:alb/loadBalancer:LoadBalancer": {"loadBalancerType": "application", "desyncMitigationMode": "defensive"},
    # internal/service/elbv2/target_group.go
    "aws:lb/targetGroup:TargetGroup": {"targetType": "instance"},
    "aws:alb/targetGroup:TargetGroup": {"targetType": "instance"},
    # internal/service/rds/instance.go
    "aws:rds/instance:Instance": {"autoMinorVersionUpgrade": True},
    # internal/service/cloudwatch/metric_alarm.go
    "aws:cloudwatch/metricAlarm:MetricAlarm": {"actionsEnabled": True},
    # internal/service/ecr/repository.go
    "aws:ecr/repository:Repository": {"imageTagMutability": "MUTABLE"},
    # internal/service/kms/key.go
    "aws:kms/key:Key": {"keyUsage": "ENCRYPT_DECRYPT", "customerMasterKeySpec": "SYMMETRIC_DEFAULT"},
}


class CheckFailed(Exception):
    """The provider's Check rejects a resource: the preview fails, as ``pulumi preview`` does."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines


# -- autonames -----------------------------------------------------------------------------------------------------


def autoname(rule: AutoName, name: str, urn: str, inputs: Optional[dict] = None) -> str:
    """The name the provider gives ``name``: ``<name><separator><random>``, the random part derived from the URN.
    Raises ValueError with ``NewUniqueName``'s message when the result would exceed the maximum length."""
    stem = (name.lower() if rule.lower else name) + rule.separator
    if rule.maxlen and len(stem) + rule.randlen > rule.maxlen:
        raise ValueError(f"name '{stem}' plus {rule.randlen} random chars is longer than maximum length {rule.maxlen}")
    value = stem + hashlib.sha256(urn.encode()).hexdigest()[:rule.randlen]
    if rule.fifo_prop and plain((inputs or {}).get(rule.fifo_prop)) is True:
        value += ".fifo"
    if rule.prefix and not value.startswith(rule.prefix):
        value = rule.prefix + value
    return value


# -- validators ------------------------------------------------------------------------------------------------------
# Each takes (Terraform attribute name, value) and yields the provider's error texts.

Validator = Callable[[str, Any], Iterator[str]]


def _elbv2_name(load_balancer: bool) -> Validator:
    """internal/service/elbv2/validate.go: ``validName`` for load balancers (an empty name passes, each message ends
    with the value, "internal-" is refused) or ``validTargetGroupName`` for target groups."""

    def validate(k: str, value: Any) -> Iterator[str]:
        if not isinstance(value, str) or (load_balancer and not value):
            return
        key, tail = json.dumps(k), (f": {json.dumps(value)}" if load_balancer else "")
        if len(value) > 32:
            yield f"{key} cannot be longer than 32 characters{tail}"
        if not re.fullmatch(r"[0-9A-Za-z-]+", value):
            yield f"only alphanumeric characters and hyphens allowed in {key}{tail}"
        if value.startswith("-"):
            yield f"{key} cannot begin with a hyphen{tail}"
        if value.endswith("-"):
            yield f"{key} cannot end with a hyphen{tail}"
        if load_balancer and value.startswith("internal-"):
            yield f'{key} cannot begin with "internal-"{tail}'

    return validate


def _one_of(allowed: tuple) -> Validator:
    """helper/validation ``StringInSlice`` / ``IntInSlice``: ``expected <k> to be one of <allowed>, got <v>``."""

    def validate(k: str, value: Any) -> Iterator[str]:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if value not in allowed:
            shown = "[" + " ".join(json.dumps(a) if isinstance(a, str) else str(a) for a in allowed) + "]"
            yield f"expected {k} to be one of {shown}, got {value}"

    return validate


def _cidr(version: Optional[int]) -> Validator:
    """internal/verify/validate.go ``ValidateIPv4CIDRBlock`` (``version`` 4) or ``ValidCIDRNetworkAddress`` (any
    version): the value parses as a CIDR block and is its network's own address."""

    def validate(k: str, value: Any) -> Iterator[str]:
        if not isinstance(value, str):
            return
        try:
            net = ipaddress.ip_network(value, strict=False)
        except ValueError:
            yield f"{json.dumps(value)} is not a valid CIDR block: invalid CIDR address: {value}"
            return
        if version == 4 and net.version != 4:
            yield f"{json.dumps(value)} is not a valid IPv4 CIDR block"
        elif str(net) != value:
            yield f"{json.dumps(value)} is not a valid IPv{net.version} CIDR block; did you mean {json.dumps(str(net))}?"

    return validate


_ARN = re.compile(r"arn:([^:]*):([^:]*):([^:]*):([^:]*):(.*)", re.S)


def _arn(k: str, value: Any) -> Iterator[str]:
    """internal/verify/validate.go ``ValidARN``: parseable, a partition, a region and account of the right shape,
    a resource part."""
    if not isinstance(value, str) or not value:
        return
    m = _ARN.fullmatch(value)
    if not m:
        yield f"{json.dumps(k)} ({value}) is an invalid ARN: arn: invalid prefix" if not value.startswith("arn:") \
            else f"{json.dumps(k)} ({value}) is an invalid ARN: arn: not enough sections"
        return
    partition, _service, region, account, resource = m.groups()
    if not partition:
        yield f"{json.dumps(k)} ({value}) is an invalid ARN: missing partition value"
    elif not re.fullmatch(r"aws(-[a-z]+)*", partition):
        yield f"{json.dumps(k)} ({value}) is an invalid ARN: invalid partition value"
    if region and not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", region):
        yield f"{json.dumps(k)} ({value}) is an invalid ARN: invalid region value"
    if account and not re.fullmatch(r"aws|aws-managed|third-party|\d{12}|cw.{10}", account):
        yield f"{json.dumps(k)} ({value}) is an invalid ARN: invalid account ID value"
    if not resource:
        yield f"{json.dumps(k)} ({value}) is an invalid ARN: missing resource value"


#: CloudWatch Logs retention periods (internal/service/logs/group.go, ``retention_in_days``).
LOG_GROUP_RETENTION = (0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
                       2922, 3288, 3653)

#: (type, property path with ``[]`` for each list element, Terraform attribute name, validator).
VALIDATORS: list[tuple[str, str, str, Validator]] = [
    ("aws:lb/loadBalancer:LoadBalancer", "name", "name", _elbv2_name(load_balancer=True)),
    ("aws:alb/loadBalancer:LoadBalancer", "name", "name", _elbv2_name(load_balancer=True)),
    ("aws:lb/loadBalancer:LoadBalancer", "desyncMitigationMode", "desync_mitigation_mode",
     _one_of(("monitor", "defensive", "strictest"))),
    ("aws:alb/loadBalancer:LoadBalancer", "desyncMitigationMode", "desync_mitigation_mode",
     _one_of(("monitor", "defensive", "strictest"))),
    ("aws:lb/targetGroup:TargetGroup", "name", "name", _elbv2_name(load_balancer=False)),
    ("aws:alb/targetGroup:TargetGroup", "name", "name", _elbv2_name(load_balancer=False)),
    ("aws:cloudwatch/logGroup:LogGroup", "retentionInDays", "retention_in_days", _one_of(LOG_GROUP_RETENTION)),
    ("aws:ec2/vpc:Vpc", "cidrBlock", "cidr_block", _cidr(4)),
    ("aws:ec2/subnet:Subnet", "cidrBlock", "cidr_block", _cidr(4)),
    ("aws:ec2/securityGroup:SecurityGroup", "ingress[].cidrBlocks[]", "ingress.cidr_blocks", _cidr(None)),
    ("aws:ec2/securityGroup:SecurityGroup", "egress[].cidrBlocks[]", "egress.cidr_blocks", _cidr(None)),
    ("aws:ec2/securityGroupRule:SecurityGroupRule", "cidrBlocks[]", "cidr_blocks", _cidr(None)),
    ("aws:ecs/taskDefinition:TaskDefinition", "executionRoleArn", "execution_role_arn", _arn),
    ("aws:ecs/taskDefinition:TaskDefinition", "taskRoleArn", "task_role_arn", _arn),
    ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "policyArn", "policy_arn", _arn),
    ("aws:lb/listener:Listener", "certificateArn", "certificate_arn", _arn),
]

#: What the output says is approximated, and what is not (terminal, summary.md, report.json, offline/README.md).
APPROXIMATED = (
    "autonames for " + str(len(AUTONAMES)) + " aws types (pulumi-aws autonaming rules; the random suffix is derived "
    "from the URN, not the engine's seed)",
    "truthy Terraform schema defaults a pack rule reads (" + str(sum(len(v) for v in DEFAULTS.values()))
    + " properties on " + str(len(DEFAULTS)) + " types)",
    str(len(VALIDATORS)) + " Terraform validators (load balancer and target group names, desync mode, log retention, "
    "CIDR blocks, ARNs), failing the preview as a Check failure does",
)
NOT_APPROXIMATED = (
    "other aws types' autonames (left unset, so unknown during preview) and the `pulumi:autonaming` stack setting",
    "the other Terraform validators, required-property and type checks, and Plugin Framework resources' defaults",
    "Check of the awsx Vpc's children, of remote components (awsx Construct) and of other packages (pulumi-docker)",
    "the provider's CheckConfig of its own configuration",
)


# -- the check -------------------------------------------------------------------------------------------------------


def _values(inputs: Any, path: list[str], at: str = "", secret: bool = False) -> Iterator[tuple[str, Any, bool]]:
    """(property path, value, secret?) for each value at ``path``; unknown or absent values are skipped, as
    Terraform skips validating unknowns. Secrets are unwrapped for checking and never shown."""
    secret = secret or (isinstance(inputs, dict) and inputs.get(SECRET_SIG_KEY) == SECRET_SIG)
    value = plain(inputs)
    if not path:
        if value is not None and value != UNKNOWN:
            yield at, value, secret
        return
    head, rest = path[0], path[1:]
    if head.endswith("[]"):
        key = head[:-2]
        if isinstance(value, dict) and isinstance(plain(value.get(key)), list):
            inner_secret = secret or plain(value[key]) is not value[key]
            for i, item in enumerate(plain(value[key])):
                yield from _values(item, rest, f"{at}.{key}[{i}]".lstrip("."), inner_secret)
        return
    if isinstance(value, dict) and head in value:
        yield from _values(value[head], rest, f"{at}.{head}".lstrip("."), secret)


def _property_failure(typ: str, name: str, prop: str, value: Any, secret: bool, reason: str) -> str:
    shown = "[secret]" if secret else json.dumps(value)
    return (f"{typ} resource '{name}''s property '{prop}' value {shown} has a problem: {reason}. "
            f"Examine values at '{name}.{prop}'.")


def check_inputs(typ: str, name: str, urn: str, inputs: dict) -> tuple[dict, dict]:
    """The checked inputs of one custom resource and what Check changed (``{"autonamed": {prop: value},
    "defaults": {prop: value}}``). Raises :class:`CheckFailed` with the engine's messages when the provider would
    reject the inputs."""
    checked = dict(inputs)
    notes: dict[str, dict] = {}
    rule = AUTONAMES.get(typ)
    if rule is not None and checked.get(rule.prop) is None and checked.get(rule.prop + "Prefix") is None:
        try:
            checked[rule.prop] = autoname(rule, name, urn, checked)
        except ValueError as exc:
            raise CheckFailed([f"{typ} resource '{name}' has a problem: could not make instance of '{typ}': {exc}"]) \
                from None
        notes["autonamed"] = {rule.prop: checked[rule.prop]}
    failures = []
    for vtype, path, tf_name, validate in VALIDATORS:
        if vtype != typ:
            continue
        for prop, value, secret in _values(checked, path.split(".")):
            for reason in validate(tf_name, value):
                if secret:
                    reason = reason.replace(str(value), "[secret]")
                failures.append(_property_failure(typ, name, prop, value, secret, reason))
    if failures:
        raise CheckFailed(failures)
    added = {k: v for k, v in DEFAULTS.get(typ, {}).items() if checked.get(k) is None}
    if added:
        checked.update(added)
        notes["defaults"] = added
    return checked, notes



def describe(notes: list) -> str:
    """What Check filled in, given each resource's notes from :func:`check_inputs`, and what the offline Check does
    not do: one sentence for the terminal and ``summary.md``, after a "Provider Check" label."""
    names = sum(1 for n in notes if (n or {}).get("autonamed"))
    defaults = sum(len((n or {}).get("defaults") or {}) for n in notes)
    return (f"approximated offline: {names} autonames and {defaults} schema defaults filled in, {len(VALIDATORS)} "
            "validators run. Not approximated: " + "; ".join(NOT_APPROXIMATED) + ".")
