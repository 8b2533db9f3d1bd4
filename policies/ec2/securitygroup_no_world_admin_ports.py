"""No database or administration port is open to the world."""

from ..common import CRITICAL, DEFAULT_SG_TYPE, SG_TYPES, RuleIds, port_list, raise_unknown, resource_rule
from .securitygroup_no_world_ingress import world_rules

# FSBP EC2.19 high-risk ports plus cdk-nag's restricted common ports (3309), plus the database ports FSBP leaves
# out (Oracle 1521/2483/2484, Redshift 5439, Redis 6379, Cassandra 9042, Memcached 11211, MongoDB/DocumentDB
# 27017): a world-open database port is mandatory to refuse whatever the engine.
HIGH_RISK_PORTS = sorted([20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3309, 3389, 4333, 5000,
                          5432, 5500, 5601, 8080, 8088, 8888, 9200, 9300]
                         + [1521, 2483, 2484, 5439, 6379, 9042, 11211, 27017])


def _validate(res, report):
    ports = port_list(res.config("ports")) or HIGH_RISK_PORTS
    unknown = [None]
    for rule in world_rules(res, unknown):
        if rule.all_protocols:
            continue  # reported by aws-ec2-securitygroup-no-world-all-protocols
        exposed = [p for p in ports if rule.covers(p)]
        if exposed:
            report(f"{rule.label} opens high-risk port(s) {exposed} to {', '.join(rule.world_cidrs)}.")
    if unknown[0]:
        raise_unknown([unknown[0]])


LEVEL_REASON = ("A database or administration port open to the internet is attacked within minutes (FSBP EC2.19 "
                "Critical).")

POLICY = resource_rule(
    name="aws-ec2-securitygroup-no-world-admin-ports",
    description="Security groups never open database or administration ports (FSBP EC2.19 list and common "
                "database ports) to 0.0.0.0/0 or ::/0.",
    types=SG_TYPES + (DEFAULT_SG_TYPE,),
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
