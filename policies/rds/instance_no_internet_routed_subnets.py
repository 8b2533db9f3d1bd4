"""Databases are not placed in subnets routed to an internet gateway (stack rule, where visible)."""

from ..core.rules import HIGH, RuleIds, stack_rule
from ..core.values import as_list, is_unknown
from ..ec2 import ASSOCIATION, IGW, ROUTE, ROUTE_TABLE, SUBNET
from . import INSTANCE, SUBNET_GROUP


def _is_igw(stack, holder, value):
    if isinstance(value, str) and not is_unknown(value) and value.startswith("igw-"):
        return True
    found, _ = stack.resolve(holder, "gatewayId", stack.of_type(IGW))
    return bool(found)


def _routes_to_igw(stack, table):
    for route in as_list(table.peek("routes")):
        if isinstance(route, dict) and isinstance(route.get("gatewayId"), str) and \
                not is_unknown(route["gatewayId"]) and route["gatewayId"].startswith("igw-"):
            return True
    for route in stack.of_type(ROUTE):
        tables, _ = stack.resolve(route, "routeTableId", [table])
        if tables and _is_igw(stack, route, route.peek("gatewayId")):
            return True
    return False


def _validate(stack, report):
    groups, subnets, tables = stack.of_type(SUBNET_GROUP), stack.of_type(SUBNET), stack.of_type(ROUTE_TABLE)
    for db in stack.of_type(INSTANCE):
        exposed = []
        for group in stack.resolve(db, "dbSubnetGroupName", groups, keys=("name", "id"))[0]:
            for subnet in stack.resolve(group, "subnetIds", subnets)[0]:
                for assoc in stack.of_type(ASSOCIATION):
                    if not stack.resolve(assoc, "subnetId", [subnet])[0]:
                        continue
                    if any(_routes_to_igw(stack, t) for t in stack.resolve(assoc, "routeTableId", tables)[0]):
                        exposed.append(subnet.name)
        if exposed:
            report(f"database {db.name!r} can be placed in subnet(s) {sorted(set(exposed))}, whose route tables "
                   "route to an internet gateway. Use isolated subnets.", db.urn)

POLICY = stack_rule(
    name="aws-rds-instance-no-internet-routed-subnets",
    description="RDS instances use DB subnet groups whose subnets have no route to an internet gateway, where "
                "the subnets and route tables are visible in the stack.",
    types=(INSTANCE,),
    validate=_validate,
    severity=HIGH,
    remediation="Give the DB subnet group isolated (or private) subnets whose route tables have no igw- route.",
    ids=RuleIds(fsbp=("RDS.46",), cdk_nag=("NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW",)),
    tags=["rds", "network", "stack"],
    unknowns="Follows instance -> subnet group -> subnets -> route table associations -> routes by value or "
             "property dependency; a link it cannot follow (remote awsx children, unknown ids without "
             "dependencies) ends the chain without a finding. Never skips.",
)
