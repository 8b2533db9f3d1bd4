"""How a rule module builds its policy. Every rule builds its ``POLICY`` with :func:`resource_rule` or
:func:`stack_rule`, which add what every rule shares:

* a type guard (``types``), so a rule body only sees the resource types it names;
* config: each rule's ``config_schema`` carries its defaults, and ``Resource.config`` falls back to them
  when the engine sent nothing (the engine normally fills them in itself);
* exemptions: every advisory rule accepts ``exemptions: [{"resource": <name or URN>, "reason": <text>}]`` in
  the pack config of a stack; mandatory rules accept none;
* the ids the rule answers to (FSBP, cdk-nag, Checkov, AWSGuard/Compliance-Ready), as tags ``fsbp:ECS.5`` and
  as a structured ``ids`` attribute that ``policies.tools.readme`` reads;
* a safety net: an unexpected error inside a rule becomes a not-applicable result with the error text, never a
  gRPC failure (the tests fail if that ever happens on a fixture).

A rule whose whole body is "this property must be set" builds it with :func:`report_if_unset`.
"""

from __future__ import annotations

import fnmatch
import sys
import traceback
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from pulumi_policy import (
    EnforcementLevel,
    PolicyComplianceFramework,
    PolicyConfigSchema,
    ResourceValidationPolicy,
    Severity,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import serialize_properties
from pulumi_policy.proxy import UnknownValueError

from .resources import NotApplicable, Resource, Stack, LazyResource, unset
from .values import as_list, plain

ADVISORY = EnforcementLevel.ADVISORY
MANDATORY = EnforcementLevel.MANDATORY
LOW, MEDIUM, HIGH, CRITICAL = Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL


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


def report_if_unset(prop: str, message: str) -> Callable[[Resource, Callable[[str], None]], None]:
    """The body of a rule that requires ``prop`` to be set: it reports ``message`` when the value is missing or
    empty. An unknown value counts as set (:func:`~.resources.unset`), so such a rule never skips."""
    def _validate(res: Resource, report: Callable[[str], None]) -> None:
        if unset(res, prop):
            report(message)
    return _validate


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
            resources.append(LazyResource(
                r.props, r.resource_type, r.name, r.urn, None, cfg, schema,
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
