"""Databases use a current certificate authority."""

from ..core.rules import LOW, RuleIds, resource_rule
from ..core.values import as_list
from . import INSTANCE

CURRENT_CAS = ["rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1"]


def _validate(res, report):
    ca = res.get("caCertIdentifier")
    allowed = [c for c in as_list(res.config("allowedCertificateAuthorities")) if isinstance(c, str)]
    if ca is not None and ca not in allowed:
        report(f"caCertIdentifier is {ca!r}; use one of {allowed}.")


POLICY = resource_rule(
    name="aws-rds-instance-ca-certificate",
    description="RDS instances use a current certificate authority (unset means the current default).",
    types=(INSTANCE,),
    validate=_validate,
    severity=LOW,
    remediation="Set caCertIdentifier to rds-ca-rsa2048-g1 (or another current CA), or leave it unset.",
    ids=RuleIds(checkov=("CKV_AWS_211",)),
    url="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL-certificate-rotation.html",
    tags=["rds", "encryption-in-transit"],
    config={"allowedCertificateAuthorities": {"type": "array", "items": {"type": "string"},
                                              "default": CURRENT_CAS, "description": "Allowed CA identifiers."}},
    unknowns="caCertIdentifier unknown: skipped with the SDK's advisory preview message.",
)
