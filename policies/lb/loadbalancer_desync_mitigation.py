"""Application load balancers mitigate HTTP desync attacks."""

from ..core.rules import MEDIUM, RuleIds, resource_rule
from . import LB_TYPES, application_only


def _validate(res, report):
    application_only(res)
    mode = res.get("desyncMitigationMode")
    if mode is not None and str(mode).lower() not in ("defensive", "strictest"):
        report(f"desyncMitigationMode is {mode!r}; use \"defensive\" (the default) or \"strictest\".")


POLICY = resource_rule(
    name="aws-lb-loadbalancer-desync-mitigation",
    description="Application load balancers use desync mitigation mode defensive or strictest.",
    types=LB_TYPES,
    validate=_validate,
    severity=MEDIUM,
    remediation="Remove desyncMitigationMode or set it to \"defensive\" or \"strictest\".",
    ids=RuleIds(fsbp=("ELB.12",), checkov=("CKV_AWS_328",)),
    tags=["lb", "http"],
    unknowns="loadBalancerType or desyncMitigationMode unknown: skipped with the SDK's advisory preview message.",
)
