"""The database's security groups admit only other security groups on the DB port (stack rule)."""

from ..core.rules import HIGH, RuleIds, stack_rule
from ..core.securitygroups import SG_INGRESS_TYPE, SG_RULE_TYPE, SG_TYPE, sg_rules
from ..core.values import as_int, is_unknown
from . import INSTANCE

_DEFAULT_PORTS = {"postgres": 5432, "aurora-postgresql": 5432, "sqlserver": 1433, "oracle": 1521}


def db_port(db):
    port = as_int(db.peek("port"))
    if port:
        return port
    engine = str(db.peek("engine") or "mysql").lower()
    return next((p for prefix, p in _DEFAULT_PORTS.items() if engine.startswith(prefix)), 3306)


def _validate(stack, report):
    groups = stack.of_type(SG_TYPE)
    rules = stack.of_type(SG_RULE_TYPE, SG_INGRESS_TYPE)
    for db in stack.of_type(INSTANCE):
        port = db_port(db)
        db_groups, _ = stack.resolve(db, "vpcSecurityGroupIds", groups)
        for group in db_groups:
            candidates = [(group, r) for r in sg_rules(group, ("ingress",))]
            for rule_res in rules:
                if stack.resolve(rule_res, "securityGroupId", [group])[0]:
                    candidates += [(rule_res, r) for r in sg_rules(rule_res, ("ingress",))]
            for holder, rule in candidates:
                if any(is_unknown(v) for v in (rule.protocol, rule.from_port, rule.to_port)):
                    continue
                if rule.covers(port) and (rule.cidrs or rule.prefix_lists):
                    where = rule.label if holder is group else f"rule {holder.name!r}"
                    report(f"security group {group.name!r} of database {db.name!r} admits CIDRs or prefix "
                           f"lists on port {port} ({where}); admit only the application's security group.",
                           holder.urn)


POLICY = stack_rule(
    name="aws-rds-instance-security-group-sources",
    description="The security groups of an RDS instance admit only security groups (never CIDRs or prefix "
                "lists) on the database port.",
    types=(INSTANCE,),
    validate=_validate,
    severity=HIGH,
    remediation="Replace CIDR sources on the DB port with a rule whose source is the tasks' security group "
                "(referencedSecurityGroupId / sourceSecurityGroupId / securityGroups).",
    ids=RuleIds(fsbp=("EC2.19",), cdk_nag=("AwsSolutions-RDS8",)),
    url="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.RDSSecurityGroups.html",
    tags=["rds", "network", "stack"],
    unknowns="Follows vpcSecurityGroupIds and each rule's securityGroupId by value or property dependency. Any "
             "CIDR field on the DB port is a finding even if its value is unknown; rules with unknown ports are "
             "not judged. Never skips.",
)
