"""Subnets do not hand out public IPs automatically."""

from ..core.rules import MEDIUM, RuleIds, resource_rule
from ..core.values import as_bool


def _validate(res, report):
    if as_bool(res.get("mapPublicIpOnLaunch")) is True:
        report("mapPublicIpOnLaunch is true: anything launched here gets a public IP. Set it to false (or exempt "
               "load-balancer-only public subnets in the stack's pack config, with a reason).")


POLICY = resource_rule(
    name="aws-ec2-subnet-no-public-ip-on-launch",
    description="Subnets do not auto-assign public IP addresses.",
    types=("aws:ec2/subnet:Subnet",),
    validate=_validate,
    severity=MEDIUM,
    remediation="Set mapPublicIpOnLaunch: false. Public subnets that only hold load balancers and NAT gateways "
                "can be exempted per stack with a written reason.",
    ids=RuleIds(fsbp=("EC2.15",), checkov=("CKV_AWS_130",),
                cdk_nag=("NIST.800.53.R5-VPCSubnetAutoAssignPublicIpDisabled",)),
    tags=["ec2", "network", "exposure"],
    unknowns="mapPublicIpOnLaunch unknown: skipped with the SDK's advisory preview message.",
)
