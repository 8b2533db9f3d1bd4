"""Example values for the keys a real deploy must get from its operator.

The committed staging and prod stack files set no domain and no certificate, so a real ``pulumi preview`` or
``pulumi up`` of a fresh clone stops at settings and names the keys to set. Offline, where nothing is deployed,
the preview fills those keys with these values instead, marks them as examples in the report and prints them.
They use ``example.com``, a name reserved for documentation (RFC 2606), so nobody mistakes them for their own.
The program's tests read stack files through :func:`with_examples` too, so they run the same settings.
"""

from __future__ import annotations

import json
from typing import Mapping

from components.settings import ALARM_DESTINATION_REQUIRED_STACKS

#: Where an injected key comes from, in the report's config origins.
ORIGIN = "offline example (not in the stack file)"
EXAMPLE_ZONE = "example.com"


def example_values(project: str, stack: str, values: Mapping[str, str]) -> dict[str, str]:
    """The example keys to add to a stack's config: a domain in an example zone, when the stack has none of
    domainName, certificateArn and allowHttp; an alarm address in that zone, when the stack must notify someone
    and names neither alarmEmail nor alarmTopicArn. Nothing for a stack that already says both."""
    def get(key: str) -> str:
        return values.get(f"{project}:{key}", "")

    examples: dict[str, str] = {}
    if not (get("domainName") or get("certificateArn") or get("allowHttp") == "true"):
        examples.update({f"{project}:domainName": f"{stack}.{EXAMPLE_ZONE}",
                         f"{project}:hostedZoneName": EXAMPLE_ZONE})
    if stack in ALARM_DESTINATION_REQUIRED_STACKS and get("alarmEmail") in ("", "[]") and not get("alarmTopicArn"):
        examples[f"{project}:alarmEmail"] = json.dumps([f"oncall@{EXAMPLE_ZONE}"])
    return examples


def with_examples(project: str, stack: str, values: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """``values`` plus the example keys, and the example keys alone."""
    examples = example_values(project, stack, values)
    return {**values, **examples}, examples
