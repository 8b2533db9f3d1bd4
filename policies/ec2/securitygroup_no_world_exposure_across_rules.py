"""Rule resources that together open a security group to the world (stack rule)."""

from ..core.rules import CRITICAL, RuleIds, stack_rule
from ..core.securitygroups import DEFAULT_SG_TYPE, NATIVE_SG_INGRESS_TYPE, NATIVE_SG_TYPE, SG_INGRESS_TYPE, \
    SG_RULE_TYPE, SG_TYPE, sg_rules
from ..core.values import is_unknown, port_list
from ..readers.network import Exposure
from . import HIGH_RISK_PORTS, joined

_GROUPS = (SG_TYPE, DEFAULT_SG_TYPE, NATIVE_SG_TYPE)
_RULES = {SG_RULE_TYPE: "securityGroupId", SG_INGRESS_TYPE: "securityGroupId", NATIVE_SG_INGRESS_TYPE: "groupId"}


def _target(stack, rule_res, groups):
    """The group a rule resource adds to: a group of the stack (by id or dependency), else its id value."""
    prop = _RULES[rule_res.type]
    found, _ = stack.resolve(rule_res, prop, groups, keys=("id", "groupId"))
    if found:
        return found[0].urn
    value = rule_res.peek(prop)
    return value if isinstance(value, str) and value and not is_unknown(value) else None


def _by_group(stack):
    """{group key: [(resource, its known ingress rules with CIDRs)]} for every group of the stack and every group
    the stack's rule resources add to."""
    groups = stack.of_type(*_GROUPS)
    out = {g.urn: [(g, sg_rules(g, ("ingress",)))] for g in groups}
    for rule_res in stack.of_type(*_RULES):
        key = _target(stack, rule_res, groups)
        if key is not None:
            out.setdefault(key, []).append((rule_res, sg_rules(rule_res, ("ingress",))))
    return {k: [(r, [x for x in rules if x.cidrs and not x.unknown]) for r, rules in v] for k, v in out.items()}


def _validate(stack, report):
    ports = port_list(stack.config("ports")) or HIGH_RISK_PORTS
    for key, members in _by_group(stack).items():
        if len(members) < 2:
            continue  # one resource alone is judged by the resource rules
        for res, rules in members:
            for rule in rules:
                rule.label = f"{res.name}: {rule.label}"
        alone = [Exposure(rules) for _, rules in members]
        together = Exposure([rule for _, rules in members for rule in rules])
        anchor = members[0][0].urn
        spaces, labels = together.all_protocols()
        if spaces and not any(e.all_protocols()[0] for e in alone):
            report(f"{joined(labels)} together admit every protocol to group {key} from {joined(spaces)}.", anchor)
            continue
        exposed = [p for p in ports if together.port(p)[0] and not any(e.port(p)[0] for e in alone)]
        if exposed:
            spaces, labels = together.port(exposed[0])
            report(f"{joined(labels)} together open high-risk port(s) {exposed} of group {key} to "
                   f"{joined(spaces)}.", anchor)


LEVEL_REASON = "The same exposure as aws-ec2-securitygroup-no-world-admin-ports, split across resources."

POLICY = stack_rule(
    name="aws-ec2-securitygroup-no-world-exposure-across-rules",
    description="Security-group rules of any shape (inline, SecurityGroupRule, vpc SecurityGroupIngressRule) "
                "never together open all protocols or a high-risk port of one group to sources covering "
                "0.0.0.0/0 or ::/0.",
    types=_GROUPS + tuple(_RULES),
    validate=_validate,
    severity=CRITICAL,
    mandatory=True,
    remediation="Admit these ports only from security groups or known CIDRs; do not rebuild 0.0.0.0/0 from "
                "smaller blocks across rule resources.",
    ids=RuleIds(fsbp=("EC2.19", "EC2.18"), checkov=("CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_277")),
    url="https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-19",
    tags=["ec2", "network", "exposure"],
    config={"ports": {"type": "array", "items": {"type": "integer"}, "default": HIGH_RISK_PORTS,
                      "description": "Ports that rules must never together open to the world."}},
    unknowns="Rules with unknown CIDRs, protocol or ports, and rule resources whose group cannot be resolved, are "
             "left out of the union (the resource rules raise the preview skip for them).",
)
