"""ECS Exec sessions on the cluster are logged."""

from ..core.rules import MEDIUM, RuleIds, resource_rule
from ..core.values import dig, is_unknown, raise_unknown
from . import CLUSTER


def _validate(res, report):
    exec_cfg = res.get("configuration", "executeCommandConfiguration")
    if not isinstance(exec_cfg, dict):
        report("configuration.executeCommandConfiguration is not set; set logging to OVERRIDE with a CloudWatch "
               "log group (or DEFAULT).")
        return
    logging = exec_cfg.get("logging")
    if is_unknown(logging):
        raise_unknown(["configuration", "executeCommandConfiguration", "logging"])
    if not isinstance(logging, str) or logging.upper() == "NONE":
        report(f"ECS Exec logging is {logging!r}. Set it to OVERRIDE with a log destination, or DEFAULT.")
    elif logging.upper() == "OVERRIDE":
        log = dig(exec_cfg, "logConfiguration") or {}
        if not (dig(log, "cloudWatchLogGroupName") or dig(log, "s3BucketName")):
            report("ECS Exec logging is OVERRIDE without a cloudWatchLogGroupName or s3BucketName.")


POLICY = resource_rule(
    name="aws-ecs-cluster-exec-logging",
    description="ECS clusters log ECS Exec sessions.",
    types=(CLUSTER,),
    validate=_validate,
    severity=MEDIUM,
    remediation="Set configuration.executeCommandConfiguration {logging: \"OVERRIDE\", logConfiguration: "
                "{cloudWatchLogGroupName: <group>, cloudWatchEncryptionEnabled: true}}.",
    ids=RuleIds(checkov=("CKV_AWS_223",)),
    url="https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html",
    tags=["ecs", "logging", "audit"],
    unknowns="configuration or logging unknown: skipped with the SDK's advisory preview message (an unknown "
             "log group name counts as set).",
)
