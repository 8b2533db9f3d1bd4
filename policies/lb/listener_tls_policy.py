"""HTTPS and TLS listeners use a TLS 1.2+ security policy from the allow-list."""

from ..core.rules import HIGH, RuleIds, resource_rule
from ..core.values import as_list, matches_any
from . import LISTENER_TYPES, secure_listener

# Every ELB security policy whose minimum protocol is TLS 1.2 (globs, so new variants such as the post-quantum
# "-PQ-" and FIPS policies of these families are included); TLS13-1-0/1-1, FS-1-1, 2016-08 etc. are not.
DEFAULT_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-*",
    "ELBSecurityPolicy-TLS13-1-3-*",
    "ELBSecurityPolicy-TLS-1-2-*",
    "ELBSecurityPolicy-FS-1-2-*",
]


def _validate(res, report):
    if not secure_listener(res):
        return
    policy = res.get("sslPolicy")
    allowed = [p for p in as_list(res.config("allowedPolicies")) if isinstance(p, str)]
    if not (isinstance(policy, str) and matches_any(policy, allowed)):
        report(f"sslPolicy is {policy or 'unset (the ELB default allows TLS 1.0)'}; use one of: "
               f"{', '.join(allowed)}.")


POLICY = resource_rule(
    name="aws-lb-listener-tls-policy",
    description="HTTPS and TLS listeners use a TLS 1.2+ security policy from the allow-list.",
    types=LISTENER_TYPES,
    validate=_validate,
    severity=HIGH,
    remediation="Set sslPolicy to ELBSecurityPolicy-TLS13-1-2-2021-06 (or another allowed policy).",
    ids=RuleIds(fsbp=("ELB.17",), checkov=("CKV_AWS_103", "CKV2_AWS_74"),
                awsguard=("aws-lb-listener-configure-secure-tls",)),
    tags=["lb", "encryption-in-transit"],
    config={"allowedPolicies": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                                "default": DEFAULT_POLICIES,
                                "description": "Allowed ELB security policies (globs allowed)."}},
    unknowns="protocol or sslPolicy unknown: skipped with the SDK's advisory preview message.",
)
