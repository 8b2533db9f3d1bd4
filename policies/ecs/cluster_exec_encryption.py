"""ECS Exec sessions and their logs are encrypted with a customer-managed key."""

from ..core.resources import NotApplicable
from ..core.rules import LOW, RuleIds, resource_rule
from ..core.values import as_bool, dig
from . import CLUSTER


def _validate(res, report):
    exec_cfg = res.get("configuration", "executeCommandConfiguration")
    if not isinstance(exec_cfg, dict):
        raise NotApplicable("no ECS Exec configuration (aws-ecs-cluster-exec-logging reports that)")
    if not exec_cfg.get("kmsKeyId"):
        report("executeCommandConfiguration has no kmsKeyId; ECS Exec session data is not encrypted with a "
               "customer-managed key.")
    log = exec_cfg.get("logConfiguration")
    if isinstance(log, dict):
        if dig(log, "cloudWatchLogGroupName") and as_bool(log.get("cloudWatchEncryptionEnabled")) is False:
            report("logConfiguration.cloudWatchEncryptionEnabled is false.")
        if dig(log, "s3BucketName") and as_bool(log.get("s3EncryptionEnabled")) is False:
            report("logConfiguration.s3EncryptionEnabled is false.")


POLICY = resource_rule(
    name="aws-ecs-cluster-exec-encryption",
    description="ECS clusters encrypt ECS Exec sessions with a KMS key and keep session-log encryption on.",
    types=(CLUSTER,),
    validate=_validate,
    severity=LOW,
    remediation="Set executeCommandConfiguration.kmsKeyId to a customer-managed key and "
                "logConfiguration.cloudWatchEncryptionEnabled (or s3EncryptionEnabled) to true.",
    ids=RuleIds(checkov=("CKV_AWS_224",)),
    url="https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html",
    tags=["ecs", "encryption", "audit"],
    unknowns="configuration unknown: skipped with the SDK's advisory preview message; an unknown kmsKeyId or "
             "flag counts as set.",
)
