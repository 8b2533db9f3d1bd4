"""Run the policy pack over a recorded stack the way the Pulumi engine does.

The pack process and the gRPC plumbing come from the shared harness (:mod:`offline.analyzer`);
this module only decides *what* the engine sends and *when*, once the pack was launched for its stack
(:mod:`offline.packlaunch`: ConfigureStack and the ``PULUMI_*`` environment):

1. ``Configure`` with the stack's pack config (``policies/config/<stack>.json`` when it exists,
   as CI passes ``--policy-pack-config``), schema defaults filled in.
2. ``Analyze`` for every resource, in dependency order, with its **inputs** (camelCase wire
   names, unknowns and secrets as sentinels), its options and its provider.
3. ``AnalyzeStack`` once, with every resource's **outputs**, parents and dependencies.

An ``update`` stops at the first resource with a mandatory violation (the engine fails that step
and creates nothing after it) and never reaches ``AnalyzeStack``; ``preview`` and ``existing``
report everything. "can't run policy ... during preview" answers are advisory violations, as the policy
runtime emits them and the CLI counts them; they are kept in their own list (*skipped*) so that they can be
grouped on one line, and a skipped rule whose configured level is mandatory is flagged (it gated nothing).

Pack config is what the caller passes, as ``--policy-pack-config`` is to the CLI: none means the pack's
defaults. The effective level of every rule, the levels the config changed and the exemptions it declares
(with the resources they matched) are part of the outcome.
"""

from __future__ import annotations


import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from google.protobuf import json_format

from .engine import duration_seconds
from .graph import provider_urn
from .stackconfig import read_yaml

from . import analyzer as harness
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
    levels: dict = field(default_factory=dict)  # effective level per policy, after the pack config
    level_changes: list = field(default_factory=list)  # {policy, default, level} the config changed
    exemptions: list = field(default_factory=list)  # {policy, resource, reason, matched: [urn]}
    remediations: list = field(default_factory=list)  # {policy, urn, changed: {property: new value}}
    created_before: list = field(default_factory=list)  # update: the resources analysed before the stop
    phase: str = ""  # update: "preview" when pulumi up stopped at its preview, else "update"
    preview_skipped: int = 0  # update: "can't run" results of the preview that passed
    launch: dict = field(default_factory=dict)  # how the pack process was launched (offline.cli._launch_facts)
    seconds: float = 0.0

    @property
    def mandatory(self) -> list:
        return [v for v in self.violations if v["level"] == "mandatory"]

    @property
    def advisory(self) -> list:
        return [v for v in self.violations if v["level"] == "advisory"]

    @property
    def advisory_total(self) -> int:
        """What the CLI counts as advisory: violations plus "can't run" results."""
        return len(self.advisory) + len(self.skipped)

    @property
    def mandatory_skipped(self) -> list:
        """"Can't run" results of rules configured as mandatory: the gate did not judge these resources."""
        return [s for s in self.skipped if s.get("ruleLevel") == "mandatory"]


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


# The engine's records (offline.engine) in the harness's request types; the harness builds the requests.


def _provider(rec: dict, by_urn: dict) -> Optional[harness.Provider]:
    prov = by_urn.get(provider_urn(rec.get("provider", "")))
    return harness.Provider(prov["type"], prov["name"], prov["urn"], prov.get("inputs") or {}) if prov else None


def _options(rec: dict) -> harness.ResourceOptions:
    o = rec.get("options") or {}
    return harness.ResourceOptions(
        protect=bool(o.get("protect")), ignore_changes=tuple(o.get("ignoreChanges") or ()),
        delete_before_replace=bool(o.get("deleteBeforeReplace")) if o.get("deleteBeforeReplaceDefined") else None,
        aliases=tuple(o.get("aliases") or ()), additional_secret_outputs=tuple(o.get("additionalSecretOutputs") or ()),
        parent=rec.get("parent") or "",
        custom_timeouts={k: duration_seconds(v) for k, v in (o.get("customTimeouts") or {}).items()})


def analyze_request(rec: dict, by_urn: dict) -> Any:
    """Analyze for one record: its inputs, options and provider."""
    return harness.analyze_request(rec["type"], rec["name"], rec.get("inputs") or {}, urn=rec["urn"],
                                   options=_options(rec), provider=_provider(rec, by_urn))


def stack_request(records: list[dict]) -> Any:
    """AnalyzeStack for all records: their outputs, parents, dependencies, options and providers."""
    by_urn = {r["urn"]: r for r in records}
    return harness.stack_request([harness.StackResource(
        rec["type"], rec["name"], rec.get("outputs") or {}, urn=rec["urn"], parent=rec.get("parent") or None,
        dependencies=tuple(rec.get("dependencies") or ()), property_dependencies=rec.get("property_dependencies") or {},
        options=_options(rec), provider=_provider(rec, by_urn)) for rec in records])


def _collect(outcome: PolicyOutcome, response: Any, urn: str, rules: dict, phase: str) -> bool:
    """Fold one AnalyzeResponse into the outcome; True if it holds a mandatory violation."""
    mandatory = False
    outcome.not_applicable += len(response.not_applicable)
    for na in response.not_applicable:
        for ex in outcome.exemptions:
            if ex["policy"] == na.policy_name and "exempt" in na.reason and urn not in ex["matched"]:
                ex["matched"].append(urn)
    for d in response.diagnostics:
        target = d.urn or urn
        m = SKIP_RE.match(d.message)
        if m:
            outcome.skipped.append({"policy": d.policyName, "urn": target, "phase": phase, "level": "advisory",
                                    "ruleLevel": outcome.levels.get(d.policyName, ""),
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


def _whole(value: Any) -> Any:
    """The wire sends every number as a float; show a whole one as an integer."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _whole(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole(v) for v in value]
    return value


def remediate(session: Any, records: list[dict], by_urn: dict, outcome: PolicyOutcome) -> list[dict]:
    """What the engine does before Analyze when a policy is at level "remediate": it sends each resource's inputs
    to Remediate and goes on with the fixed properties. Returns the records with their remediated inputs, and
    records each remediation (the properties it changed) in ``outcome``."""
    fixed = []
    for rec in records:
        response = session.remediate(analyze_request(rec, by_urn))
        inputs = rec.get("inputs") or {}
        for r in response.remediations:
            if r.diagnostic:
                outcome.remediations.append({"policy": r.policyName, "urn": rec["urn"], "changed": {},
                                             "diagnostic": r.diagnostic})
                continue
            new = json_format.MessageToDict(r.properties)
            changed = {k: _whole(v) for k, v in new.items() if inputs.get(k) != v}
            changed.update({k: None for k in inputs if k not in new})
            outcome.remediations.append({"policy": r.policyName, "urn": rec["urn"], "changed": changed,
                                         "diagnostic": ""})
            inputs = new
        fixed.append({**rec, "inputs": inputs} if inputs is not rec.get("inputs") else rec)
    return fixed


class PackConfigError(ValueError):
    """A ``--policy-pack-config`` file that does not parse or does not fit the pack; the message names the file
    and the key."""


def load_pack_config(path: Optional[Path]) -> dict:
    """The JSON object in ``path`` (``--policy-pack-config``); ``{}`` for none."""
    if path is None:
        return {}
    try:
        data = json.loads(Path(path).read_text())
    except OSError as exc:
        raise PackConfigError(f"{path}: cannot read the pack config: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise PackConfigError(f"{path}: line {exc.lineno} column {exc.colno}: not JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise PackConfigError(f"{path}: the pack config must be a JSON object of policy name -> level or object")
    return data


def declared_exemptions(config: dict) -> list[dict]:
    """Every ``exemptions`` entry of the pack config, with its reason."""
    found = []
    for policy, entry in sorted(config.items()):
        if isinstance(entry, dict):
            for ex in entry.get("exemptions") or []:
                if isinstance(ex, dict):
                    found.append({"policy": policy, "resource": ex.get("resource"), "reason": ex.get("reason"),
                                  "matched": []})
    return found


def pack_version(pack_dir: Path) -> Optional[str]:
    """The ``version:`` of ``PulumiPolicy.yaml``, which the CLI uses instead of the SDK's placeholder."""
    meta = read_yaml(pack_dir / "PulumiPolicy.yaml") or {}
    version = meta.get("version")
    return str(version) if version is not None else None


def run_policies(session: Any, records: list[dict], mode: str, stack: str, pack_dir: Path,
                 config_path: Any = "stack") -> PolicyOutcome:
    """Analyze ``records`` (already in dependency order) with a started harness ``session``, which was told its
    stack at launch (ConfigureStack and the ``PULUMI_*`` environment: :mod:`offline.packlaunch`).

    ``session`` needs ``info()`` -> AnalyzerInfo, ``configure(config: dict)``,
    ``analyze(AnalyzeRequest)`` and ``analyze_stack(AnalyzeStackRequest)`` -> AnalyzeResponse.
    ``config_path`` is the ``--policy-pack-config`` file, ``None`` for the pack's defaults; left out, it is
    ``<pack_dir>/config/<stack>.json`` when that exists (a convenience for tests; the CLI always passes it).
    """
    import time

    started = time.perf_counter()
    info = session.info()
    # The Python SDK always reports 0.0.1; the CLI takes the version from PulumiPolicy.yaml, and so do we.
    outcome = PolicyOutcome(pack={"name": info.name, "version": pack_version(pack_dir) or info.version})
    outcome.rules = rules_from_info(info)
    rules = {r["name"]: r for r in outcome.rules}
    if config_path == "stack":
        candidate = pack_dir / "config" / f"{stack}.json"
        config_path = candidate if candidate.exists() else None
    config = load_pack_config(config_path)
    outcome.config_file = str(config_path) if config_path else None
    from .analyzer import ConfigError

    try:
        effective = session.configure(config)
    except ConfigError as exc:
        raise PackConfigError(f"{config_path}: {str(exc).replace(chr(10), ' ')}") from None
    outcome.levels = {name: level for name, (level, _) in effective.items()}
    outcome.level_changes = [{"policy": r["name"], "default": r["level"], "level": outcome.levels[r["name"]]}
                             for r in outcome.rules if outcome.levels.get(r["name"], r["level"]) != r["level"]]
    outcome.exemptions = declared_exemptions(config)
    by_urn = {r["urn"]: r for r in records}
    if "remediate" in outcome.levels.values():
        records = remediate(session, records, by_urn, outcome)
        by_urn = {r["urn"]: r for r in records}
    # The pack serves up to 4 calls at once; sending them from a few threads overlaps our request
    # building with its rule evaluation. Responses are folded in dependency order, so an update
    # still stops at the first resource (in that order) with a mandatory violation.
    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = pool.map(lambda rec: session.analyze(analyze_request(rec, by_urn)), records)
        for rec, response in zip(records, responses, strict=True):
            outcome.analyzed += 1
            if _collect(outcome, response, rec["urn"], rules, "resource") and mode == "update":
                outcome.stopped_at = rec["urn"]
                break
            outcome.created_before.append(rec["urn"])
    if outcome.stopped_at is None:
        response = session.analyze_stack(stack_request(records))
        _collect(outcome, response, "", rules, "stack")
    outcome.seconds = round(time.perf_counter() - started, 3)
    return outcome
