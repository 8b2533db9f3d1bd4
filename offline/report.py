"""What the offline preview writes: ``report.json``, ``report.sarif``, ``summary.md`` and the terminal text."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional
from urllib.parse import urlparse

from . import check
from .wire import SECRET_SIG, SECRET_SIG_KEY, UNKNOWN
from .awsx_vpc import LAID_OUT
from .examples import ORIGIN as EXAMPLE_ORIGIN

if TYPE_CHECKING:
    from .cost import Estimate
    from .policyrun import PolicyOutcome

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
TOOL_NAME = "pulumi-offline-preview"
OPS = {"preview": ("+", "create"), "update": ("+", "created"), "existing": ("=", "unchanged")}


def display(value: Any) -> Any:
    """Wire values -> readable JSON: secrets masked, unknowns spelled out."""
    if isinstance(value, dict):
        if value.get(SECRET_SIG_KEY) == SECRET_SIG:
            return "[secret]"
        if value.get(SECRET_SIG_KEY):
            return {k: display(v) for k, v in value.items() if k != SECRET_SIG_KEY}
        return {k: display(v) for k, v in value.items()}
    if isinstance(value, list):
        return [display(v) for v in value]
    if value == UNKNOWN:
        return "(unknown until the resource exists)"
    return value


def source_of(rec: Optional[dict], program_dir: Path, stack_file: Path) -> tuple[str, int]:
    """(path relative to the program, line) of a resource's registration; the stack file otherwise."""
    fallback = (stack_file.relative_to(program_dir).as_posix() if stack_file.is_relative_to(program_dir)
                else stack_file.name, 1)
    if not rec or not rec.get("source"):
        return fallback
    uri, _, line = rec["source"].rpartition(":")
    path = Path(urlparse(uri).path)
    if not path.is_relative_to(program_dir) or ".venv" in path.parts or "site-packages" in path.parts:
        return fallback
    return path.relative_to(program_dir).as_posix(), int(line or 1)


def build_report(run: dict, ordered: list[dict], outcome: "Optional[PolicyOutcome]", cost: "Optional[Estimate]",
                 files: dict, exit_code: int) -> dict:
    remote = [r for r in ordered if r.get("remote")]
    return {
        "tool": TOOL_NAME,
        "project": run.get("project"),
        "stack": run.get("stack"),
        "mode": run.get("mode"),
        "changing": run.get("changing") or [],
        "program": run.get("program"),
        "stackFile": run.get("stack_file"),
        "error": run.get("error"),
        "exitCode": exit_code,
        "faithfulness": [
            "Resources are recorded from the real program through the SDK's resource-monitor interface; "
            "providers are not run. The AWS provider's Check is approximated (offline/check.py): "
            + "; ".join(check.APPROXIMATED) + ". Not approximated: " + "; ".join(check.NOT_APPROXIMATED) + ".",
            "The awsx Vpc's children are laid out from awsx 3.11's source (offline/awsx_vpc.py), with the "
            "program's transforms run on them, and judged; other remote components' children are not visible and "
            "not judged: " + (", ".join(f"{r['type']} {r['name']}" for r in remote if r["type"] not in LAID_OUT)
                              or "none in this stack") + ".",
            "Pack config is the --policy-pack-config file given (none: the pack's own levels); \"can't run\" results "
            "are counted as advisory, as the CLI counts them.",
            "The pack is launched as the CLI launches it: the virtualenv PulumiPolicy.yaml names (built as `pulumi "
            "install` builds it, without its pip/setuptools/wheel upgrade, pip toolchain only), PULUMI_* and "
            "ConfigureStack with the merged, decrypted config, one process per stack (two for an update); no language "
            "host or policy proxy in between; organization 'organization' as on a diy backend (Pulumi Cloud sends the "
            "stack's owner); stack tags from Pulumi.yaml and pulumi:tags only (no vcs:* or backend-stored tags); "
            "without PULUMI_CONFIG_PASSPHRASE, secure values reach the pack as a placeholder (the CLI sends them "
            "decrypted, or stops before the pack starts with the passphrase provider).",
            "Config is merged and typed as the CLI does; ESC environments are not read, and secure values are not "
            "type-checked without a passphrase.",
            "update mode previews first, then stops in dependency order (the engine registers in parallel); "
            "existing mode treats every resource as unchanged except the types given with --changing (no provider "
            "Diff says which types a change replaces).",
            "Outputs in update/existing modes are fabricated, deterministic and clearly fake (account 123456789012).",
            "Resources are analysed in dependency order (the engine uses registration order); exit status 1 where "
            "the CLI exits 255.",
        ],
        "summary": {
            "resources": len(ordered),
            "custom": sum(1 for r in ordered if r.get("custom")),
            "components": sum(1 for r in ordered if not r.get("custom") and not r.get("remote")),
            "remoteComponents": len(remote),
            "remoteHidden": len([r for r in remote if r["type"] not in LAID_OUT]),
            "laidOutChildren": sum(1 for r in ordered if r.get("generated_by")),
            "defaultProviders": sum(1 for r in ordered if r.get("default_provider")),
            "mandatory": len(outcome.mandatory) if outcome else None,
            # As the CLI counts them: advisory violations plus "can't run during preview" results.
            "advisory": outcome.advisory_total if outcome else None,
            "skipped": len(outcome.skipped) if outcome else None,
            "mandatorySkipped": len(outcome.mandatory_skipped) if outcome else None,
            "monthlyCostUsd": cost.total if cost else None,
        },
        "resources": [{
            "urn": r["urn"], "type": r["type"], "name": r["name"], "parent": r.get("parent") or None,
            "id": display(r.get("id")), "custom": r.get("custom"), "remote": r.get("remote"),
            "defaultProvider": r.get("default_provider"), "provider": r.get("provider") or None,
            "dependencies": r.get("dependencies"), "propertyDependencies": r.get("property_dependencies"),
            "inputs": display(r.get("inputs")), "outputs": display(r.get("outputs")), "source": r.get("source") or None,
            "generatedBy": r.get("generated_by") or None,
            "providerCheck": r.get("checked") or None,  # what the approximated Check filled in (offline/check.py)
        } for r in ordered],
        "stackOutputs": display(run.get("stack_outputs") or {}),
        "invokes": sorted({i["token"] for i in run.get("invokes") or []}),  # answered offline with fake data
        "config": {"keys": run.get("config_keys"), "secretKeys": run.get("secret_keys"),
                   "undecryptedSecretKeys": run.get("undecrypted_secret_keys"),
                   "examples": {k: (run.get("config_values") or {}).get(k)
                                for k, origin in (run.get("config_keys") or {}).items() if origin == EXAMPLE_ORIGIN}},
        "policies": None if outcome is None else {
            "pack": outcome.pack, "launch": outcome.launch, "configFile": outcome.config_file,
            "analyzed": outcome.analyzed,
            "stoppedAt": outcome.stopped_at, "notApplicable": outcome.not_applicable,
            "violations": outcome.violations, "skipped": outcome.skipped, "rules": outcome.rules,
            "levels": outcome.levels, "levelChanges": outcome.level_changes, "exemptions": outcome.exemptions,
            "remediations": outcome.remediations,
            "mandatorySkipped": outcome.mandatory_skipped,
            "phase": outcome.phase or None,
            "wouldExist": [u for u in outcome.created_before
                           if any(r["urn"] == u and r.get("custom") and not r.get("default_provider")
                                  for r in ordered)] if outcome.stopped_at else [],
        },
        "cost": None if cost is None else {
            "currency": cost.currency, "region": cost.region, "monthlyTotal": cost.total,
            "stackRegion": run.get("stack_region") or cost.region,
            "priceTableForStackRegion": (run.get("stack_region") or cost.region) == cost.region,
            "lines": [asdict(line) for line in cost.lines], "assumptions": list(cost.assumptions),
        },
        "diagnostics": run.get("diagnostics") or [],
        "files": files,
    }


def _sarif_level(level: str) -> str:
    return {"mandatory": "error", "advisory": "warning", "disabled": "none"}.get(level, "note")


def build_sarif(report: dict, ordered: list[dict], program_dir: Path, stack_file: Path) -> dict:
    pol = report.get("policies") or {"rules": [], "violations": [], "skipped": [], "pack": {}}
    by_urn = {r["urn"]: r for r in ordered}
    rules, index = [], {}
    for i, rule in enumerate(pol["rules"]):
        index[rule["name"]] = i
        help_text = f"{rule['description']}\n\nRemediation: {rule.get('remediation') or 'see the policy documentation'}"
        entry = {
            "id": rule["name"],
            "name": "".join(part.capitalize() for part in rule["name"].split("-")),
            "shortDescription": {"text": rule["description"] or rule["name"]},
            "fullDescription": {"text": rule["description"] or rule["name"]},
            "help": {"text": help_text, "markdown": f"{rule['description']}\n\n**Remediation:** "
                                                    f"{rule.get('remediation') or 'see the policy documentation'}"},
            "defaultConfiguration": {"level": _sarif_level(rule["level"])},
            "properties": {"tags": rule.get("tags") or [], "severity": rule.get("severity"),
                           "enforcementLevel": rule["level"]},
        }
        if rule.get("url"):
            entry["helpUri"] = rule["url"]
        rules.append(entry)
    results = []
    for v in pol["violations"]:
        path, line = source_of(by_urn.get(v["urn"]), program_dir, stack_file)
        result = {
            "ruleId": v["policy"],
            "level": _sarif_level(v["level"]),
            "message": {"text": v["message"] or v["description"]},
            "locations": [{
                "physicalLocation": {"artifactLocation": {"uri": path, "uriBaseId": "SRCROOT"},
                                     "region": {"startLine": max(line, 1)}},
                "logicalLocations": [{"fullyQualifiedName": v["urn"] or report["stack"], "kind": "resource"}],
            }],
            "properties": {"enforcementLevel": v["level"], "severity": v.get("severity"), "phase": v["phase"]},
        }
        if v["policy"] in index:
            result["ruleIndex"] = index[v["policy"]]
        results.append(result)
    for ex in pol.get("exemptions") or []:
        for urn in ex["matched"]:
            path, line = source_of(by_urn.get(urn), program_dir, stack_file)
            result = {
                "ruleId": ex["policy"],
                "level": _sarif_level((pol.get("levels") or {}).get(ex["policy"], "advisory")),
                "message": {"text": f"exempted by the pack config ({ex['resource']!r}): {ex['reason']}"},
                "locations": [{
                    "physicalLocation": {"artifactLocation": {"uri": path, "uriBaseId": "SRCROOT"},
                                         "region": {"startLine": max(line, 1)}},
                    "logicalLocations": [{"fullyQualifiedName": urn, "kind": "resource"}],
                }],
                "suppressions": [{"kind": "external", "status": "accepted", "justification": ex["reason"]}],
            }
            if ex["policy"] in index:
                result["ruleIndex"] = index[ex["policy"]]
            results.append(result)
    overrides = [{
        "descriptor": {"id": ch["policy"], **({"index": index[ch["policy"]]} if ch["policy"] in index else {})},
        "configuration": {"enabled": ch["level"] != "disabled", "level": _sarif_level(ch["level"])},
    } for ch in pol.get("levelChanges") or []]
    notes = [{
        "level": "note",
        "message": {"text": f"skipped during preview: {s['policy']} on {s['urn'] or 'the stack'}: {s['reason']}"},
        **({"associatedRule": {"id": s["policy"], "index": index[s["policy"]]}} if s["policy"] in index else {}),
    } for s in pol["skipped"]]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": TOOL_NAME,
                "fullName": f"Offline Pulumi preview with policy pack {pol['pack'].get('name', '')}".strip(),
                "version": str(pol["pack"].get("version") or "0"),
                "informationUri": "https://www.pulumi.com/docs/iac/packages-and-automation/crossguard/",
                "rules": rules,
            }},
            "originalUriBaseIds": {"SRCROOT": {"uri": program_dir.as_uri() + "/"}},
            "invocations": [{
                "executionSuccessful": report.get("error") is None,
                "toolExecutionNotifications": notes,
                **({"ruleConfigurationOverrides": overrides} if overrides else {}),
                "properties": {"stack": report["stack"], "mode": report["mode"]},
            }],
            "results": results,
            "properties": {"project": report["project"], "stack": report["stack"], "mode": report["mode"]},
        }],
    }


def build_summary_md(report: dict) -> str:
    s = report["summary"]
    pol = report.get("policies")
    status = "failed" if report["exitCode"] else "passed"
    icon = ":x:" if report["exitCode"] else ":white_check_mark:"
    lines = [f"### {icon} Offline preview `{report['project']}/{report['stack']}` ({report['mode']}): {status}", ""]
    if report.get("error"):
        lines += [f"**Program error:** `{report['error']}`", ""]
    hidden = s.get("remoteHidden", 0)
    lines += [f"{s['resources']} resources ({s['custom']} cloud resources, {s['components']} components, "
              f"{s['remoteComponents']} remote (children laid out offline for the awsx Vpc"
              + (f"; {hidden} whose children are not visible offline" if hidden else "") + "), "
              f"{s['defaultProviders']} default providers).", ""]
    lines += ["**Provider Check**, " + check.describe([r.get("providerCheck") for r in report.get("resources") or []]),
              ""]
    if pol:
        cfg = f"pack config `{Path(pol['configFile']).name}`" if pol["configFile"] else "no pack config"
        lines += [f"**Policies** ({pol['pack'].get('name')} v{pol['pack'].get('version')}, {cfg}): "
                  f"{s['mandatory']} mandatory, {s['advisory']} advisory (of which {s['skipped']} can't run "
                  "during preview).", ""]
        if pol.get("mandatorySkipped"):
            lines += [f"> [!WARNING]\n> **{len(pol['mandatorySkipped'])} mandatory rule result(s) were not evaluated** "
                      "(values unknown in this mode), so they gated nothing: "
                      + ", ".join(f"`{sk['policy']}` on `{(sk['urn'] or '(stack)').rsplit('::', 1)[-1]}`"
                                  for sk in pol["mandatorySkipped"]) + ".", ""]
        if pol.get("levelChanges"):
            lines += ["Levels set by the pack config: " + ", ".join(
                f"`{ch['policy']}` {ch['default']} → {ch['level']}" for ch in pol["levelChanges"]) + ".", ""]
        if pol.get("remediations"):
            lines += ["Remediated by the pack before analysis (the engine applies these fixes to the inputs):", ""]
            for rem in pol["remediations"]:
                what = rem["diagnostic"] or ", ".join(f"`{k}` = `{json.dumps(v)}`" for k, v in rem["changed"].items())
                lines.append(f"- `{rem['policy']}` on `{rem['urn'].rsplit('::', 1)[-1]}`: {what or 'no change'}")
            lines.append("")
        if pol.get("exemptions"):
            lines += ["Exemptions in the pack config:", ""]
            for ex in pol["exemptions"]:
                hit = ", ".join(f"`{u.rsplit('::', 1)[-1]}`" for u in ex["matched"]) or "nothing in this stack"
                lines.append(f"- `{ex['policy']}` for `{ex['resource']}` (matched {hit}): {ex['reason']}")
            lines.append("")
        if pol["violations"]:
            lines += ["| Level | Policy | Resource | Message |", "|---|---|---|---|"]
            for v in pol["violations"]:
                name = v["urn"].rsplit("::", 1)[-1] if v["urn"] else "(stack)"
                msg = v["message"].replace("\n", " ").replace("|", "\\|")
                lines.append(f"| {v['level']} | `{v['policy']}` | `{name}` | {msg} |")
            lines.append("")
        if pol.get("phase") == "preview" and s["mandatory"]:
            lines += ["`pulumi up` stops at its preview: the update never starts, nothing is created.", ""]
        if pol["stoppedAt"]:
            lines += [f"The update passed its preview, then stopped at `{pol['stoppedAt']}`, as the engine would; "
                      f"{len(pol.get('wouldExist') or [])} resources would already exist.", ""]
        if pol["skipped"]:
            lines += ["<details><summary>Can't run during preview (advisory; values unknown until the resources "
                      "exist)</summary>",
                      ""]
            for sk in pol["skipped"]:
                lines.append(f"- `{sk['policy']}` on `{(sk['urn'] or '(stack)').rsplit('::', 1)[-1]}`: {sk['reason']}")
            lines += ["", "</details>", ""]
    cost = report.get("cost")
    if cost:
        region = cost["region"] if cost.get("priceTableForStackRegion", True) else \
            f"{cost['region']} prices: **no price table for {cost['stackRegion']}**, whose prices differ"
        lines += [f"**Estimated cost:** ${cost['monthlyTotal']:,.2f} a month ({region}).", "",
                  "| Line | Quantity | USD/month |", "|---|---|---:|"]
        for ln in cost["lines"]:
            lines.append(f"| {ln['item']} | {ln['quantity']} | {ln['usd']:,.2f} |")
        lines += ["", "<details><summary>Assumptions</summary>", ""]
        lines += [f"- {a}" for a in cost["assumptions"]]
        lines += ["", "</details>", ""]
    return "\n".join(lines)


def write_outputs(out_dir: Path, report: dict, sarif: dict, summary: str) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"report": out_dir / "report.json", "sarif": out_dir / "report.sarif", "summary": out_dir / "summary.md"}
    paths["sarif"].write_text(json.dumps(sarif, indent=2) + "\n")
    paths["summary"].write_text(summary)
    report["files"].update({k: str(v) for k, v in paths.items()})
    paths["report"].write_text(json.dumps(report, indent=2, default=str) + "\n")
    return {k: str(v) for k, v in paths.items()}
