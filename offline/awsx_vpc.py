"""The children the awsx ``ec2.Vpc`` component (pulumi-awsx 3.11) registers, derived from its arguments.

Offline there is no awsx provider, so :mod:`offline.engine` registers these children itself, and the policy pack
judges them like any resource. The layout follows pulumi/pulumi-awsx ``awsx/ec2/vpc.ts`` (``initialize``,
``createInnerVpc``, ``shouldCreateNatGateway``, ``compareSubnetSpecs``), ``subnetDistributorNew.ts``
(``getSubnetSpecs``, ``allocateSubnetCidrBlocks``, ``nextNetmask``, ``newBits``) and ``subnetNaming.ts``, at the
commit the 3.11 line shares with the repository's head (no change to those files since ``8b224114``, which added
``subnetNameTagStrategy``, present in the 3.11 Python SDK). ``tests/offline/test_awsx_vpc.py`` pins it with
cases taken from awsx's own tests.

Covered: ``subnetStrategy`` ``Auto`` (and ``Legacy`` / ``AutoMerge`` only where they give the same layout: no
``subnetSpecs``), subnet specs given by type, name and optional ``cidrMask``/``size``, ``numberOfAvailabilityZones``
or ``availabilityZoneNames``, every NAT strategy, ``subnetNameTagStrategy``. Not covered (a clear error, never a
guess): explicit ``cidrBlocks`` layouts, ``vpcEndpointSpecs``, IPv6, EIP allocation ids given by the program.

Per AZ (in AZ order), per subnet spec sorted public, private, isolated:

* ``aws:ec2/subnet:Subnet`` ``<vpc>-<spec name or type>-<az number>`` under the inner ``aws:ec2/vpc:Vpc``, with
  ``mapPublicIpOnLaunch`` true exactly for public subnets;
* a ``RouteTable`` of the same name under the subnet, a ``RouteTableAssociation`` under the route table;
* in a public subnet, when the strategy asks for one in this AZ, an ``Eip`` and a ``NatGateway``
  ``<vpc>-<az number>`` under the subnet;
* a ``Route`` to the internet gateway (public) or to the NAT gateway (private, unless the strategy is ``None``).

Before those, the inner ``aws:ec2/vpc:Vpc`` ``<vpc>`` (parent: the component) and the ``InternetGateway`` ``<vpc>``
under it.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass, field
from typing import Any, Optional

#: Remote component types whose children the offline engine lays out (others stay single resources).
LAID_OUT = frozenset({"awsx:ec2:Vpc"})
NOTE = "remote component: children laid out offline from awsx 3.11's source"
HIDDEN_NOTE = "remote component: children not visible offline"

VPC = "aws:ec2/vpc:Vpc"
IGW = "aws:ec2/internetGateway:InternetGateway"
SUBNET = "aws:ec2/subnet:Subnet"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
ROUTE = "aws:ec2/route:Route"
EIP = "aws:ec2/eip:Eip"
NAT = "aws:ec2/natGateway:NatGateway"

# awsx's validSubnetSizes: index = cidrMask, value = number of addresses.
_VALID_SIZES = [2 ** (32 - m) for m in range(33)]
# The VpcArgs that awsx passes on to the inner aws.ec2.Vpc (the aws.ec2.Vpc input names).
_VPC_INPUTS = ("assignGeneratedIpv6CidrBlock", "cidrBlock", "enableDnsHostnames", "enableDnsSupport",
               "enableNetworkAddressUsageMetrics", "instanceTenancy", "ipv4IpamPoolId", "ipv4NetmaskLength",
               "ipv6CidrBlock", "ipv6CidrBlockNetworkBorderGroup", "ipv6IpamPoolId", "ipv6NetmaskLength", "region")


class UnsupportedVpcArgs(ValueError):
    """The awsx arguments ask for a layout this module does not model."""


@dataclass
class Child:
    """One resource the component registers. ``refs`` maps an input to ``(child key, output)``: the value is
    another child's output (``vpcId`` <- the VPC's ``id``); ``parent`` and ``depends_on`` are child keys (the
    empty key is the component itself)."""

    key: str
    type: str
    name: str
    parent: str
    inputs: dict
    refs: dict = field(default_factory=dict)
    depends_on: list = field(default_factory=list)


def new_bits(count: int) -> int:
    return 0 if count == 0 else math.ceil(math.log2(count))


def next_netmask(previous: ipaddress.IPv4Network, prefix: int) -> ipaddress.IPv4Network:
    """awsx's ``nextNetmask``: the block of ``prefix`` after the one holding ``previous``'s last address."""
    holding = ipaddress.ip_network(f"{previous.broadcast_address}/{prefix}", strict=False)
    return ipaddress.IPv4Network(f"{holding.broadcast_address + 1}/{prefix}")


def _spec_mask(spec: dict) -> Optional[int]:
    if spec.get("cidrMask") is not None:
        return int(spec["cidrMask"])
    if spec.get("size") is not None:
        size = int(spec["size"])
        if size not in _VALID_SIZES:
            raise UnsupportedVpcArgs(f"subnetSpecs size {size} is not a power of two between 1 and 2^32")
        return _VALID_SIZES.index(size)
    return None


def default_specs(az_prefix: int) -> list[dict]:
    """awsx's ``defaultSubnetInputs``: private then public, the first /16 at most."""
    if az_prefix > 26:
        raise UnsupportedVpcArgs(f"automatic subnets need at least /26 per AZ, only /{az_prefix} is available")
    base = max(az_prefix, 16)
    return [{"type": "Private", "cidrMask": base + 1}, {"type": "Public", "cidrMask": base + 2}]


def subnet_cidrs(vpc_name: str, vpc_cidr: str, az_count: int, specs: Optional[list[dict]],
                 az_cidr_mask: Optional[int] = None) -> dict[str, str]:
    """awsx's ``allocateSubnetCidrBlocks``: ``{<vpc>-<spec>-<az number>#<spec index>: cidr}``."""
    vpc = ipaddress.ip_network(vpc_cidr)
    az_prefix = az_cidr_mask if az_cidr_mask is not None else vpc.prefixlen + new_bits(az_count)
    specs = specs if specs is not None else default_specs(az_prefix)
    if not specs:
        raise UnsupportedVpcArgs("no subnets specified")
    default_prefix = az_prefix + new_bits(len(specs))
    az_size = 2 ** (32 - az_prefix)
    total = sum(2 ** (32 - (_spec_mask(s) or default_prefix)) for s in specs)
    if total > az_size:
        raise UnsupportedVpcArgs(f"Subnets are too large for VPC. VPC has {az_size} addresses, but subnets "
                                 f"require {total} addresses.")
    allocation: dict[str, str] = {}
    az_block = ipaddress.ip_network(f"{vpc.network_address}/{az_prefix}")
    for az in range(az_count):
        current: Optional[ipaddress.IPv4Network] = None
        for index, spec in enumerate(specs):
            prefix = _spec_mask(spec) or default_prefix
            if current is None:
                current = ipaddress.IPv4Network(f"{az_block.network_address}/{prefix}", strict=False)
            else:
                current = next_netmask(current, prefix)
            spec_name = spec.get("name") or str(spec["type"]).lower()
            allocation[f"{vpc_name}-{spec_name}-{az + 1}#{index}"] = str(current)
        az_block = ipaddress.ip_network(f"{az_block.broadcast_address + 1}/{az_prefix}")
    return allocation


def should_create_nat_gateway(strategy: str, gateways: int, az_index: int) -> bool:
    s = strategy.lower()
    if s == "none":
        return False
    if s == "single":
        return gateways < 1
    if s == "oneperaz":
        return gateways < az_index + 1
    raise UnsupportedVpcArgs(f'Unknown NatGatewayStrategy "{strategy}"')


_ORDER = {"public": 0, "private": 1, "isolated": 2}


def az_suffix(az: str) -> str:
    import re

    return re.sub(r"^[a-z]{2}(?:-[a-z]+)+-", "", az) if re.match(r"^[a-z]{2}(?:-[a-z]+)+-", az) else az


def layout(name: str, args: dict, azs: list[str]) -> list[Child]:
    """The children of ``awsx.ec2.Vpc(name, **args)`` (``args`` in wire names, plain values), in registration
    order, for the availability zones ``azs`` (``availabilityZoneNames``, or the region's first N)."""
    for unsupported in ("vpcEndpointSpecs", "assignGeneratedIpv6CidrBlock", "ipv4IpamPoolId"):
        if args.get(unsupported):
            raise UnsupportedVpcArgs(f"awsx Vpc {unsupported} is not modelled offline")
    nat = args.get("natGateways") or {}
    if nat.get("elasticIpAllocationIds"):
        raise UnsupportedVpcArgs("awsx Vpc natGateways.elasticIpAllocationIds is not modelled offline")
    strategy = str(nat.get("strategy") or "OnePerAz")
    subnet_strategy = str(args.get("subnetStrategy") or "Legacy")
    specs = args.get("subnetSpecs")
    if specs is not None and subnet_strategy != "Auto":
        raise UnsupportedVpcArgs(f"awsx Vpc subnetStrategy {subnet_strategy!r} with subnetSpecs is not modelled "
                                 "offline (use Auto)")
    if specs and any(s.get("cidrBlocks") for s in specs):
        raise UnsupportedVpcArgs("awsx Vpc explicit subnetSpecs cidrBlocks are not modelled offline")
    cidr = str(args.get("cidrBlock") or "10.0.0.0/16")
    name_tags = str(args.get("subnetNameTagStrategy") or "Legacy")
    tags = dict(args.get("tags") or {})
    shared = {"Name": name, **tags}
    cidrs = subnet_cidrs(name, cidr, len(azs), specs, args.get("availabilityZoneCidrMask"))
    spec_list = specs if specs is not None else [{"type": "Private"}, {"type": "Public"}]

    vpc_inputs = {k: args[k] for k in _VPC_INPUTS if args.get(k) is not None}
    vpc_inputs.update(cidrBlock=cidr, tags=shared)
    children = [Child("vpc", VPC, name, "", vpc_inputs),
                Child("igw", IGW, name, "vpc", {"tags": shared}, refs={"vpcId": ("vpc", "id")},
                      depends_on=["vpc"])]
    region = {"region": args["region"]} if args.get("region") else {}
    nats: list[str] = []
    for i, az in enumerate(azs):
        entries = []
        for index, spec in enumerate(spec_list):
            spec_name = spec.get("name") or str(spec["type"]).lower()
            resource_name = f"{name}-{spec_name}-{i + 1}"
            tag_name = f"{name}-{spec_name}-{az_suffix(az) if name_tags == 'AvailabilityZone' else i + 1}"
            entries.append((spec, resource_name, tag_name, cidrs[f"{resource_name}#{index}"]))
        entries.sort(key=lambda e: _ORDER.get(str(e[0]["type"]).lower(), 2))  # a stable sort, as JS's
        for spec, resource_name, tag_name, subnet_cidr in entries:
            kind = str(spec["type"])
            public = kind.lower() == "public"
            subnet = f"subnet:{resource_name}"
            children.append(Child(subnet, SUBNET, resource_name, "vpc", {
                **region, "availabilityZone": az, "mapPublicIpOnLaunch": public, "cidrBlock": subnet_cidr,
                "assignIpv6AddressOnCreation": False,
                "tags": {**shared, **(spec.get("tags") or {}), "Name": tag_name, "SubnetType": kind}},
                refs={"vpcId": ("vpc", "id")}, depends_on=["vpc"]))
            table = f"rt:{resource_name}"
            children.append(Child(table, ROUTE_TABLE, resource_name, subnet, {
                **region, "tags": {**shared, "Name": tag_name, "SubnetType": kind}},
                refs={"vpcId": ("vpc", "id")}, depends_on=[subnet]))
            children.append(Child(f"rta:{resource_name}", ASSOCIATION, resource_name, table, dict(region),
                                  refs={"routeTableId": (table, "id"), "subnetId": (subnet, "id")},
                                  depends_on=[table]))
            if public and should_create_nat_gateway(strategy, len(nats), i):
                eip, gw = f"eip:{i + 1}", f"nat:{i + 1}"
                children.append(Child(eip, EIP, f"{name}-{i + 1}", subnet,
                                      {**region, "tags": {**tags, "Name": f"{name}-{i + 1}"}}, depends_on=[subnet]))
                children.append(Child(gw, NAT, f"{name}-{i + 1}", subnet,
                                      {**region, "tags": {**tags, "Name": f"{name}-{i + 1}"}},
                                      refs={"subnetId": (subnet, "id"), "allocationId": (eip, "allocationId")},
                                      depends_on=[subnet]))
                nats.append(gw)
            if public:
                children.append(Child(f"route:{resource_name}", ROUTE, resource_name, table,
                                      {**region, "destinationCidrBlock": "0.0.0.0/0"},
                                      refs={"routeTableId": (table, "id"), "gatewayId": ("igw", "id")},
                                      depends_on=[table]))
            elif kind.lower() == "private" and strategy.lower() != "none":
                if not nats:
                    raise UnsupportedVpcArgs("private subnets need a public subnet for their NAT gateway")
                gw = nats[0] if strategy.lower() == "single" else nats[i]
                children.append(Child(f"route:{resource_name}", ROUTE, resource_name, table,
                                      {**region, "destinationCidrBlock": "0.0.0.0/0"},
                                      refs={"routeTableId": (table, "id"), "natGatewayId": (gw, "id")},
                                      depends_on=[table]))
    return children


def plain_args(inputs: dict, plain: Any) -> dict:
    """The recorded (wire) inputs of the component with secrets unwrapped, for :func:`layout`."""
    return {k: plain(v) for k, v in inputs.items()}
