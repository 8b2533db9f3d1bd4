"""IAM and resource policy documents: parsing (through :mod:`policies.readers.iam`), statements, and the public
principal check the resource-policy rules share."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Mapping, Optional

from ..readers import iam
from .resources import Resource
from .values import is_unknown


def policy_document(value: Any) -> Optional[Dict[str, Any]]:
    """A policy document from a JSON string or a dict; None if missing, unknown or malformed (see
    :mod:`policies.readers.iam`)."""
    return None if is_unknown(value) else iam.document(value)


statements = iam.statements
allows = iam.allows


def actions(statement: Mapping[str, Any]) -> List[str]:
    return iam.strings(statement, "Action")


def resources_of(statement: Mapping[str, Any]) -> List[str]:
    return iam.strings(statement, "Resource")


def all_resources(statement: Mapping[str, Any]) -> bool:
    """True if an Allow statement's resources cover every ARN (``*``, ``arn:aws:*``...) or it uses NotResource."""
    return "NotResource" in statement or iam.covers_all_resources(resources_of(statement))


wildcard_principal = iam.everyone
principal_is_public = iam.public_statement


def public_statements(res: Resource, prop: str, report: Callable[[str], None]) -> List[int]:
    """Indexes of Allow statements in the resource policy ``prop`` that open to the "*" principal without a
    condition that really restricts them. A present but malformed document is reported as such."""
    return [i for i, st in enumerate(statements(document_or_report(res, prop, report))) if principal_is_public(st)]


def document_or_report(res: Resource, prop: str, report: Callable[[str], None]) -> Optional[Dict[str, Any]]:
    """The policy document in ``prop`` (None if absent); a malformed one is reported and gives None."""
    raw = res.get(prop)
    doc = policy_document(raw)
    if raw is not None and doc is None:
        report(f"{prop} is not a valid JSON policy document.")
    return doc
