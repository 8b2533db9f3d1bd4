"""Load balancers write access logs (configurable per stack)."""

from ..core.resources import NotApplicable
from ..core.rules import MEDIUM, RuleIds, resource_rule
from ..core.values import as_bool
from . import LB_TYPES


def _validate(res, report):
    if as_bool(res.config("required")) is False:
        raise NotApplicable("access logs are not required in this stack (pack config)")
    kind = res.get("loadBalancerType")
    if isinstance(kind, str) and kind.strip().lower() == "gateway":
        raise NotApplicable("Gateway Load Balancers have no access logs")
    logs = res.get("accessLogs")
    if not isinstance(logs, dict) or as_bool(logs.get("enabled")) is not True or not logs.get("bucket"):
        report("accessLogs must have enabled: true and a bucket.")


POLICY = resource_rule(
    name="aws-lb-loadbalancer-access-logs",
    description="Load balancers write access logs to S3 (required unless the stack config says otherwise).",
    types=LB_TYPES,
    validate=_validate,
    severity=MEDIUM,
    remediation="Set accessLogs {bucket: <log bucket>, enabled: true}; the bucket policy must allow the ELB "
                "log delivery principal.",
    ids=RuleIds(fsbp=("ELB.5",), cdk_nag=("AwsSolutions-ELB2",), checkov=("CKV_AWS_91",),
                awsguard=("elb-logging-enabled", "aws-lb-loadbalancer-enable-access-logging")),
    tags=["lb", "logging"],
    config={"required": {"type": "boolean", "default": True,
                         "description": "Whether this stack requires load balancer access logs."}},
    unknowns="loadBalancerType or accessLogs unknown: skipped with the SDK's advisory preview message; an unknown "
             "bucket name counts as set.",
)
