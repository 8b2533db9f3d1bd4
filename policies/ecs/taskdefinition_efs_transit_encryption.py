"""EFS volumes of a task are mounted with TLS."""

from ..core.rules import MEDIUM, RuleIds, resource_rule
from ..core.values import as_list, dig, is_unknown, raise_unknown
from . import TASK_DEFINITION


def _validate(res, report):
    volumes = res.get("volumes")
    for i, volume in enumerate(as_list(volumes)):
        efs = dig(volume, "efsVolumeConfiguration")
        if efs is None:
            continue
        mode = dig(efs, "transitEncryption")
        if is_unknown(mode):
            raise_unknown(["volumes", i, "efsVolumeConfiguration", "transitEncryption"])
        if not (isinstance(mode, str) and mode.upper() == "ENABLED"):
            report(f"volumes[{i}] mounts EFS without transitEncryption ENABLED.")


POLICY = resource_rule(
    name="aws-ecs-taskdefinition-efs-transit-encryption",
    description="ECS task definitions mount EFS volumes with transit encryption enabled.",
    types=(TASK_DEFINITION,),
    validate=_validate,
    severity=MEDIUM,
    remediation="Set efsVolumeConfiguration.transitEncryption to \"ENABLED\" (and use an access point with IAM "
                "authorization).",
    ids=RuleIds(fsbp=("ECS.18",), checkov=("CKV_AWS_97",)),
    tags=["ecs", "encryption"],
    unknowns="volumes or transitEncryption unknown: skipped with the SDK's advisory preview message.",
)
