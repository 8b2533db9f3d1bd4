"""Rules for lb, and the load balancer type tokens (both the ``aws:lb/...`` and ``aws:alb/...`` spellings) and
listener helpers they share."""

from __future__ import annotations

from typing import Optional

from ..core.resources import NotApplicable, Resource

LB_TYPES = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
LISTENER_TYPES = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")
LISTENER_RULE_TYPES = ("aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule")
TARGET_GROUP_TYPES = ("aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup")


def listener_protocol(res: Resource) -> Optional[str]:
    """The listener's protocol, upper-cased. Unset with a port means HTTP (the provider's default for application
    load balancers); unset without a port is a Gateway Load Balancer listener (None). Raises if unknown."""
    protocol = res.get("protocol")
    if isinstance(protocol, str) and protocol.strip():
        return protocol.strip().upper()
    if protocol is None and res.get("port") is not None and not res.peek("certificateArn"):
        return "HTTP"
    return None


def secure_listener(res: Resource) -> bool:
    """True for HTTPS and TLS listeners (the ones that carry a certificate and a security policy)."""
    return listener_protocol(res) in ("HTTPS", "TLS")


def application_only(res: Resource) -> None:
    """Raises NotApplicable unless the load balancer is an application load balancer (unset means application)."""
    kind = res.get("loadBalancerType")
    if isinstance(kind, str) and kind.lower() != "application":
        raise NotApplicable(f"{kind} load balancers have no HTTP settings")
