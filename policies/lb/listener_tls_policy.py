"""HTTPS and TLS listeners use a TLS 1.2+ security policy from the allow-list."""

from ..common import LISTENER_TYPES, HIGH, RuleIds, as_list, resource_rule

DEFAULT_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
    "ELBSecurityPolicy-FS-1-2-Res-2019-08",
]


def secure_listener(res):
    protocol = res.get("protocol")
    return isinstance(protocol, str) and protocol.upper() in ("HTTPS", "TLS")


def _validate(res, report):
    if not secure_listener(res):
        return
    policy = res.get("sslPolicy")
    allowed = [p for p in as_list(res.config("allowedPolicies")) if isinstance(p, str)]
    if policy not in allowed:
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
                                "default": DEFAULT_POLICIES, "description": "Allowed ELB security policies."}},
    unknowns="protocol or sslPolicy unknown: skipped with the SDK's advisory preview message.",
)
