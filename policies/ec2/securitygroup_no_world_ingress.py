"""Only allowed groups take world traffic, and only on allowed ports (80/443 by default)."""

from ..core.rules import MEDIUM, RuleIds, resource_rule
from ..core.securitygroups import SG_TYPES
from ..core.values import as_list, matches_any, port_list, raise_unknown, tags_match
from . import ingress_exposure, joined

DEFAULT_NAMES = ["*alb*", "*elb*", "*nlb*", "lb-*", "*-lb", "*-lb-*", "*load*balancer*"]


def _only(low, high, allowed):
    return high - low < 1024 and all(p in allowed for p in range(low, high + 1))


def _validate(res, report):
    ports = port_list(res.config("allowedPorts"))
    allowed_resource = matches_any(res.name, as_list(res.config("allowedNames"))) or tags_match(
        res.peek("tags"), res.config("allowedTags"))
    exposure, unknown = ingress_exposure(res)
    for low, high, spaces, labels in exposure.open_ranges():
        where = f"{joined(labels)} open(s) {low}-{high} to {joined(spaces)}"
        if not _only(low, high, set(ports)):
            report(f"{where}; only ports {ports} may be open to the world.")
        elif not allowed_resource:
            report(f"{where}, but {res.name!r} is not an internet-facing group allowed by the pack config "
                   "(allowedNames/allowedTags).")
    for rule, spaces, label in exposure.other_protocols():
        report(f"{label} admits protocol {rule.protocol!r} from {joined(spaces)}; only TCP ports {ports} may be "
               "open to the world.")
    if unknown:
        raise_unknown([unknown])


POLICY = resource_rule(
    name="aws-ec2-securitygroup-no-world-ingress",
    description="Security groups admit sources that together cover 0.0.0.0/0 or ::/0 only on allowed ports "
                "(80/443) and only on groups the pack config marks as internet-facing.",
    types=SG_TYPES,
    validate=_validate,
    severity=MEDIUM,
    remediation="Restrict the source to a security group or a known CIDR. Internet-facing load balancer groups "
                "may open 80/443; list them in allowedNames or tag them per allowedTags.",
    ids=RuleIds(fsbp=("EC2.18",), cdk_nag=("AwsSolutions-EC23",), checkov=("CKV_AWS_277", "CKV_AWS_260"),
                awsguard=("aws-ec2-securitygroup-disallow-public-internet-ingress",
                          "aws-ec2-securitygroup-disallow-inbound-http-traffic")),
    tags=["ec2", "network", "exposure"],
    config={
        "allowedPorts": {"type": "array", "items": {"type": "integer"}, "default": [80, 443],
                         "description": "Ports that allowed groups may open to the world."},
        "allowedNames": {"type": "array", "items": {"type": "string"}, "default": DEFAULT_NAMES,
                         "description": "Glob patterns of resource names (group or rule) allowed world ingress."},
        "allowedTags": {"type": "object", "default": {"exposure": "internet"},
                        "description": "Tags that mark a group or rule as internet-facing (all must match)."},
    },
    unknowns="A world CIDR with known ports is judged even if other values are unknown. A rule whose CIDRs or "
             "ports are unknown (and has no source group) makes the rule skip with the SDK's advisory preview "
             "message, after any definite finding is reported.",
)
