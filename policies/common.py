"""Shared plumbing for the rules: metadata, config, safe property access and parsers.

Every rule module builds its policy with :func:`resource_rule` or :func:`stack_rule`. They add what every rule
shares:

* a type guard (``types``), so a rule body only sees the resource types it names;
* config: each rule's ``config_schema`` carries its defaults, and :meth:`Resource.config` falls back to them
  when the engine sent nothing (the engine normally fills them in itself);
* exemptions: every advisory rule accepts ``exemptions: [{"resource": <name or URN>, "reason": <text>}]`` in
  the pack config of a stack; mandatory rules accept none;
* the ids the rule answers to (FSBP, cdk-nag, Checkov, AWSGuard/Compliance-Ready), as tags ``fsbp:ECS.5`` and
  as a structured ``ids`` attribute that ``policies.tools.readme`` reads;
* a safety net: an unexpected error inside a rule becomes a not-applicable result with the error text, never a
  gRPC failure (the tests fail if that ever happens on a fixture).

Property access works on plain values (the SDK's proxy is unwrapped once). A rule touches only the properties
it needs through :meth:`Resource.get`; if one of those is an unknown preview value, :meth:`Resource.get` raises
the SDK's own ``UnknownValueError``, which the SDK reports as an advisory "can't run policy ... during preview"
message. :meth:`Resource.peek` returns :data:`UNKNOWN` instead, for rules that can still decide.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import re
import sys
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from pulumi_policy import (
    EnforcementLevel,
    PolicyComplianceFramework,
    PolicyConfigSchema,
    ResourceValidationPolicy,
    Severity,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import serialize_properties
from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)

from .readers import gojson, iam
from .readers.numbers import number, protocol_name

ADVISORY = EnforcementLevel.ADVISORY
MANDATORY = EnforcementLevel.MANDATORY
LOW, MEDIUM, HIGH, CRITICAL = Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL

_SENTINELS = frozenset({
    UNKNOWN_BOOLEAN_VALUE, UNKNOWN_NUMBER_VALUE, UNKNOWN_STRING_VALUE, UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE, UNKNOWN_ARCHIVE_VALUE, UNKNOWN_OBJECT_VALUE,
})


class _Unknown:
    """Marker returned by :meth:`Resource.peek` for a value that is unknown during preview."""

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN = _Unknown()


def is_unknown(value: Any) -> bool:
    """True for the preview sentinels and for :data:`UNKNOWN`."""
    return value is UNKNOWN or (isinstance(value, str) and value in _SENTINELS)


def contains_unknown(value: Any) -> bool:
    """True if the value or anything nested in it is unknown."""
    if is_unknown(value):
        return True
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknown(v) for v in value)
    return False


def plain(props: Any) -> Dict[str, Any]:
    """Unwraps the SDK's unknown-checking proxy into plain dicts and lists; sentinels stay as strings."""
    try:
        value = serialize_properties(props)
    except Exception:  # noqa: BLE001 - odd values (assets) must not break the rule
        value = {}
    return dict(value) if isinstance(value, Mapping) else {}


# ---------------------------------------------------------------------------------------------------------------
# Value coercion: the engine sends numbers as floats, booleans sometimes as strings, lists sometimes as scalars.


def as_bool(value: Any) -> Optional[bool]:
    """True/False for booleans and "true"/"false" strings; None for anything else (missing, unknown, odd)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and not is_unknown(value):
        low = value.strip().lower()
        if low in ("true", "1", "yes", "on", "enabled"):
            return True
        if low in ("false", "0", "no", "off", "disabled"):
            return False
    if isinstance(value, (int, float)):
        return bool(value)
    return None


def as_int(value: Any) -> Optional[int]:
    """An int for ints, integral floats and digit strings; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value == value and abs(value) != float("inf") else None
    if isinstance(value, str) and not is_unknown(value):
        try:
            return int(float(value.strip()))
        except ValueError:
            return None
    return None


def as_list(value: Any) -> List[Any]:
    """A list for lists, [] for None, [value] for a scalar."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, tuple):
        return list(value)
    return [value]


def as_str(value: Any) -> Optional[str]:
    return value if isinstance(value, str) and not is_unknown(value) else None


def dig(value: Any, *path: Any) -> Any:
    """Walks dicts (str keys) and lists (int keys); None when a step is missing. Unknowns come back as-is."""
    for key in path:
        if is_unknown(value):
            return value
        if isinstance(key, int):
            if not isinstance(value, list) or not -len(value) <= key < len(value):
                return None
            value = value[key]
        else:
            if not isinstance(value, dict):
                return None
            value = value.get(key)
    return value


def raise_unknown(path: Sequence[Any], sentinel: Any = UNKNOWN_STRING_VALUE) -> None:
    """Raises the SDK's UnknownValueError, so the SDK reports its advisory "can't run during preview" message."""
    sentinel = sentinel if isinstance(sentinel, str) and sentinel in _SENTINELS else UNKNOWN_STRING_VALUE
    raise UnknownValueError(sentinel, [str(p) for p in path])


# ---------------------------------------------------------------------------------------------------------------
# Resources as the rules see them.


@dataclass
class Resource:
    """One resource: type, name, URN, plain props, this rule's config and (in stack rules) the graph."""

    type: str
    name: str
    urn: str
    props: Dict[str, Any]
    _config: Mapping[str, Any] = field(default_factory=dict, repr=False)
    _schema: Mapping[str, Any] = field(default_factory=dict, repr=False)
    parent: Optional[str] = None
    dependencies: Tuple[str, ...] = ()
    property_dependencies: Mapping[str, Tuple[str, ...]] = field(default_factory=dict)

    def get(self, *path: Any) -> Any:
        """The value at ``path`` (None if missing). Raises UnknownValueError if it is unknown."""
        value = dig(self.props, *path)
        if is_unknown(value):
            raise_unknown(path, value)
        return value

    def peek(self, *path: Any) -> Any:
        """The value at ``path`` (None if missing, :data:`UNKNOWN` if unknown). Never raises."""
        value = dig(self.props, *path)
        return UNKNOWN if is_unknown(value) else value

    def config(self, key: str) -> Any:
        return config_value(self._config, self._schema, key)

    def depends_on(self, prop: str) -> Tuple[str, ...]:
        """URNs the property ``prop`` depends on (stack rules only)."""
        return tuple(self.property_dependencies.get(prop, ()))


def config_value(config: Mapping[str, Any], schema: Mapping[str, Any], key: str) -> Any:
    """The configured value of ``key``, else the schema default."""
    if isinstance(config, Mapping) and key in config and config[key] is not None:
        return config[key]
    return dict(schema.get(key, {})).get("default")


@dataclass(frozen=True)
class RuleIds:
    """The public rule ids a policy answers to."""

    fsbp: Tuple[str, ...] = ()
    cdk_nag: Tuple[str, ...] = ()
    checkov: Tuple[str, ...] = ()
    awsguard: Tuple[str, ...] = ()

    def tags(self) -> List[str]:
        return ([f"fsbp:{i}" for i in self.fsbp] + [f"cdk-nag:{i}" for i in self.cdk_nag]
                + [f"checkov:{i}" for i in self.checkov] + [f"awsguard:{i}" for i in self.awsguard])

    def as_dict(self) -> Dict[str, List[str]]:
        return {"fsbp": list(self.fsbp), "cdk_nag": list(self.cdk_nag), "checkov": list(self.checkov),
                "awsguard": list(self.awsguard)}

    def text(self) -> str:
        parts = ([f"FSBP {i}" for i in self.fsbp] + list(self.cdk_nag) + list(self.checkov)
                 + [f"AWSGuard/CR {i}" for i in self.awsguard])
        return ", ".join(parts) if parts else "none (this pack's own rule)"


_FSBP_PAGES = {"ECS": "ecs", "ECR": "ecr", "ELB": "elb", "EC2": "ec2", "RDS": "rds", "KMS": "kms", "IAM": "iam",
               "CloudWatch": "cloudwatch", "SecretsManager": "secretsmanager"}


def _default_url(ids: RuleIds) -> str:
    for control in ids.fsbp:
        prefix, _, number = control.rstrip("†").partition(".")
        page = _FSBP_PAGES.get(prefix)
        if page:
            return f"https://docs.aws.amazon.com/securityhub/latest/userguide/{page}-controls.html#{page}-{number}"
    return "https://docs.aws.amazon.com/securityhub/latest/userguide/fsbp-standard.html"


_EXEMPTIONS_SCHEMA = {
    "type": "array",
    "description": "Resources this stack exempts from the rule, each with a written reason.",
    "default": [],
    "items": {
        "type": "object",
        "properties": {
            "resource": {"type": "string", "minLength": 1,
                         "description": "Resource name (glob allowed) or URN."},
            "reason": {"type": "string", "minLength": 10, "description": "Why the exemption is acceptable."},
        },
        "required": ["resource", "reason"],
    },
}


def _exemption_for(res_name: str, urn: str, config: Mapping[str, Any]) -> Optional[str]:
    for item in as_list(config.get("exemptions") if isinstance(config, Mapping) else None):
        if not isinstance(item, Mapping):
            continue
        target, reason = item.get("resource"), item.get("reason")
        if isinstance(target, str) and isinstance(reason, str) and (
                target in (res_name, urn) or fnmatch.fnmatchcase(res_name, target)):
            return reason
    return None


def _common_kwargs(name: str, description: str, severity: Severity, remediation: str, ids: RuleIds,
                   url: Optional[str], tags: Sequence[str], mandatory: bool,
                   config: Optional[Mapping[str, Dict[str, Any]]]) -> Dict[str, Any]:
    props: Dict[str, Dict[str, Any]] = dict(config or {})
    if not mandatory:
        props["exemptions"] = _EXEMPTIONS_SCHEMA
    framework_ref = ids.fsbp[0] if ids.fsbp else (ids.cdk_nag or ids.checkov or ids.awsguard or ("",))[0]
    return dict(
        name=name,
        description=description,
        enforcement_level=MANDATORY if mandatory else ADVISORY,
        config_schema=PolicyConfigSchema(properties=props),
        severity=severity,
        framework=PolicyComplianceFramework(
            name="aws-foundational-security-best-practices" if ids.fsbp else "aws-hardening",
            version="1.0.0",
            reference=framework_ref,
        ),
        tags=sorted(set(tags)) + ids.tags(),
        remediation_steps=remediation,
        url=url or _default_url(ids),
    )


def _attach(policy: Any, ids: RuleIds, unknowns: str, types: Sequence[str], mandatory: bool,
            fix: Optional[Callable[..., Any]] = None) -> Any:
    policy.remediates = fix is not None
    policy.ids = ids
    policy.unknowns = unknowns
    policy.types = tuple(types)
    policy.is_mandatory = mandatory
    return policy


def _internal_error(name: str, exc: BaseException) -> str:
    traceback.print_exc(file=sys.stderr)
    return f"internal error in {name}: {type(exc).__name__}: {exc}"


def resource_rule(*, name: str, description: str, types: Sequence[str],
                  validate: Callable[[Resource, Callable[[str], None]], None],
                  severity: Severity, remediation: str, ids: RuleIds, unknowns: str,
                  url: Optional[str] = None, tags: Sequence[str] = (), mandatory: bool = False,
                  config: Optional[Mapping[str, Dict[str, Any]]] = None,
                  fix: Optional[Callable[[Resource], Optional[Dict[str, Any]]]] = None) -> ResourceValidationPolicy:
    """Builds a ResourceValidationPolicy. ``validate(res, report)`` calls ``report(message)`` per violation.

    ``fix(res)``, for a safe and local fix, returns the top-level properties to change (or None when there is
    nothing to fix). The SDK calls it only when the stack's pack config sets the rule's level to ``remediate``;
    the remediated properties are the engine's (secrets and unknowns kept) with only those keys replaced.
    """
    kwargs = _common_kwargs(name, description, severity, remediation, ids, url, tags, mandatory, config)
    schema = kwargs["config_schema"].properties
    wanted = frozenset(types)

    def _validate(args, report_violation):
        if args.resource_type not in wanted:
            return
        cfg = args.get_config() or {}
        if not mandatory:
            reason = _exemption_for(args.name, args.urn, cfg)
            if reason:
                args.not_applicable(f"exempted by stack config: {reason}")
        res = Resource(args.resource_type, args.name, args.urn, plain(args.props), cfg, schema)
        try:
            validate(res, lambda message: report_violation(message, None))
        except (UnknownValueError, NotApplicable) as exc:
            if isinstance(exc, NotApplicable):
                args.not_applicable(exc.reason)
            raise
        except Exception as exc:  # noqa: BLE001 - the safety net: never fail the gRPC call
            args.not_applicable(_internal_error(name, exc))

    def _remediate(args):
        if args.resource_type not in wanted:
            return None
        cfg = args.get_config() or {}
        if not mandatory and _exemption_for(args.name, args.urn, cfg):
            return None
        res = Resource(args.resource_type, args.name, args.urn, plain(args.props), cfg, schema)
        try:
            changes = fix(res)
        except NotApplicable:
            return None
        if not changes:
            return None
        fixed = dict(serialize_properties(args.props))
        fixed.update(changes)
        return fixed

    policy = ResourceValidationPolicy(validate=_validate, remediate=_remediate if fix else None, **kwargs)
    return _attach(policy, ids, unknowns, types, mandatory, fix)


@dataclass
class Stack:
    """What a stack rule sees: all resources as :class:`Resource`, plus this rule's config."""

    resources: List[Resource]
    _config: Mapping[str, Any]
    _schema: Mapping[str, Any]

    def of_type(self, *types: str) -> List[Resource]:
        return [r for r in self.resources if r.type in types]

    def by_urn(self, urn: str) -> Optional[Resource]:
        for r in self.resources:
            if r.urn == urn:
                return r
        return None

    def config(self, key: str) -> Any:
        return config_value(self._config, self._schema, key)

    def resolve(self, consumer: Resource, prop: str, candidates: Sequence[Resource],
                keys: Sequence[str] = ("id",)) -> Tuple[List[Resource], bool]:
        """The candidates ``consumer.<prop>`` refers to, by value (a string or a list of strings matched against
        each candidate's ``keys``) or by property dependency on the candidate's URN.

        Returns ``(found, unresolved)``; ``unresolved`` is True when some referring value is unknown and the
        engine sent no dependency for the property, so the reference cannot be followed.
        """
        deps = set(consumer.depends_on(prop))
        raw = consumer.peek(prop)
        values = raw if isinstance(raw, list) else [raw]
        found = []
        for cand in candidates:
            ids = {i for i in (cand.peek(k) for k in keys) if isinstance(i, str) and i}
            if cand.urn in deps or any(isinstance(v, str) and v in ids for v in values):
                found.append(cand)
        unresolved = any(is_unknown(v) for v in values) and not deps
        return found, unresolved

    def ancestors(self, res: Resource) -> List[str]:
        """URNs of ``res``'s parents, nearest first."""
        seen: List[str] = []
        current = res.parent
        while current and current not in seen:
            seen.append(current)
            parent = self.by_urn(current)
            current = parent.parent if parent else None
        return seen


def stack_rule(*, name: str, description: str, types: Sequence[str],
               validate: Callable[[Stack, Callable[[str, Optional[str]], None]], None],
               severity: Severity, remediation: str, ids: RuleIds, unknowns: str,
               url: Optional[str] = None, tags: Sequence[str] = (), mandatory: bool = False,
               config: Optional[Mapping[str, Dict[str, Any]]] = None) -> StackValidationPolicy:
    """Builds a StackValidationPolicy. ``validate(stack, report)`` calls ``report(message, urn)``.

    ``types`` lists the resource types the rule judges; the rule is not applicable when none is present.
    """
    kwargs = _common_kwargs(name, description, severity, remediation, ids, url, tags, mandatory, config)
    schema = kwargs["config_schema"].properties

    def _validate(args, report_violation):
        cfg = args.get_config() or {}
        resources = []
        for r in args.resources:
            resources.append(Resource(
                r.resource_type, r.name, r.urn, plain(r.props), cfg, schema,
                parent=r.parent.urn if r.parent is not None else (r.opts.parent if r.opts else None),
                dependencies=tuple(d.urn for d in r.dependencies),
                property_dependencies={k: tuple(d.urn for d in v) for k, v in r.property_dependencies.items()},
            ))
        stack = Stack(resources, cfg, schema)
        if not stack.of_type(*types):
            args.not_applicable("no resource of the types this rule judges")
        by_urn = {r.urn: r for r in resources}

        def report(message: str, urn: Optional[str] = None) -> None:
            target = by_urn.get(urn or "")
            if target is not None and not mandatory and _exemption_for(target.name, target.urn, cfg):
                return
            report_violation(message, urn)

        try:
            validate(stack, report)
        except (UnknownValueError, NotApplicable) as exc:
            if isinstance(exc, NotApplicable):
                args.not_applicable(exc.reason)
            raise
        except Exception as exc:  # noqa: BLE001 - the safety net
            args.not_applicable(_internal_error(name, exc))

    return _attach(StackValidationPolicy(validate=_validate, **kwargs), ids, unknowns, types, mandatory)


class NotApplicable(Exception):
    """Raise from a rule body to mark the rule not applicable to this resource, with a reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# ---------------------------------------------------------------------------------------------------------------
# ECS container definitions.


def container_definitions(res: Resource) -> Tuple[List[Dict[str, Any]], Optional[str]]:
    """Parses ``containerDefinitions`` (a JSON string, as the engine sends it, or a list) the way the provider
    does (:mod:`policies.readers.gojson`): every container is a :class:`~policies.readers.gojson.GoObject`, so
    ``c.get("privileged")`` finds ``Privileged`` too, and the last of two spellings wins.

    Returns ``(containers, error)``. Raises UnknownValueError when the whole value is unknown. ``error`` is set
    when the value is missing or malformed; the rule ``aws-ecs-taskdefinition-valid-container-definitions``
    reports that, the other container rules are then not applicable.
    """
    if res.type.startswith("awsx:"):
        return _awsx_containers(res)
    raw = res.get("containerDefinitions")
    if raw is None:
        return [], "containerDefinitions is missing"
    if isinstance(raw, str):
        try:
            raw = gojson.loads(raw)
        except (ValueError, RecursionError) as exc:
            return [], f"containerDefinitions is not valid JSON ({exc})"
    else:
        raw = gojson.view(raw)
    if not isinstance(raw, list) or not raw:
        return [], "containerDefinitions must be a non-empty JSON array of objects"
    if not all(isinstance(c, dict) for c in raw):
        return [], "containerDefinitions must be a JSON array of objects"
    return raw, None


def _awsx_containers(res: Resource) -> Tuple[List[Dict[str, Any]], Optional[str]]:
    """The containers an awsx task definition or service component is given: ``container`` (one) or
    ``containers`` (a map of name to container), at the top or under ``taskDefinitionArgs``."""
    args = res.get("taskDefinitionArgs") if "Service" in res.type else res.props
    if args is None and "Service" in res.type:
        raise NotApplicable("the service uses an existing task definition (taskDefinition), judged on its own")
    args = gojson.view(args) if isinstance(args, dict) else {}
    if is_unknown(args.get("container")) or is_unknown(args.get("containers")):
        raise_unknown(["container"])
    containers = [args["container"]] if isinstance(args.get("container"), dict) else []
    named = args.get("containers")
    if isinstance(named, dict):
        containers += [{"name": k, **v} if isinstance(v, dict) and "name" not in v else v for k, v in named.items()]
    if not containers or not all(isinstance(c, dict) for c in containers):
        return [], "the component has no container objects (container or containers)"
    return [gojson.view(c) for c in containers], None


def containers_or_skip(res: Resource) -> List[Dict[str, Any]]:
    containers, error = container_definitions(res)
    if error:
        raise NotApplicable(f"{error}; reported by aws-ecs-taskdefinition-valid-container-definitions")
    return containers


def container_label(container: Mapping[str, Any], index: int) -> str:
    name = container.get("name")
    return f"container {name!r}" if isinstance(name, str) else f"container #{index}"


# ---------------------------------------------------------------------------------------------------------------
# Security groups: one normalised rule shape for the four ways to write them.

SG_TYPE = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SG_TYPE = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
SG_RULE_TYPE = "aws:ec2/securityGroupRule:SecurityGroupRule"
SG_INGRESS_TYPE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SG_EGRESS_TYPE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
SG_TYPES = (SG_TYPE, SG_RULE_TYPE, SG_INGRESS_TYPE, SG_EGRESS_TYPE)
#: aws-native's security group (inline ``securityGroupIngress``) and its standalone ingress rule.
NATIVE_SG_TYPE = "aws-native:ec2:SecurityGroup"
NATIVE_SG_INGRESS_TYPE = "aws-native:ec2:SecurityGroupIngress"
NATIVE_SG_TYPES = (NATIVE_SG_TYPE, NATIVE_SG_INGRESS_TYPE)
WORLD = ("0.0.0.0/0", "::/0")


def is_world_cidr(value: Any) -> bool:
    """True for a CIDR that covers every address: 0.0.0.0/0 and ::/0 however written ("::0/0", "0::/0")."""
    if not isinstance(value, str) or is_unknown(value):
        return False
    text = value.strip()
    if text in WORLD:
        return True
    try:
        return ipaddress.ip_network(text, strict=False).prefixlen == 0
    except ValueError:
        return False


@dataclass
class SgRule:
    """One ingress or egress rule, whatever shape it was written in. Fields may be :data:`UNKNOWN`."""

    direction: str  # "ingress" | "egress"
    protocol: Any
    from_port: Any
    to_port: Any
    cidrs: List[Any]
    source_groups: List[Any]
    self_ref: bool
    prefix_lists: List[Any]
    description: Any
    label: str

    @property
    def all_protocols(self) -> bool:
        return protocol_name(self.protocol) == "all"

    @property
    def world_cidrs(self) -> List[str]:
        return [c for c in self.cidrs if is_world_cidr(c)]

    @property
    def unknown(self) -> bool:
        return any(is_unknown(v) for v in (self.protocol, self.from_port, self.to_port)) or any(
            is_unknown(c) for c in self.cidrs)

    def port_range(self) -> Optional[Tuple[int, int]]:
        """The TCP/UDP port range, (0, 65535) for all protocols, None for ICMP and others."""
        proto = protocol_name(self.protocol)
        if proto == "all":
            return (0, 65535)
        if proto not in ("tcp", "udp"):
            return None
        known = [port for port in (number(self.from_port), number(self.to_port)) if port is not None]
        if not known:
            return (0, 65535)
        low, high = known[0], known[-1]  # one side missing: the other stands for both
        if low == -1 or high == -1:
            return (0, 65535)
        return (min(low, high), max(low, high))

    def covers(self, port: int) -> bool:
        rng = self.port_range()
        return rng is not None and rng[0] <= port <= rng[1]

    def only_ports(self, allowed: Iterable[int]) -> bool:
        """True if the range is a single allowed port (or a range inside the allowed set)."""
        rng = self.port_range()
        if rng is None:
            return True
        allowed_set = {int(p) for p in allowed if as_int(p) is not None}
        return all(p in allowed_set for p in range(rng[0], rng[1] + 1)) if rng[1] - rng[0] < 1024 else False


def _peek(value: Any) -> Any:
    return UNKNOWN if is_unknown(value) else value


def _inline(entry: Any, direction: str, label: str) -> Optional[SgRule]:
    if is_unknown(entry):
        return SgRule(direction, UNKNOWN, UNKNOWN, UNKNOWN, [UNKNOWN], [], False, [], UNKNOWN, label)
    if not isinstance(entry, dict):
        return None
    cidrs = [_peek(c) for c in as_list(entry.get("cidrBlocks")) + as_list(entry.get("ipv6CidrBlocks"))]
    if is_unknown(entry.get("cidrBlocks")) or is_unknown(entry.get("ipv6CidrBlocks")):
        cidrs.append(UNKNOWN)
    return SgRule(direction, _peek(entry.get("protocol")), _peek(entry.get("fromPort")), _peek(entry.get("toPort")),
                  cidrs, as_list(entry.get("securityGroups")), as_bool(entry.get("self")) is True,
                  as_list(entry.get("prefixListIds")), _peek(entry.get("description")), label)


def sg_rules(res: Resource, directions: Sequence[str] = ("ingress", "egress")) -> List[SgRule]:
    """All rules a resource of any of the four shapes (or the default SG) declares."""
    rules: List[SgRule] = []
    if res.type in (SG_TYPE, DEFAULT_SG_TYPE):
        for direction in directions:
            entries = res.props.get(direction)
            if is_unknown(entries):
                rules.append(SgRule(direction, UNKNOWN, UNKNOWN, UNKNOWN, [UNKNOWN], [], False, [], UNKNOWN,
                                    f"{direction} (unknown)"))
                continue
            for i, entry in enumerate(as_list(entries)):
                rule = _inline(entry, direction, f"{direction}[{i}]")
                if rule:
                    rules.append(rule)
    elif res.type == SG_RULE_TYPE:
        raw = res.props.get("type")
        direction = str(raw) if raw in ("ingress", "egress") else ("ingress" if is_unknown(raw) else str(raw))
        if direction in directions:
            rule = _inline(res.props, direction, direction)
            if rule:
                src = res.props.get("sourceSecurityGroupId")
                rule.source_groups = [src] if src else []
                rules.append(rule)
    elif res.type in NATIVE_SG_TYPES and "ingress" in directions:
        entries = res.props.get("securityGroupIngress") if res.type == NATIVE_SG_TYPE else [res.props]
        if is_unknown(entries):
            entries = [entries]
        for i, entry in enumerate(as_list(entries)):
            label = f"securityGroupIngress[{i}]" if res.type == NATIVE_SG_TYPE else "ingress"
            if is_unknown(entry):
                rules.append(SgRule("ingress", UNKNOWN, UNKNOWN, UNKNOWN, [UNKNOWN], [], False, [], UNKNOWN, label))
            elif isinstance(entry, dict):
                cidrs = [_peek(entry.get(k)) for k in ("cidrIp", "cidrIpv6") if entry.get(k) is not None]
                src = entry.get("sourceSecurityGroupId")
                rules.append(SgRule("ingress", _peek(entry.get("ipProtocol")), _peek(entry.get("fromPort")),
                                    _peek(entry.get("toPort")), cidrs, [src] if src else [], False, [],
                                    _peek(entry.get("description")), label))
    elif res.type in (SG_INGRESS_TYPE, SG_EGRESS_TYPE):
        direction = "ingress" if res.type == SG_INGRESS_TYPE else "egress"
        if direction in directions:
            p = res.props
            cidrs = [_peek(p.get(k)) for k in ("cidrIpv4", "cidrIpv6") if p.get(k) is not None]
            src = p.get("referencedSecurityGroupId")
            rules.append(SgRule(direction, _peek(p.get("ipProtocol")), _peek(p.get("fromPort")),
                                _peek(p.get("toPort")), cidrs, [src] if src else [], False,
                                [p["prefixListId"]] if p.get("prefixListId") else [], _peek(p.get("description")),
                                direction))
    return rules


def port_list(value: Any) -> List[int]:
    return [p for p in (number(v) for v in as_list(value)) if p is not None]


def matches_any(name: str, patterns: Iterable[Any]) -> bool:
    return any(isinstance(p, str) and fnmatch.fnmatchcase(name, p) for p in patterns)


def tags_match(tags: Any, wanted: Any) -> bool:
    """True if every key/value in ``wanted`` is among ``tags`` (and ``wanted`` is not empty)."""
    if not isinstance(wanted, Mapping) or not wanted or not isinstance(tags, Mapping):
        return False
    return all(tags.get(k) == v for k, v in wanted.items())


# ---------------------------------------------------------------------------------------------------------------
# IAM and resource policy documents.


def policy_document(value: Any) -> Optional[Dict[str, Any]]:
    """A policy document from a JSON string or a dict; None if missing, unknown or malformed (see
    :mod:`policies.readers.iam`)."""
    return None if is_unknown(value) else iam.document(value)


statements = iam.statements
allows = iam.allows


def actions(statement: Mapping[str, Any]) -> List[str]:
    return iam.strings(statement, "Action")


def resources_of(statement: Mapping[str, Any]) -> List[str]:
    return iam.strings(statement, "Resource")


def all_resources(statement: Mapping[str, Any]) -> bool:
    """True if an Allow statement's resources cover every ARN (``*``, ``arn:aws:*``...) or it uses NotResource."""
    return "NotResource" in statement or iam.covers_all_resources(resources_of(statement))


wildcard_principal = iam.everyone
principal_is_public = iam.public_statement


def public_statements(res: Resource, prop: str, report: Callable[[str], None]) -> List[int]:
    """Indexes of Allow statements in the resource policy ``prop`` that open to the "*" principal without a
    condition that really restricts them. A present but malformed document is reported as such."""
    return [i for i, st in enumerate(statements(document_or_report(res, prop, report))) if principal_is_public(st)]


def document_or_report(res: Resource, prop: str, report: Callable[[str], None]) -> Optional[Dict[str, Any]]:
    """The policy document in ``prop`` (None if absent); a malformed one is reported and gives None."""
    raw = res.get(prop)
    doc = policy_document(raw)
    if raw is not None and doc is None:
        report(f"{prop} is not a valid JSON policy document.")
    return doc


def sensitive_grants(found: Sequence[Tuple[str, Dict[str, Any]]], sensitive: Sequence[str],
                     skip: Callable[[str], bool]) -> List[Tuple[str, List[str]]]:
    """(label, matched actions) for Allow statements on every resource whose actions (globs allowed) grant any of
    ``sensitive``; actions for which ``skip(action)`` is true are left to other rules."""
    out = []
    for label, st in found:
        if not allows(st) or not all_resources(st):
            continue
        granted = [a for a in actions(st) if not skip(a)]
        hits = sorted({s for s in sensitive for a in granted if iam.action_matches(a, s)})
        if hits:
            out.append((label, hits))
    return out


def unset(res: Resource, *path: Any) -> bool:
    """True if the value at ``path`` is missing or empty; an unknown value counts as set."""
    value = res.peek(*path)
    return value is not UNKNOWN and not value


def policy_documents(res: Resource) -> List[Tuple[str, Any]]:
    """(label, raw document) pairs for the IAM types that carry permissions documents."""
    docs: List[Tuple[str, Any]] = []
    if res.type == "aws:iam/role:Role":
        inline = res.peek("inlinePolicies")
        for i, item in enumerate(as_list(inline) if not is_unknown(inline) else []):
            if isinstance(item, dict):
                docs.append((f"inlinePolicies[{i}]", item.get("policy")))
    else:
        docs.append(("policy", res.props.get("policy")))
    return docs


IAM_DOC_TYPES = (
    "aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy", "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy", "aws:iam/role:Role",
)

LB_TYPES = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
LISTENER_TYPES = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")
TARGET_GROUP_TYPES = ("aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup")


def listener_protocol(res: Resource) -> Optional[str]:
    """The listener's protocol, upper-cased. Unset with a port means HTTP (the provider's default for application
    load balancers); unset without a port is a Gateway Load Balancer listener (None). Raises if unknown."""
    protocol = res.get("protocol")
    if isinstance(protocol, str) and protocol.strip():
        return protocol.strip().upper()
    if protocol is None and res.get("port") is not None and not res.peek("certificateArn"):
        return "HTTP"
    return None


def permission_statements(res: Resource) -> Tuple[List[Tuple[str, Dict[str, Any]]], Optional[str]]:
    """(label, statement) for every statement of every permissions document on an IAM resource.

    Returns the statements and the label of the first unknown or malformed document (or None). Rules report
    definite findings first and then raise the preview skip for an unknown document.
    """
    found: List[Tuple[str, Dict[str, Any]]] = []
    unknown: Optional[str] = None
    if res.type == "aws:iam/role:Role" and is_unknown(res.props.get("inlinePolicies")):
        unknown = "inlinePolicies"
    for label, raw in policy_documents(res):
        if raw is None:
            continue
        if is_unknown(raw):
            unknown = unknown or label
            continue
        doc = policy_document(raw)
        for i, st in enumerate(statements(doc)):
            found.append((f"{label} Statement[{i}]", st))
    return found, unknown


_AWS_MANAGED = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/(.+)$")


def aws_managed_policy(arn: Any) -> Optional[str]:
    """The path/name of an AWS-managed policy ARN (e.g. "service-role/AmazonECSTaskExecutionRolePolicy")."""
    match = _AWS_MANAGED.match(arn) if isinstance(arn, str) else None
    return match.group(1) if match else None


ATTACHMENT_TYPES = (
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:iam/policyAttachment:PolicyAttachment",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment", "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
    "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive",
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive",
)


def attached_policy_arns(res: Resource) -> List[Any]:
    """Policy ARNs a role (managedPolicyArns), an attachment (policyArn) or an exclusive attachment set
    (policyArns) attaches."""
    if res.type == "aws:iam/role:Role":
        return as_list(res.get("managedPolicyArns"))
    if res.type.endswith("PolicyAttachmentsExclusive"):
        return as_list(res.get("policyArns"))
    return [res.get("policyArn")]
