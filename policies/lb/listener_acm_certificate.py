"""HTTPS and TLS listeners serve an ACM certificate."""

import re

from ..core.rules import MEDIUM, RuleIds, resource_rule
from . import LISTENER_TYPES, secure_listener

_ACM = re.compile(r"^arn:aws[a-z-]*:acm:")


def _validate(res, report):
    if not secure_listener(res):
        return
    arn = res.get("certificateArn")
    if not (isinstance(arn, str) and _ACM.match(arn)):
        report(f"certificateArn is {arn or 'unset'}; use an ACM certificate (renewed automatically).")


POLICY = resource_rule(
    name="aws-lb-listener-acm-certificate",
    description="HTTPS and TLS listeners use a certificate from AWS Certificate Manager.",
    types=LISTENER_TYPES,
    validate=_validate,
    severity=MEDIUM,
    remediation="Request or import the certificate in ACM and pass its ARN as certificateArn.",
    ids=RuleIds(cdk_nag=("NIST.800.53.R5-ELBv2ACMCertificateRequired",)),
    url="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/https-listener-certificates.html",
    tags=["lb", "encryption-in-transit"],
    unknowns="protocol or certificateArn unknown (a certificate created in the same preview): skipped with the "
             "SDK's advisory preview message.",
)
