"""Databases export their logs to CloudWatch."""

from ..core.rules import LOW, RuleIds, resource_rule
from ..core.values import as_list
from . import INSTANCE


def _validate(res, report):
    exports = [e for e in as_list(res.get("enabledCloudwatchLogsExports")) if isinstance(e, str)]
    required = [r for r in as_list(res.config("requiredLogTypes")) if isinstance(r, str)]
    if not exports:
        report("enabledCloudwatchLogsExports is empty; export at least the error log.")
        return
    missing = [r for r in required if r not in exports]
    if missing:
        report(f"enabledCloudwatchLogsExports lacks {missing}, which this stack requires.")


POLICY = resource_rule(
    name="aws-rds-instance-log-exports",
    description="RDS instances export database logs to CloudWatch Logs (at least the configured types).",
    types=(INSTANCE,),
    validate=_validate,
    severity=LOW,
    remediation="Set enabledCloudwatchLogsExports, e.g. [\"error\", \"slowquery\"] (MySQL also offers "
                "\"general\" and \"audit\" with the audit plugin).",
    ids=RuleIds(fsbp=("RDS.9",), checkov=("CKV_AWS_129",), cdk_nag=("NIST.800.53.R5-RDSLoggingEnabled",)),
    tags=["rds", "logging"],
    config={"requiredLogTypes": {"type": "array", "items": {"type": "string"}, "default": [],
                                 "description": "Log types that must be exported (any one when empty)."}},
    unknowns="enabledCloudwatchLogsExports unknown: skipped with the SDK's advisory preview message.",
)
