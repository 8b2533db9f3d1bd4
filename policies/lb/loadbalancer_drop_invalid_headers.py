"""Application load balancers drop invalid HTTP headers."""

from ..core.rules import MEDIUM, RuleIds, resource_rule
from ..core.values import as_bool
from . import LB_TYPES, application_only


def _validate(res, report):
    application_only(res)
    if as_bool(res.get("dropInvalidHeaderFields")) is not True:
        report("dropInvalidHeaderFields is not true.")


def _fix(res):
    application_only(res)
    return None if as_bool(res.get("dropInvalidHeaderFields")) is True else {"dropInvalidHeaderFields": True}


POLICY = resource_rule(
    name="aws-lb-loadbalancer-drop-invalid-headers",
    description="Application load balancers drop HTTP headers with invalid names.",
    types=LB_TYPES,
    validate=_validate,
    fix=_fix,
    severity=MEDIUM,
    remediation="Set dropInvalidHeaderFields: true on the load balancer.",
    ids=RuleIds(fsbp=("ELB.4",), checkov=("CKV_AWS_131",),
                cdk_nag=("HIPAA.Security-ALBHttpDropInvalidHeaderEnabled",
                         "PCI.DSS.321-ALBHttpDropInvalidHeaderEnabled")),
    tags=["lb", "http"],
    unknowns="loadBalancerType or dropInvalidHeaderFields unknown: skipped with the SDK's advisory preview "
             "message.",
)
