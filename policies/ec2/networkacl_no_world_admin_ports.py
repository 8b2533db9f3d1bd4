"""Network ACLs do not allow SSH or RDP from the world."""

from ..core.rules import MEDIUM, RuleIds, resource_rule
from ..core.securitygroups import is_world_cidr
from ..core.values import as_bool, as_int, as_list, port_list
from ..readers.numbers import protocol_name
from . import NACL_TYPES


def _entries(res):
    if res.type == "aws:ec2/networkAclRule:NetworkAclRule":
        if as_bool(res.get("egress")) is True:
            return []
        p = res.props
        return [("rule", p.get("ruleAction"), p.get("protocol"), p.get("fromPort"), p.get("toPort"),
                 [p.get("cidrBlock"), p.get("ipv6CidrBlock")])]
    out = []
    for i, e in enumerate(as_list(res.get("ingress"))):
        if isinstance(e, dict):
            out.append((f"ingress[{i}]", e.get("action"), e.get("protocol"), e.get("fromPort"), e.get("toPort"),
                        [e.get("cidrBlock"), e.get("ipv6CidrBlock")]))
    return out


def _validate(res, report):
    ports = port_list(res.config("ports"))
    for label, action, protocol, low, high, cidrs in _entries(res):
        if str(action).lower() != "allow" or not any(is_world_cidr(c) for c in cidrs):
            continue
        proto = protocol_name(protocol)
        all_ports = proto == "all"
        if not all_ports and proto not in ("tcp", "udp"):
            continue
        lo, hi = as_int(low), as_int(high)
        for port in ports:
            if all_ports or (lo is not None and hi is not None and lo <= port <= hi):
                report(f"{label} allows port {port} from the world.")


POLICY = resource_rule(
    name="aws-ec2-networkacl-no-world-admin-ports",
    description="Network ACLs do not allow ingress from 0.0.0.0/0 or ::/0 to SSH (22) or RDP (3389).",
    types=NACL_TYPES,
    validate=_validate,
    severity=MEDIUM,
    remediation="Deny or remove NACL entries that admit 22/3389 from the world; use SSM Session Manager.",
    ids=RuleIds(fsbp=("EC2.21",), cdk_nag=("AwsSolutions-VPC3",)),
    tags=["ec2", "network", "exposure"],
    config={"ports": {"type": "array", "items": {"type": "integer"}, "default": [22, 3389],
                      "description": "Administration ports that NACLs must not admit from the world."}},
    unknowns="ingress or egress unknown: skipped with the SDK's advisory preview message; unknown fields of "
             "one entry make that entry count as not world-open.",
)
