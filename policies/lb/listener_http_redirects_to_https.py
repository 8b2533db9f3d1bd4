"""Plain HTTP listeners only redirect to HTTPS."""

from ..core.rules import MEDIUM, RuleIds, resource_rule
from ..core.values import as_list, dig
from . import LISTENER_TYPES, listener_protocol


def _validate(res, report):
    if listener_protocol(res) != "HTTP":
        return
    actions = [a for a in as_list(res.get("defaultActions")) if isinstance(a, dict)]
    ok = bool(actions) and all(
        str(a.get("type", "")).lower() == "redirect"
        and str(dig(a, "redirect", "protocol") or "").upper() == "HTTPS" for a in actions)
    if not ok:
        report("this HTTP listener does something other than redirect to HTTPS. Make its only default action a "
               "redirect with protocol HTTPS, port 443, statusCode HTTP_301.")


POLICY = resource_rule(
    name="aws-lb-listener-http-redirects-to-https",
    description="HTTP listeners only redirect to HTTPS.",
    types=LISTENER_TYPES,
    validate=_validate,
    severity=MEDIUM,
    remediation="Give the HTTP listener a single default action {type: \"redirect\", redirect: {protocol: "
                "\"HTTPS\", port: \"443\", statusCode: \"HTTP_301\"}} and serve traffic on an HTTPS listener.",
    ids=RuleIds(fsbp=("ELB.1",), checkov=("CKV_AWS_2", "CKV2_AWS_20"),
                cdk_nag=("NIST.800.53.R5-ALBHttpToHttpsRedirection",),
                awsguard=("alb-http-to-https-redirection", "aws-lb-listener-disallow-unencrypted-traffic")),
    tags=["lb", "encryption-in-transit"],
    unknowns="protocol (or port, when protocol is unset and so HTTP) or defaultActions unknown: skipped with the "
             "SDK's advisory preview message.",
)
