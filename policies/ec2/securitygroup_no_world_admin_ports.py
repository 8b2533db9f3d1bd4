"""No database or administration port is open to the world."""

from ..core.rules import CRITICAL, RuleIds, resource_rule
from ..core.securitygroups import DEFAULT_SG_TYPE, NATIVE_SG_TYPES, SG_TYPES
from ..core.values import port_list, raise_unknown
from . import HIGH_RISK_PORTS, ingress_exposure, joined


def _validate(res, report):
    ports = port_list(res.config("ports")) or HIGH_RISK_PORTS
    exposure, unknown = ingress_exposure(res)
    everything, _ = exposure.all_protocols()
    found = {}
    for port in ports:
        spaces, labels = exposure.port(port)
        if spaces and not set(spaces) <= set(everything):  # all protocols open: the all-protocols rule says so
            found.setdefault((tuple(labels), tuple(spaces)), []).append(port)
    for (labels, spaces), exposed in found.items():
        report(f"{joined(list(labels))} open(s) high-risk port(s) {exposed} to {joined(list(spaces))} (the sources "
               "together cover the whole address space).")
    if unknown:
        raise_unknown([unknown])


LEVEL_REASON = ("A database or administration port open to the internet is attacked within minutes (FSBP EC2.19 "
                "Critical).")

POLICY = resource_rule(
    name="aws-ec2-securitygroup-no-world-admin-ports",
    description="Security groups never open database or administration ports (FSBP EC2.19 list and common "
                "database ports) to sources that together cover 0.0.0.0/0 or ::/0.",
    types=SG_TYPES + (DEFAULT_SG_TYPE,) + NATIVE_SG_TYPES,
    validate=_validate,
    severity=CRITICAL,
    mandatory=True,
    remediation="Allow these ports only from security groups (e.g. the task group to the DB group) or reach "
                "hosts through SSM Session Manager / ECS Exec instead of SSH/RDP.",
    ids=RuleIds(fsbp=("EC2.19", "EC2.13", "EC2.14"), checkov=("CKV_AWS_24", "CKV_AWS_25"),
                cdk_nag=("AwsSolutions-RDS8", "NIST.800.53.R5-EC2RestrictedCommonPorts",
                         "NIST.800.53.R5-EC2RestrictedSSH")),
    url="https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-19",
    tags=["ec2", "network", "exposure"],
    config={"ports": {"type": "array", "items": {"type": "integer"}, "default": HIGH_RISK_PORTS,
                      "description": "Ports that must never be open to the world."}},
    unknowns="As aws-ec2-securitygroup-no-world-ingress: definite findings first, then an advisory preview skip "
             "if a rule's CIDRs or ports are unknown.",
)
