"""Security groups: one normalised rule shape for the four ways to write them (inline, ec2/securityGroupRule,
vpc/securityGroupIngressRule, vpc/securityGroupEgressRule) and aws-native's two."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any, Iterable, List, Optional, Sequence, Tuple

from ..readers.numbers import number, protocol_name
from .resources import Resource
from .values import UNKNOWN, as_bool, as_int, as_list, is_unknown

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
