"""Listener rules on plain-HTTP listeners only redirect to HTTPS or answer fixed responses (stack rule)."""

from pulumi_policy.proxy import UnknownValueError

from ..core.rules import MEDIUM, RuleIds, stack_rule
from ..core.values import as_list, dig, is_unknown, raise_unknown
from . import LISTENER_RULE_TYPES, LISTENER_TYPES, listener_protocol


def _serves_plain_http(action):
    """True when the action answers over the HTTP listener with something other than a redirect to HTTPS or a
    fixed response; None when that depends on an unknown value. A redirect without a protocol keeps the
    request's own (#{protocol}), so only an explicit HTTPS counts."""
    kind = action.get("type")
    protocol = dig(action, "redirect", "protocol")
    if is_unknown(kind) or (str(kind).lower() == "redirect" and is_unknown(protocol)):
        return None
    kind = str(kind or "").lower()
    if kind == "fixed-response":
        return False
    if kind == "redirect":
        return str(protocol or "").upper() != "HTTPS"
    return True


def _validate(stack, report):
    listeners = stack.of_type(*LISTENER_TYPES)
    undecided = None
    for rule in stack.of_type(*LISTENER_RULE_TYPES):
        found, unresolved = stack.resolve(rule, "listenerArn", listeners, keys=("arn", "id"))
        if unresolved:
            undecided = f"{rule.name}.listenerArn"
        for listener in found:
            try:
                protocol = listener_protocol(listener)
            except UnknownValueError:
                undecided = f"{listener.name}.protocol"
                continue
            if protocol != "HTTP":
                continue
            actions = rule.peek("actions")
            if is_unknown(actions):
                undecided = f"{rule.name}.actions"
                continue
            judged = [(a, _serves_plain_http(a)) for a in as_list(actions) if isinstance(a, dict)]
            plain = sorted({str(a.get("type")) for a, verdict in judged if verdict})
            if plain:
                report(f"listener rule {rule.name!r} on the plain-HTTP listener {listener.name!r} answers with "
                       f"{', '.join(plain)} instead of redirecting to HTTPS, so its traffic bypasses the listener's "
                       "redirect unencrypted.", rule.urn)
            elif any(verdict is None for _, verdict in judged):
                undecided = f"{rule.name}.actions"
    if undecided:
        raise_unknown([undecided])


POLICY = stack_rule(
    name="aws-lb-listenerrule-http-redirects-only",
    description="Listener rules on plain-HTTP listeners only redirect to HTTPS or return a fixed response, so no "
                "path is served unencrypted past the listener's redirect.",
    types=LISTENER_RULE_TYPES,
    validate=_validate,
    severity=MEDIUM,
    remediation="Attach forwarding listener rules to the HTTPS listener; on the HTTP listener use only redirect "
                "actions with protocol \"HTTPS\" (or fixed responses).",
    # ELB.1 (AWS Config alb-http-to-https-redirection-check) asks that every HTTP request be redirected; this
    # follows that into the listener rules, which the resource rule aws-lb-listener-http-redirects-to-https
    # cannot see.
    ids=RuleIds(fsbp=("ELB.1",)),
    url="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-update-rules.html",
    tags=["lb", "encryption-in-transit", "stack"],
    unknowns="Follows listenerArn by value or property dependency. A listener not in the stack (managed elsewhere) "
             "is not judged. An unknown protocol, action or unfollowable reference: skipped with the SDK's "
             "advisory preview message after any definite finding.",
)
