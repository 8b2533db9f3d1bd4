"""Fuzzing through the Analyzer protocol: every rule gets random JSON shapes, wrong types and huge values, as
Analyze, AnalyzeStack and Remediate calls, with a fixed seed and a bounded count. The pack must answer every call
and no rule may hit its safety net ("internal error ...")."""

from __future__ import annotations

import json
import random
import string
from typing import Any, Dict, List

import pytest

from offline.analyzer import StackResource, analyze_request
from offline.wire import UNKNOWN, secret
from pack_fixtures import BASE, CONTAINER
from policies.pack import POLICIES

SEED = 12
PER_TYPE = 25
TYPES = sorted({t for p in POLICIES for t in p.types})
KEYS = sorted({k for props in BASE.values() for k in props} | set(CONTAINER) | {
    "Statement", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "Condition", "policy",
    "ingress", "cidrIp", "cidrIpv6", "securityGroupIngress", "groupId", "ipProtocol", "container", "containers",
    "taskDefinitionArgs", "assignPublicIp", "repositoryPolicyText", "linuxParameters", "capabilities", "add",
    "environment", "name", "value", "user", "policyArns", "managedPolicyArns", "settings"})


def _key(rng: random.Random) -> str:
    key = rng.choice(KEYS)
    roll = rng.random()
    if roll < 0.2:
        return key.upper()
    if roll < 0.3:
        return key.replace("s", "\u017f")
    return key


def _scalar(rng: random.Random) -> Any:
    return rng.choice([
        None, True, False, 0, -1, 1e308, -1e308, 2 ** 63, 3.5, "", "*", "0", "+0", "-1", "host", "ALL", "0.0.0.0/0",
        "::/0", "0.0.0.0/1", "arn:aws:*", "iam:*", "Allow", "root", UNKNOWN, "x" * rng.choice([1, 1000, 100_000]),
        "".join(rng.choice(string.printable) for _ in range(rng.randint(0, 40))), "\u0000\ud7ff\uffff",
        "mysql://u:p@h/db", "[{]", "{\"a\": [1, {\"b\": null}]}", "NaN"])


def _value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth > 6 or roll < 0.45:
        return _scalar(rng)
    if roll < 0.6:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    if roll < 0.65:
        return secret(_value(rng, depth + 1))
    if roll < 0.75:
        return json.dumps(_plain(rng, depth + 1))  # a JSON document in a string (containerDefinitions, policies)
    return {_key(rng): _value(rng, depth + 1) for _ in range(rng.randint(0, 5))}


def _plain(rng: random.Random, depth: int) -> Any:
    """A JSON-able value (no wire wrappers) for documents inside strings."""
    value = _value(rng, depth)
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return str(value)


def _props(rng: random.Random, type_: str) -> Dict[str, Any]:
    if rng.random() < 0.3:
        base = dict(rng.choice(list(BASE.values())))
        for _ in range(rng.randint(1, 4)):
            base[_key(rng) if rng.random() < 0.5 else rng.choice(list(base) or ["x"])] = _value(rng)
        return base
    props = {_key(rng): _value(rng) for _ in range(rng.randint(0, 8))}
    if type_.endswith("TaskDefinition") and rng.random() < 0.7:
        props["containerDefinitions"] = json.dumps([_plain(rng, 1) for _ in range(rng.randint(0, 3))])
    return props


def _no_crash(response) -> None:
    errors = [n.reason for n in response.not_applicable if n.reason.startswith("internal error")]
    assert errors == []


@pytest.mark.parametrize("type_", TYPES)
def test_resource_rules_and_remediations_survive_fuzzed_props(pack, type_):
    rng = random.Random(f"{SEED}-{type_}")
    pack.configure({p.name: "remediate" for p in POLICIES if getattr(p, "remediates", False)})
    for i in range(PER_TYPE):
        request = analyze_request(type_, f"fuzz-{i}", _props(rng, type_))
        _no_crash(pack.analyze(request))
        _no_crash(pack._call("Remediate", request))  # noqa: SLF001 - the wire call the engine makes


def test_stack_rules_survive_fuzzed_stacks(pack):
    rng = random.Random(SEED)
    for round_ in range(20):
        resources: List[StackResource] = []
        for i in range(rng.randint(1, 12)):
            type_ = rng.choice(TYPES)
            resources.append(StackResource(type_, f"r{round_}-{i}", _props(rng, type_)))
        _no_crash(pack.analyze_resources(resources))
