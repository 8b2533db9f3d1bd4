"""The engine's wire vocabulary, said once: the sentinels a resource monitor and an analyzer exchange, and URNs.

The values come from the Pulumi SDK itself (:mod:`pulumi.runtime.rpc`), never from a copied literal, so an SDK
that changed them would change them here too. The tests, the offline engine and the pack harness import them
from this module; the policy pack does not (it runs on what ``pulumi_policy`` gives it, without our code).
"""

from __future__ import annotations

from typing import Any

from pulumi.runtime import rpc

#: A value not known during preview (an output of a resource that does not exist yet).
UNKNOWN: str = rpc.UNKNOWN
#: The key that marks a special value on the wire; with :data:`SECRET_SIG` as its value, the value is a secret.
SECRET_SIG_KEY: str = rpc._special_sig_key  # noqa: SLF001 - the SDK keeps the wire signature private; an engine must speak it
SECRET_SIG: str = rpc._special_secret_sig  # noqa: SLF001 - as above
#: The type of the root resource every stack has.
STACK_TYPE = "pulumi:pulumi:Stack"


def secret(value: Any) -> dict:
    """``value`` wrapped as the engine marks a secret."""
    return {SECRET_SIG_KEY: SECRET_SIG, "value": value}


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SECRET_SIG_KEY) == SECRET_SIG


def plain(value: Any) -> Any:
    """Unwrap the engine's secret wrapper (nested ones too); anything else is returned as is."""
    while is_secret(value):
        value = value.get("value")
    return value


def make_urn(stack: str, project: str, parent_urn: str, typ: str, name: str) -> str:
    """A URN as the engine builds it (``resource.NewURN``): the type is qualified by the parent's qualified type,
    unless the parent is the stack (or there is none)."""
    qualified = typ
    if parent_urn:
        parent_type = parent_urn.split("::")[2]
        if parent_type != STACK_TYPE:
            qualified = f"{parent_type}${typ}"
    return f"urn:pulumi:{stack}::{project}::{qualified}::{name}"
