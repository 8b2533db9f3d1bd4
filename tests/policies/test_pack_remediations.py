"""Safe, local remediations through the Analyzer protocol's Remediate RPC: off by default, on per stack with the
enforcement level "remediate", and each shows the fixed properties (everything else kept, secrets included)."""

from __future__ import annotations

from typing import Any

import pytest
from google.protobuf import json_format

from offline.analyzer import analyze_request
from offline.wire import secret
from pack_fixtures import BASE, DELETE, T, patch

FIXES = [
    # (rule, type key, props, extra rule config, the properties the fix sets)
    ("aws-ecr-repository-scan-on-push", "repo", patch(BASE["repo"], imageScanningConfiguration=DELETE), {},
     {"imageScanningConfiguration": {"scanOnPush": True}}),
    ("aws-ecr-repository-scan-on-push", "repo", patch(BASE["repo"], imageScanningConfiguration={"scanOnPush": False}),
     {}, {"imageScanningConfiguration": {"scanOnPush": True}}),
    ("aws-ecr-repository-immutable-tags", "repo", patch(BASE["repo"], imageTagMutability="MUTABLE"), {},
     {"imageTagMutability": "IMMUTABLE"}),
    ("aws-lb-loadbalancer-drop-invalid-headers", "lb", patch(BASE["lb"], dropInvalidHeaderFields=False), {},
     {"dropInvalidHeaderFields": True}),
    ("aws-lb-loadbalancer-drop-invalid-headers", "alb", patch(BASE["lb"], dropInvalidHeaderFields=DELETE), {},
     {"dropInvalidHeaderFields": True}),
    ("aws-cloudwatch-loggroup-retention", "log_group", patch(BASE["log_group"], retentionInDays=DELETE),
     {"minRetentionDays": 365}, {"retentionInDays": 365}),
    ("aws-cloudwatch-loggroup-retention", "log_group", patch(BASE["log_group"], retentionInDays=7),
     {"minRetentionDays": 100}, {"retentionInDays": 120}),
    ("aws-ecs-cluster-container-insights", "cluster",
     patch(BASE["cluster"], settings=[{"name": "containerInsights", "value": "disabled"}]), {},
     {"settings": [{"name": "containerInsights", "value": "enabled"}]}),
    ("aws-rds-instance-deletion-protection", "rds", patch(BASE["rds"], deletionProtection=False),
     {"required": True}, {"deletionProtection": True}),
    ("aws-rds-instance-deletion-protection", "rds_cluster",
     {"engine": "aurora-mysql", "storageEncrypted": True, "backupRetentionPeriod": 7}, {"required": True},
     {"deletionProtection": True}),
    ("aws-lb-loadbalancer-deletion-protection", "lb", patch(BASE["lb"], enableDeletionProtection=DELETE),
     {"required": True}, {"enableDeletionProtection": True}),
]
IDS = [f"{rule}-{i}" for i, (rule, *_rest) in enumerate(FIXES)]


def remediate(pack, type_key, props, name="res"):
    response = pack._call("Remediate", analyze_request(T[type_key], name, props))  # noqa: SLF001 - the wire call
    return [(r.policyName, json_format.MessageToDict(r.properties), r.diagnostic) for r in response.remediations]


@pytest.mark.parametrize("rule,type_key,props,extra,fixed", FIXES, ids=IDS)
def test_remediation_fixes_the_properties(pack, rule, type_key, props, extra, fixed):
    pack.configure({rule: {"enforcementLevel": "remediate", **extra}})
    props = patch(props, tags={"team": "platform", "token": secret("s3cr3t")})
    remediations = remediate(pack, type_key, props)
    assert [(name, diagnostic) for name, _, diagnostic in remediations] == [(rule, "")]
    new = remediations[0][1]
    for key, value in fixed.items():
        assert new[key] == value
    unchanged = {k: v for k, v in props.items() if k not in fixed and k != "tags"}
    assert {k: new[k] for k in unchanged} == _wire(unchanged)
    assert new["tags"]["token"]["value"] == "s3cr3t" and len(new["tags"]["token"]) == 2, "the secret stays a secret"
    after = pack.analyze_resource(T[type_key], "res", {**props, **fixed})
    assert rule not in after.names()


@pytest.mark.parametrize("rule,type_key,props,extra,fixed", FIXES, ids=IDS)
def test_remediation_is_off_by_default(pack, rule, type_key, props, extra, fixed):
    pack.configure({rule: extra} if extra else {})
    assert remediate(pack, type_key, props) == []
    assert rule in pack.analyze_resource(T[type_key], "res", props).names()


@pytest.mark.parametrize("rule,type_key", sorted({(f[0], f[1]) for f in FIXES}))
def test_a_compliant_resource_is_left_alone(pack, rule, type_key):
    pack.configure({rule: "remediate"})
    base = {"rds_cluster": FIXES[9][2] | {"deletionProtection": True}, "alb": BASE["lb"]}.get(type_key, BASE.get(
        type_key))
    assert remediate(pack, type_key, base) == []


def test_deletion_protection_is_not_forced_where_the_stack_does_not_require_it(pack):
    pack.configure({"aws-rds-instance-deletion-protection": {"enforcementLevel": "remediate", "required": False}})
    assert remediate(pack, "rds", patch(BASE["rds"], deletionProtection=False)) == []


def _wire(value: Any) -> Any:
    """What a value looks like after the round trip through a protobuf Struct (numbers become floats)."""
    if isinstance(value, dict):
        return {k: _wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_wire(v) for v in value]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    return float(value)


def test_every_remediating_rule_has_a_remediation_test():
    from policies.pack import POLICIES

    remediating = {p.name for p in POLICIES if getattr(p, "remediates", False)}
    assert remediating == {f[0] for f in FIXES}


