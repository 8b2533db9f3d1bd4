"""Regenerates the generated sections of policies/README.md from the pack's own metadata.

    python -m policies.tools.readme          # rewrite the sections in place
    python -m policies.tools.readme --check  # exit 1 if README.md is stale (the tests run this check)

It imports ``policies.pack`` (the rule list) and never starts the pack's gRPC server.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any, Dict, List

from policies.pack import POLICIES, RULE_MODULES

README = Path(__file__).resolve().parents[1] / "README.md"
SECTIONS = ("rules", "config", "unknowns")


def _level(policy: Any) -> str:
    return "mandatory" if policy.is_mandatory else "advisory"


def _kind(policy: Any) -> str:
    from pulumi_policy import StackValidationPolicy
    kind = "stack" if isinstance(policy, StackValidationPolicy) else "resource"
    return kind + (", remediates" if getattr(policy, "remediates", False) else "")


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


ADVISORY_REASON = "default: a hardening finding, not a direct compromise; a stack may raise it"


def level_reason(module: Any) -> str:
    """Why the rule has its level: a mandatory rule states it in ``LEVEL_REASON``."""
    return getattr(module, "LEVEL_REASON", None) or ADVISORY_REASON


def type_families(policy: Any) -> str:
    """The resource types a rule judges, short: ``ecs/taskDefinition``, ``aws-native ecs:TaskDefinition``."""
    names = []
    for token in policy.types:
        provider, _, rest = token.partition(":")
        module, _, kind = rest.partition(":")
        short = module if "/" in module else f"{module}:{kind}"
        names.append(short if provider == "aws" else f"{provider} {short}")
    return ", ".join(f"`{n}`" for n in names)


def rules_table() -> str:
    rows = ["| Rule | Level | Why this level | Severity | Kind | Types judged | Answers to |",
            "|---|---|---|---|---|---|---|"]
    for p, module in zip(POLICIES, RULE_MODULES, strict=True):
        rows.append(f"| `{p.name}` | {_level(p)} | {_cell(level_reason(module))} | {p.severity.value} | "
                    f"{_kind(p)} | {type_families(p)} | {_cell(p.ids.text())} |")
    mandatory = sum(1 for p in POLICIES if p.is_mandatory)
    rows.append("")
    rows.append(f"{len(POLICIES)} rules: {mandatory} mandatory, {len(POLICIES) - mandatory} advisory.")
    return "\n".join(rows)


def config_table() -> str:
    rows = ["| Rule | Property | Type | Default | Meaning |", "|---|---|---|---|---|"]
    for p in POLICIES:
        props: Dict[str, Dict[str, Any]] = dict(p.config_schema.properties if p.config_schema else {})
        for key, schema in props.items():
            if key == "exemptions":
                continue
            default = json.dumps(schema.get("default"))
            rows.append(f"| `{p.name}` | `{key}` | {schema.get('type', '')} | `{_cell(default)}` | "
                        f"{_cell(schema.get('description', ''))} |")
    return "\n".join(rows)


def unknowns_table() -> str:
    rows = ["| Rule | When a value is unknown (preview) |", "|---|---|"]
    for p in POLICIES:
        rows.append(f"| `{p.name}` | {_cell(p.unknowns)} |")
    return "\n".join(rows)


GENERATORS = {"rules": rules_table, "config": config_table, "unknowns": unknowns_table}


def render(text: str) -> str:
    """``text`` with every generated section replaced by fresh content."""
    for name in SECTIONS:
        begin, end = f"<!-- BEGIN GENERATED: {name} -->", f"<!-- END GENERATED: {name} -->"
        pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
        if not pattern.search(text):
            raise SystemExit(f"README.md lacks the markers for the generated section {name!r}")
        text = pattern.sub(lambda _m, n=name, b=begin, e=end: f"{b}\n{GENERATORS[n]()}\n{e}", text)
    return text


def main(argv: List[str] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if README.md is stale")
    args = parser.parse_args(argv)
    current = README.read_text()
    fresh = render(current)
    if args.check:
        if fresh != current:
            print("policies/README.md is stale: run `python -m policies.tools.readme`", file=sys.stderr)
            return 1
        return 0
    README.write_text(fresh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
