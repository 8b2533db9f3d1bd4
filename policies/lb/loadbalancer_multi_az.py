"""Load balancers span at least two Availability Zones."""

from ..core.rules import LOW, RuleIds, resource_rule
from ..core.values import as_int, as_list
from . import LB_TYPES


def _validate(res, report):
    subnets = as_list(res.get("subnets"))
    mappings = as_list(res.get("subnetMappings"))
    count = max(len(subnets), len(mappings))
    minimum = as_int(res.config("minZones"))
    if count < minimum:
        report(f"the load balancer is in {count} subnet(s); place it in at least {minimum} subnets in different "
               "Availability Zones.")


POLICY = resource_rule(
    name="aws-lb-loadbalancer-multi-az",
    description="Load balancers span at least two Availability Zones.",
    types=LB_TYPES,
    validate=_validate,
    severity=LOW,
    remediation="Pass one subnet per Availability Zone (at least two) in subnets or subnetMappings.",
    ids=RuleIds(fsbp=("ELB.13",)),
    tags=["lb", "reliability"],
    config={"minZones": {"type": "integer", "minimum": 1, "default": 2,
                         "description": "Minimum number of subnets (one per AZ)."}},
    unknowns="Counts list entries, so unknown subnet ids still count; a wholly unknown list is skipped with the "
             "SDK's advisory preview message.",
)
