"""Rules for ec2, the EC2 type tokens the rules share, and what the security-group rules share: the world exposure
of one resource's ingress rules."""

from typing import Any, List, Optional, Tuple

from ..core.securitygroups import sg_rules
from ..readers.network import Exposure, first_unknown

VPC = "aws:ec2/vpc:Vpc"
AWSX_VPC = "awsx:ec2:Vpc"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
NACL_TYPES = ("aws:ec2/networkAcl:NetworkAcl", "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl",
              "aws:ec2/networkAclRule:NetworkAclRule")
SUBNET = "aws:ec2/subnet:Subnet"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ROUTE = "aws:ec2/route:Route"
ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
IGW = "aws:ec2/internetGateway:InternetGateway"

# FSBP EC2.19 high-risk ports plus cdk-nag's restricted common ports (3309), plus the database ports FSBP leaves
# out (Oracle 1521/2483/2484, Redshift 5439, Redis 6379, Cassandra 9042, Memcached 11211, MongoDB/DocumentDB
# 27017): a world-open database port is mandatory to refuse whatever the engine.
HIGH_RISK_PORTS = sorted([20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3309, 3389, 4333, 5000,
                          5432, 5500, 5601, 8080, 8088, 8888, 9200, 9300]
                         + [1521, 2483, 2484, 5439, 6379, 9042, 11211, 27017])


def ingress_exposure(res: Any) -> Tuple[Exposure, Optional[str]]:
    """The exposure of ``res``'s ingress rules whose values are known, and the label of the first rule that has
    unknown CIDRs, protocol or ports (rules report definite findings first, then raise the preview skip)."""
    rules: List[Any] = [r for r in sg_rules(res, ("ingress",)) if r.cidrs]
    return Exposure([r for r in rules if not r.unknown]), first_unknown(rules)


def joined(items: List[str]) -> str:
    return ", ".join(items)
