"""Run the policy pack over a recorded stack the way the Pulumi engine does.

The pack process and the gRPC plumbing come from the shared harness (:mod:`offline.analyzer`);
this module only decides *what* the engine sends and *when*:

1. ``Configure`` with the stack's pack config (``policies/config/<stack>.json`` when it exists,
   as CI passes ``--policy-pack-config``), schema defaults filled in.
2. ``Analyze`` for every resource, in dependency order, with its **inputs** (camelCase wire
   names, unknowns and secrets as sentinels), its options and its provider.
3. ``AnalyzeStack`` once, with every resource's **outputs**, parents and dependencies.

An ``update`` stops at the first resource with a mandatory violation (the engine fails that step
and creates nothing after it) and never reaches ``AnalyzeStack``; ``preview`` and ``existing``
report everything. "can't run policy ... during preview" answers are kept apart as *skipped*.
"""

from __future__ import annotations


import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from google.protobuf import json_format, struct_pb2

from .engine import duration_seconds
from .graph import provider_urn

from .analyzer import LEVELS, PREVIEW_SKIP as SKIP_RE, SEVERITIES


@dataclass
class PolicyOutcome:
    pack: dict = field(default_factory=dict)  # name, version
    rules: list = field(default_factory=list)  # metadata per policy
    violations: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    not_applicable: int = 0
    analyzed: int = 0
    stopped_at: Optional[str] = None
    config_file: Optional[str] = None
    seconds: float = 0.0

    @property
    def mandatory(self) -> list:
        return [v for v in self.violations if v["level"] == "mandatory"]

    @property
    def advisory(self) -> list:
        return [v for v in self.violations if v["level"] == "advisory"]


def _struct(d: dict) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    json_format.ParseDict(d or {}, s)
    return s


def rules_from_info(info: Any) -> list[dict]:
    rules = []
    for p in info.policies:
        rules.append({
            "name": p.name,
            "displayName": p.displayName,
            "description": p.description,
            "level": LEVELS.get(p.enforcementLevel, str(p.enforcementLevel)),
            "severity": SEVERITIES.get(p.severity, str(p.severity)),
            "remediation": p.remediation_steps,
            "url": p.url,
            "tags": list(p.tags),
            "type": "stack" if p.policy_type == 1 else "resource",
        })
    return rules


def _provider_msg(analyzer_pb2, rec: dict, by_urn: dict) -> Any:
    purn = provider_urn(rec.get("provider", ""))
    prov = by_urn.get(purn)
    if not prov:
        return None
    return analyzer_pb2.AnalyzerProviderResource(
        type=prov["type"], properties=_struct(prov.get("inputs") or {}), urn=prov["urn"], name=prov["name"])


def _options_msg(analyzer_pb2, rec: dict) -> Any:
    o = rec.get("options") or {}
    timeouts = {k: duration_seconds(v) for k, v in (o.get("customTimeouts") or {}).items()}
    return analyzer_pb2.AnalyzerResourceOptions(
        parent=rec.get("parent") or "", protect=bool(o.get("protect")), ignoreChanges=o.get("ignoreChanges") or [],
        deleteBeforeReplace=bool(o.get("deleteBeforeReplace")),
        deleteBeforeReplaceDefined=bool(o.get("deleteBeforeReplaceDefined")),
        additionalSecretOutputs=o.get("additionalSecretOutputs") or [], aliases=o.get("aliases") or [],
        customTimeouts=analyzer_pb2.AnalyzerResourceOptions.CustomTimeouts(**timeouts) if timeouts else None)


def analyze_request(rec: dict, by_urn: dict) -> Any:
    from pulumi.runtime.proto import analyzer_pb2

    kwargs = dict(type=rec["type"], properties=_struct(rec.get("inputs") or {}), urn=rec["urn"], name=rec["name"],
                  options=_options_msg(analyzer_pb2, rec))
    prov = _provider_msg(analyzer_pb2, rec, by_urn)
    if prov is not None:
        kwargs["provider"] = prov
    return analyzer_pb2.AnalyzeRequest(**kwargs)


def stack_request(records: list[dict]) -> Any:
    from pulumi.runtime.proto import analyzer_pb2

    by_urn = {r["urn"]: r for r in records}
    resources = []
    for rec in records:
        kwargs = dict(
            type=rec["type"], properties=_struct(rec.get("outputs") or {}), urn=rec["urn"], name=rec["name"],
            options=_options_msg(analyzer_pb2, rec),
            parent=rec.get("parent") or "", dependencies=list(rec.get("dependencies") or []),
            propertyDependencies={k: analyzer_pb2.AnalyzerPropertyDependencies(urns=v)
                                  for k, v in (rec.get("property_dependencies") or {}).items()})
        prov = _provider_msg(analyzer_pb2, rec, by_urn)
        if prov is not None:
            kwargs["provider"] = prov
        resources.append(analyzer_pb2.AnalyzerResource(**kwargs))
    return analyzer_pb2.AnalyzeStackRequest(resources=resources)


def _collect(outcome: PolicyOutcome, response: Any, urn: str, rules: dict, phase: str) -> bool:
    """Fold one AnalyzeResponse into the outcome; True if it holds a mandatory violation."""
    mandatory = False
    outcome.not_applicable += len(response.not_applicable)
    for d in response.diagnostics:
        target = d.urn or urn
        m = SKIP_RE.match(d.message)
        if m:
            outcome.skipped.append({"policy": d.policyName, "urn": target, "phase": phase,
                                    "reason": m.group(3).strip()})
            continue
        level = LEVELS.get(d.enforcementLevel, str(d.enforcementLevel))
        if level == "remediate":
            level = "mandatory"
        rule = rules.get(d.policyName, {})
        outcome.violations.append({
            "policy": d.policyName, "level": level,
            "severity": SEVERITIES.get(d.severity, "") or rule.get("severity", ""),
            "message": d.message.strip(), "description": d.description or rule.get("description", ""),
            "urn": target, "phase": phase, "remediation": rule.get("remediation", ""), "url": rule.get("url", "")})
        mandatory = mandatory or level == "mandatory"
    return mandatory


def load_pack_config(pack_dir: Path, stack: str) -> tuple[Optional[Path], dict]:
    path = pack_dir / "config" / f"{stack}.json"
    if not path.exists():
        return None, {}
    return path, json.loads(path.read_text())


def pack_version(pack_dir: Path) -> Optional[str]:
    """The ``version:`` of ``PulumiPolicy.yaml``, which the CLI uses instead of the SDK's placeholder."""
    import yaml

    meta = yaml.safe_load((pack_dir / "PulumiPolicy.yaml").read_text()) or {}
    version = meta.get("version")
    return str(version) if version is not None else None


def configure_stack(session: Any, run: dict, mode: str) -> bool:
    """``ConfigureStack`` as the CLI sends it (stack, project, dry run, config; secret values masked).

    A pack that predates ConfigureStack answers UNIMPLEMENTED, which the CLI ignores too. Returns whether
    it was sent.
    """
    from .analyzer import stack_configure_request

    config = dict(run.get("config_values") or {})
    config.update({k: "[secret]" for k in run.get("secret_keys") or []})
    request = stack_configure_request(run.get("stack") or "", run.get("project") or "", dry_run=mode != "update",
                                      config=config, secret_keys=list(run.get("secret_keys") or []))
    try:
        session.configure_stack(request)
        return True
    except RuntimeError as exc:
        if "UNIMPLEMENTED" in str(exc):
            return False
        raise


def run_policies(session: Any, records: list[dict], mode: str, stack: str, pack_dir: Path,
                 run: Optional[dict] = None) -> PolicyOutcome:
    """Analyze ``records`` (already in dependency order) with a started harness ``session``.

    ``session`` needs ``info()`` -> AnalyzerInfo, ``configure(config: dict)``,
    ``analyze(AnalyzeRequest)`` and ``analyze_stack(AnalyzeStackRequest)`` -> AnalyzeResponse.
    """
    import time

    started = time.perf_counter()
    info = session.info()
    # The Python SDK always reports 0.0.1; the CLI takes the version from PulumiPolicy.yaml, and so do we.
    outcome = PolicyOutcome(pack={"name": info.name, "version": pack_version(pack_dir) or info.version})
    outcome.rules = rules_from_info(info)
    rules = {r["name"]: r for r in outcome.rules}
    config_path, config = load_pack_config(pack_dir, stack)
    outcome.config_file = str(config_path) if config_path else None
    if run is not None:
        configure_stack(session, run, mode)
    session.configure(config)
    by_urn = {r["urn"]: r for r in records}
    # The pack serves up to 4 calls at once; sending them from a few threads overlaps our request
    # building with its rule evaluation. Responses are folded in dependency order, so an update
    # still stops at the first resource (in that order) with a mandatory violation.
    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = pool.map(lambda rec: session.analyze(analyze_request(rec, by_urn)), records)
        for rec, response in zip(records, responses):
            outcome.analyzed += 1
            if _collect(outcome, response, rec["urn"], rules, "resource") and mode == "update":
                outcome.stopped_at = rec["urn"]
                break
    if outcome.stopped_at is None:
        response = session.analyze_stack(stack_request(records))
        _collect(outcome, response, "", rules, "stack")
    outcome.seconds = round(time.perf_counter() - started, 3)
    return outcome
