"""Entry point the Pulumi CLI runs (`python -m pulumi.policy <engine> .` in this directory).

It loads this directory as the package ``policies`` whatever the directory is called (the CLI unpacks
published packs under its own names), then serves the rules listed in ``policies/pack.py``.
"""

import importlib.util
import pathlib
import sys

from pulumi_policy import EnforcementLevel, PolicyPack

_HERE = pathlib.Path(__file__).resolve().parent


def _load_policies():
    if "policies" not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            "policies", _HERE / "__init__.py", submodule_search_locations=[str(_HERE)])
        module = importlib.util.module_from_spec(spec)
        sys.modules["policies"] = module
        spec.loader.exec_module(module)
    return importlib.import_module("policies.pack").POLICIES


PACK_NAME = "aws-ecs-fargate-hardening"

PolicyPack(
    name=PACK_NAME,
    policies=_load_policies(),
    enforcement_level=EnforcementLevel.ADVISORY,
    description="Hardening rules for a Node.js service on ECS Fargate behind an ALB with RDS MySQL.",
    display_name="AWS ECS Fargate hardening",
    provider="aws",
    tags=["aws", "ecs", "fargate", "rds", "security"],
)
