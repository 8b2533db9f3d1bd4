"""ECR repositories scan images on push."""

from ..core.rules import MEDIUM, RuleIds, resource_rule
from ..core.values import as_bool
from . import REPOSITORY


def _validate(res, report):
    if as_bool(res.get("imageScanningConfiguration", "scanOnPush")) is not True:
        report("imageScanningConfiguration.scanOnPush is not true.")


def _fix(res):
    if as_bool(res.get("imageScanningConfiguration", "scanOnPush")) is True:
        return None
    current = res.get("imageScanningConfiguration")
    return {"imageScanningConfiguration": {**(current if isinstance(current, dict) else {}), "scanOnPush": True}}


POLICY = resource_rule(
    name="aws-ecr-repository-scan-on-push",
    description="ECR repositories scan every image on push.",
    types=(REPOSITORY,),
    validate=_validate,
    fix=_fix,
    severity=MEDIUM,
    remediation="Set imageScanningConfiguration {scanOnPush: true} (or enable enhanced scanning for the registry).",
    ids=RuleIds(fsbp=("ECR.1",), checkov=("CKV_AWS_163",),
                awsguard=("aws-ecr-repository-enable-image-scan",)),
    tags=["ecr", "vulnerability-management"],
    unknowns="scanOnPush unknown: skipped with the SDK's advisory preview message.",
)
