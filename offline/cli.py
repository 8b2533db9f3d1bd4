"""``python -m offline preview --stack dev [--stack prod ...] --mode preview|update|existing``

1. Runs the stacks' programs in a separate engine process (``python -m offline.engine``: SDKs
   imported once, one forked child per stack, so stacks run in parallel and never share Pulumi
   runtime state), and meanwhile launches one policy pack process per stack as the CLI does
   (:mod:`offline.packlaunch`: the pack's virtualenv, ``PULUMI_*``, ConfigureStack).
2. Per stack, in parallel: dependency order, policies as the engine runs them; then cost,
   diagram, reports.
3. Exit status 1 on any mandatory violation or program error (as ``pulumi preview`` fails),
   2 on a usage or tooling error, else 0.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Optional

from . import MODES

# The heavier modules (report -> policyrun -> analyzer -> grpc, pulumi) are imported only after the engine
# process has been started, so that both start up in parallel.

ROOT = Path(__file__).resolve().parent.parent


class Progress:
    """One status line on stderr (rewritten in place on a terminal, one line per step otherwise)."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self.tty = sys.stderr.isatty()
        self.t0 = time.perf_counter()
        self.lock = threading.Lock()

    def step(self, text: str) -> None:
        if not self.enabled:
            return
        with self.lock:
            msg = f"[{time.perf_counter() - self.t0:5.1f}s] {text}"
            if self.tty:
                sys.stderr.write("\r\033[K" + msg)
            else:
                sys.stderr.write(msg + "\n")
            sys.stderr.flush()

    def done(self) -> None:
        if self.enabled and self.tty:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


class PackLauncher(threading.Thread):
    """In the background, while the programs run: the pack's interpreter (its virtualenv, created or updated when
    needed), then one pack process per stack and phase, all started at once (:mod:`offline.packlaunch`).
    ``.packs[(stack, dry_run)]`` or ``.error`` once joined."""

    def __init__(self, pack_dir: Path, program: Path, phases: list[tuple[str, bool]], progress: "Progress"):
        super().__init__(daemon=True)
        self.pack_dir, self.program, self.phases, self.progress = pack_dir, program, phases, progress
        self.packs: dict[tuple[str, bool], Any] = {}
        self.error: Optional[str] = None

    def run(self) -> None:
        from concurrent.futures import ThreadPoolExecutor

        from .packlaunch import ensure_runtime, stack_launch, start_pack

        try:
            runtime = ensure_runtime(self.pack_dir, self.progress.step)
            passphrase = os.environ.get("PULUMI_CONFIG_PASSPHRASE") or None
            launches = {phase: stack_launch(self.program, phase[0], phase[1], passphrase) for phase in self.phases}
        except Exception as exc:  # noqa: BLE001 (reported as a tooling error)
            self.error = f"{type(exc).__name__}: {exc}"
            return
        with ThreadPoolExecutor(max_workers=len(launches)) as pool:
            futures = {phase: pool.submit(start_pack, runtime, launch) for phase, launch in launches.items()}
        for phase, future in futures.items():
            try:
                self.packs[phase] = future.result()
            except Exception as exc:  # noqa: BLE001 (reported as a tooling error)
                self.error = self.error or f"{type(exc).__name__}: {exc}"
        if self.error:
            self.close()

    def close(self) -> None:
        for pack in self.packs.values():
            pack.close()
        self.packs = {}


def _label(urn: str) -> str:
    """``name (module/Type)`` for a URN: names alone can repeat across types."""
    if not urn:
        return "(stack)"
    parts = urn.split("::")
    typ = parts[2].split("$")[-1].split(":")
    short = f"{typ[1].split('/')[0]}/{typ[2]}" if len(typ) == 3 else parts[2]
    return f"{parts[-1]} ({short})"


def _tree_lines(ordered: list[dict], mode: str, changing: tuple = ()) -> list[str]:
    from . import awsx_vpc, report
    from .graph import children_map

    op = report.OPS[mode][0]
    kids = children_map([r for r in ordered if not r.get("default_provider")])
    lines: list[str] = []

    def walk(parent: str, prefix: str) -> None:
        items = kids.get(parent, [])
        for i, r in enumerate(items):
            last = i == len(items) - 1
            branch = ("└─ " if last else "├─ ") if parent else ""
            note = "" if not r.get("remote") else \
                f"  ({awsx_vpc.NOTE if r['type'] in awsx_vpc.LAID_OUT else awsx_vpc.HIDDEN_NOTE})"
            mark = ">" if r.get("read") else ("+-" if r["type"] in changing else op)  # reads are never created
            lines.append(f"  {mark} {prefix}{branch}{r['type']}  {r['name']}{note}")
            walk(r["urn"], prefix + (("   " if last else "│  ") if parent else ""))

    walk("", "")
    providers = [r for r in ordered if r.get("default_provider")]
    for r in providers:
        lines.append(f"  {op} {r['type']}  {r['name']}  (default provider, created by the engine)")
    return lines


def _launch_lines(launch: dict) -> list[str]:
    """Which interpreter ran the pack, and what it was told about the stack (names only, never values)."""
    if not launch:
        return []
    venv = (f"virtualenv {os.path.relpath(launch['virtualenv'])} from PulumiPolicy.yaml, {launch['virtualenvAction']}"
            if launch.get("virtualenv") else "no virtualenv in PulumiPolicy.yaml: the interpreter on PATH")
    lines = [f"  pack process {launch['pid']}: {os.path.relpath(launch['python'])} ({venv}); "
             f"ConfigureStack and PULUMI_* with organization {launch['organization']!r}, stack {launch['stack']!r}, "
             f"dry run {str(launch['dryRun']).lower()}, {len(launch['configKeys'])} config values"]
    if launch.get("undecryptedSecretKeys"):
        lines.append(f"  !! {len(launch['undecryptedSecretKeys'])} secure config value(s) not decrypted (no "
                     f"PULUMI_CONFIG_PASSPHRASE): the pack got a placeholder for "
                     f"{', '.join(launch['undecryptedSecretKeys'])}. The CLI sends them decrypted, and with the "
                     "passphrase secrets provider it stops before the pack starts when it has no passphrase.")
    return lines


def render_terminal(rep: dict, ordered: list[dict], outcome: Any, est: Any) -> str:
    from . import awsx_vpc, check, report

    s = rep["summary"]
    mode = rep["mode"]
    out = [f"=== {rep['project']}/{rep['stack']} ({mode}) ==="]
    examples = (rep.get("config") or {}).get("examples") or {}
    if examples:
        out.append(f"Example values (injected offline; not in Pulumi.{rep['stack']}.yaml; a real deploy needs your "
                   f"own): {', '.join(f'{k}={v}' for k, v in examples.items())}")
    if rep.get("error"):
        out.append(f"error: the program failed: {rep['error']}")
    verb = report.OPS[mode][1]
    out.append(f"Plan: {s['resources']} resources {'to ' + verb if mode == 'preview' else verb}"
               f"{' (dry run of a deployed stack)' if mode == 'existing' else ''} "
               f"({s['custom']} cloud resources, {s['components']} components, {s['remoteComponents']} remote, "
               f"{s['defaultProviders']} default providers)")
    out.extend(_tree_lines(ordered, mode, tuple(rep.get("changing") or ())))
    out.append("Provider Check, " + check.describe([r.get("checked") for r in ordered]))
    if rep.get("changing"):
        out.append(f"  (+- replaced: {', '.join(rep['changing'])}; their outputs are unknown again)")
    remote = [r for r in ordered if r.get("remote") and r["type"] not in awsx_vpc.LAID_OUT]
    if remote:
        out.append("Note: remote components are single resources offline; their children exist only in the "
                   "component provider and are neither shown nor judged by the policies.")
    if outcome is not None:
        cfg = (f"--policy-pack-config {os.path.relpath(outcome.config_file)}" if outcome.config_file
               else "no pack config: the pack's own levels")
        out.append("")
        out.append(f"Policies: {outcome.pack.get('name')} v{outcome.pack.get('version')} ({len(outcome.rules)} rules, "
                   f"{cfg}); {outcome.analyzed} resources analysed")
        out.extend(_launch_lines(outcome.launch))
        if outcome.mandatory_skipped:
            out.append(f"  !! {len(outcome.mandatory_skipped)} MANDATORY rule result(s) NOT EVALUATED: the values "
                       "they read are unknown in this mode, so they gated nothing. Run MODE=existing to judge them:")
            for sk in outcome.mandatory_skipped:
                out.append(f"  !!   {sk['policy']} on {_label(sk['urn'])}")
        for level, items in (("MANDATORY", outcome.mandatory), ("ADVISORY", outcome.advisory)):
            count = len(items) + (len(outcome.skipped) if level == "ADVISORY" else 0)
            extra = f", of which {len(outcome.skipped)} can't run during preview" if level == "ADVISORY" and \
                outcome.skipped else ""
            out.append(f"  {level} ({count}{extra})")
            for v in items:
                out.append(f"    x {v['policy']}  [{v['severity']}]  {_label(v['urn'])}")
                msg_lines = v["message"].strip().splitlines() or [v["description"]]
                out.append(f"      {' '.join(msg_lines[1:]) if len(msg_lines) > 1 else msg_lines[0]}")
                if v.get("remediation"):
                    out.append(f"      fix: {' '.join(v['remediation'].split())}")
        grouped: dict[tuple[str, str], list[str]] = {}
        for sk in outcome.skipped:
            key = (_label(sk["urn"]), sk["reason"])
            grouped.setdefault(key, []).append(sk["policy"])
        if grouped:
            out.append("    can't run during preview (advisory, as the CLI reports them; values unknown until the "
                       "resources exist):")
        for (name, reason), policies in grouped.items():
            out.append(f"    - {name}: {reason}")
            out.append(f"      {len(policies)} rule{'s' if len(policies) > 1 else ''}: {', '.join(policies)}")
        if outcome.level_changes:
            out.append(f"  Levels set by the pack config ({len(outcome.level_changes)}):")
            for ch in outcome.level_changes:
                out.append(f"    - {ch['policy']}: {ch['default']} -> {ch['level']}")
        if outcome.remediations:
            out.append(f"  REMEDIATED ({len(outcome.remediations)}): fixed by the pack before analysis, as the engine "
                       "does at level remediate:")
            for rem in outcome.remediations:
                what = rem["diagnostic"] or ", ".join(f"{k} = {json.dumps(v)}" for k, v in rem["changed"].items())
                out.append(f"    ~ {rem['policy']} on {_label(rem['urn'])}: {what or 'no change'}")
        if outcome.exemptions:
            out.append(f"  Exemptions in the pack config ({len(outcome.exemptions)}):")
            for ex in outcome.exemptions:
                hit = ", ".join(_label(u) for u in ex["matched"]) or "matched nothing in this stack"
                out.append(f"    - {ex['policy']} for {ex['resource']!r} ({hit}): {ex['reason']}")
        if getattr(outcome, "phase", "") == "preview" and outcome.mandatory:
            out.append("  `pulumi up` stops at its preview (mandatory violation): the update never starts, nothing "
                       "is created.")
        if outcome.stopped_at:
            before = [r for r in ordered if r.get("custom") and not r.get("default_provider")
                      and r["urn"] in outcome.created_before]
            out.append(f"  The update passed its preview, then stopped at {_label(outcome.stopped_at)} (first "
                       f"mandatory violation), as the engine does. {len(before)} resources would already exist "
                       "(created before the failure, and left in place):")
            out.extend(f"    + {_label(r['urn'])}" for r in before)
    if est is not None:
        out.append("")
        stack_region = (rep.get("cost") or {}).get("stackRegion") or est.region
        if stack_region != est.region:
            out.append(f"Cost estimate ({est.currency}/month): NO PRICE TABLE FOR {stack_region}; these are "
                       f"{est.region} prices, which differ from {stack_region}'s:")
        else:
            out.append(f"Cost estimate ({est.currency}/month, {est.region}):")
        width = max((len(line.item) for line in est.lines), default=10)
        for line in est.lines:
            out.append(f"  {line.item:<{width}}  {line.usd:>9,.2f}   {line.quantity}")
        out.append(f"  {'Total':<{width}}  {est.total:>9,.2f}")
        out.append("  Assumptions:")
        out.extend(f"   - {a}" for a in est.assumptions)
    return "\n".join(out)


def _engine_cmd(program: Path, stacks: list[str], mode: str, work: Path,
                changing: tuple = ()) -> tuple[list[str], dict]:
    cmd = [sys.executable, "-m", "offline.engine", "--program", str(program), "--mode", mode, "--work-dir", str(work)]
    for st in stacks:
        cmd += ["--stack", st]
    for typ in changing:
        cmd += ["--changing", typ]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return cmd, env


class EngineProcess:
    """The engine as a fresh process (``python -m offline.engine``), started at once, joined later."""

    def __init__(self, program: Path, stacks: list[str], mode: str, work: Path, changing: tuple = ()):
        self.stacks, self.mode, self.work = stacks, mode, work
        work.mkdir(parents=True, exist_ok=True)
        cmd, env = _engine_cmd(program, stacks, mode, work, changing)
        for st in stacks:
            (work / f"{st}.json").unlink(missing_ok=True)
        self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def stop(self) -> None:
        """Kill the engine (the inputs turned out bad) and remove whatever it wrote."""
        self.proc.kill()
        self.proc.communicate()
        for st in self.stacks:
            (self.work / f"{st}.json").unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            self.work.rmdir()

    def result(self) -> dict:
        _, err = self.proc.communicate()
        results = {}
        for st in self.stacks:
            f = self.work / f"{st}.json"
            if f.exists():
                results[st] = json.loads(f.read_text())
                f.unlink()  # it holds secret values in their wire form: keep them off the disk
            else:
                results[st] = {"stack": st, "mode": self.mode, "resources": [],
                               "error": f"the engine did not run: {err.strip()[-2000:]}"}
        return results


class UsageError(Exception):
    """Bad input (stack, stack file, pack config): one line naming the file and the key; exit status 2."""


def known_stacks(program: Path) -> list[str]:
    return sorted(f.name[len("Pulumi."):-len(".yaml")] for f in program.glob("Pulumi.*.yaml"))


def pack_config_for(template: Optional[str], stack: str) -> Optional[Path]:
    """``--policy-pack-config``: a file, or a pattern with ``{stack}``, whose absence means no pack config for that
    stack. A named file that is missing is an error, as it is for the CLI."""
    if not template:
        return None
    path = Path(template.replace("{stack}", stack)).resolve()
    if path.exists():
        return path
    if "{stack}" in template:
        return None
    raise UsageError(f"{template}: --policy-pack-config file not found")


def check_inputs(program: Path, stacks: list[str], pack_config: Optional[str],
                 out_root: Optional[Path] = None) -> dict[str, Optional[Path]]:
    """Fail fast, before anything runs or is written: unknown stacks, stack files that do not load, pack configs
    that do not parse. Returns each stack's pack config file."""
    import yaml

    from .policyrun import PackConfigError, load_pack_config
    from .stackconfig import ConfigError, load_stack_config

    valid = known_stacks(program)
    unknown = [st for st in stacks if st not in valid]
    if unknown:
        raise UsageError(f"unknown stack {', '.join(unknown)}: {program} has "
                         f"{', '.join(valid) or 'no Pulumi.<stack>.yaml'}")
    if out_root is not None:
        for st in stacks:  # an earlier run's reports must never look current, even when this one stops here
            shutil.rmtree(out_root / st, ignore_errors=True)
    configs = {}
    for st in stacks:
        try:
            load_stack_config(program, st)  # no passphrase: decrypting is the engine's job
        except ConfigError as exc:
            raise UsageError(str(exc)) from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f": line {mark.line + 1}" if mark is not None else ""
            raise UsageError(f"{program / f'Pulumi.{st}.yaml'}{where}: not YAML: "
                             f"{getattr(exc, 'problem', None) or exc}") from None
        configs[st] = pack_config_for(pack_config, st)
        try:
            load_pack_config(configs[st])
        except PackConfigError as exc:
            raise UsageError(str(exc)) from None
    return configs


def _analyse(stack: str, run: dict, preview_run: Optional[dict], mode: str, pack_dir: Optional[Path],
             packs: dict, config: Optional[Path]) -> tuple[list[dict], Any]:
    """One stack's resources in dependency order, and the pack's outcome (None when the program failed or no pack
    runs). An update runs its preview first, with its own pack process, as ``pulumi up`` does."""
    from .graph import topo_order
    from .policyrun import run_policies

    ordered = topo_order(run.get("resources") or [])
    if not packs or run.get("error") or pack_dir is None:
        return ordered, None
    if preview_run is not None and not preview_run.get("error"):
        outcome = run_policies(packs[(stack, True)].pack, topo_order(preview_run.get("resources") or []), "preview",
                               stack, pack_dir, config)
        outcome.phase = "preview"
        outcome.launch = _launch_facts(packs[(stack, True)])
        if outcome.mandatory:  # `pulumi up` stops at its preview
            return ordered, outcome
        skipped_in_preview = len(outcome.skipped)
        outcome = run_policies(packs[(stack, False)].pack, ordered, mode, stack, pack_dir, config)
        outcome.phase = "update"
        outcome.preview_skipped = skipped_in_preview
        outcome.launch = _launch_facts(packs[(stack, False)])
        return ordered, outcome
    launched = packs[(stack, mode != "update")]
    outcome = run_policies(launched.pack, ordered, mode, stack, pack_dir, config)
    outcome.launch = _launch_facts(launched)
    return ordered, outcome


def _launch_facts(launched: Any) -> dict:
    """How this stack's pack process was launched, for the report and the terminal (no config values)."""
    runtime = launched.runtime
    return {"python": str(runtime.python), "virtualenv": str(runtime.virtualenv) if runtime.virtualenv else None,
            "virtualenvAction": runtime.action, "pid": launched.pid, **launched.launch.describe()}


def start_engines(stacks: list[str], mode: str, program: Path, out_root: Path,
                  changing: tuple = ()) -> list[EngineProcess]:
    """The programs' runs, started at once (the SDK imports in them are the longest step): one engine process
    (one forked child per stack); an update starts a second one for its preview, as ``pulumi up`` previews first."""
    engines = [EngineProcess(program, stacks, mode, out_root / ".engine", changing)]
    if mode == "update":
        engines.append(EngineProcess(program, stacks, "preview", out_root / ".engine-preview"))
    return engines


def _stack_report(st: str, run: dict, ordered: list[dict], outcome: Any, program: Path, out_root: Path,
                  prices: Any, pending: list) -> tuple[str, Optional[float], int]:
    """Cost, diagram and reports of one stack; returns its terminal text, monthly total and exit status."""
    from . import cost as costmod
    from . import diagram, report

    est = None
    if not run.get("error"):
        est = costmod.estimate(costmod.usage_from_resources(ordered, prices), prices)
        run["stack_region"] = (run.get("config_values") or {}).get("aws:region", est.region)
    code = 1 if run.get("error") or (outcome and outcome.mandatory) else 0
    out_dir = out_root / st
    files = {}
    if ordered:
        files = diagram.render(diagram.to_dot(ordered, f"{run.get('project')} / {st}"), out_dir, pending=pending)
    rep = report.build_report(run, ordered, outcome, est, files, code)
    program_dir = Path(run.get("program") or program / "__main__.py").parent
    stack_file = Path(run.get("stack_file") or program / f"Pulumi.{st}.yaml")
    sarif = report.build_sarif(rep, ordered, program_dir, stack_file)
    written = report.write_outputs(out_dir, rep, sarif, report.build_summary_md(rep))
    text = render_terminal(rep, ordered, outcome, est)
    listed = list(dict.fromkeys(list(written.values()) + [v for k, v in files.items() if k != "dot"]))
    text += "\n\nFiles:\n" + "\n".join(f"  {os.path.relpath(p)}" for p in listed)
    return text, (est.total if est else None), code


def analysis_line(stacks: list[str], mode: str, with_pack: bool) -> str:
    """The progress line of the analysis phase, saying how many pack processes judge each stack (an update has
    one for its preview and one for the update) and, for more than one stack, that the stacks run in parallel."""
    names = ", ".join(stacks)
    if not with_pack:
        return f"analysing {names}: no policy pack"
    processes = "two pack processes (preview, then update)" if mode == "update" else "one pack process"
    if len(stacks) == 1:
        return f"analysing {names}: {processes}"
    return f"analysing {names}: {processes} each, in parallel"


def preview(stacks: list[str], mode: str, program: Path, out_root: Path, pack_dir: Optional[Path],
            progress: Progress, engines: list[EngineProcess], pack_configs: Optional[dict] = None) -> int:
    """Preview ``stacks`` whose programs ``engines`` run (:func:`start_engines`). Meanwhile one policy pack process
    per stack (two for an update: its preview and the update) is launched as the CLI launches it; then each stack
    is analysed and reported in its own thread, so the pack processes work in parallel. ``pack_configs`` maps a
    stack to its ``--policy-pack-config`` file (none: the pack's own levels)."""
    from concurrent.futures import ThreadPoolExecutor

    pack_configs = pack_configs or {}
    for st in stacks:  # an earlier run's reports must never look current
        shutil.rmtree(out_root / st, ignore_errors=True)
    launcher = None
    if pack_dir is not None:
        phases = [(st, dry) for st in stacks for dry in ((True, False) if mode == "update" else (True,))]
        progress.step(f"starting {len(phases)} policy pack process{'es' if len(phases) > 1 else ''} ({pack_dir}) "
                      f"while the programs of {', '.join(stacks)} run ({mode})")
        launcher = PackLauncher(pack_dir, program, phases, progress)
        launcher.start()
    from . import cost as costmod
    from . import diagram
    from .policyrun import PackConfigError

    runs = engines[0].result()
    previews = engines[1].result() if len(engines) > 1 else {}
    for engine in engines:
        with contextlib.suppress(OSError):
            engine.work.rmdir()  # empty once the recordings are read
    packs: dict = {}
    if launcher is not None:
        launcher.join()
        if launcher.error:
            progress.done()
            print(f"error: cannot start the policy pack: {launcher.error}", file=sys.stderr)
            return 2
        packs = launcher.packs
    prices = costmod.load_prices()
    pending: list = []  # dot processes, one per stack and format, all running in parallel

    def one(st: str) -> tuple[str, Optional[float], int]:
        ordered, outcome = _analyse(st, runs[st], previews.get(st), mode, pack_dir, packs, pack_configs.get(st))
        for key in [k for k in packs if k[0] == st]:
            packs[key].close()  # done with this stack: as the CLI ends the plugin with its run
        progress.step(f"{st}: analysed; writing its reports")
        return _stack_report(st, runs[st], ordered, outcome, program, out_root, prices, pending)

    progress.step(analysis_line(stacks, mode, pack_dir is not None))
    try:
        with ThreadPoolExecutor(max_workers=len(stacks)) as pool:
            results = list(pool.map(one, stacks))
    except PackConfigError as exc:
        progress.done()
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        for launched in packs.values():
            launched.close()
    diagram.wait(pending)
    progress.done()
    print("\n\n".join(text for text, _, _ in results))
    if len(stacks) > 1:
        print("\nStacks:")
        for st, (_, total, code) in zip(stacks, results, strict=True):
            money = f"${total:,.2f}/month" if total is not None else "no estimate"
            print(f"  {st:<10} {'FAILED' if code else 'ok':<7} {money}")
    worst = max(code for _, _, code in results)
    analysed = sum(len(runs[st].get("resources") or []) for st in stacks)
    print(f"\nfinished in {time.perf_counter() - progress.t0:.1f}s ({analysed} resources); exit status {worst}")
    return worst


def main(argv: Optional[list[str]] = None) -> int:
    p = argparse.ArgumentParser(prog="python -m offline", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    pv = sub.add_parser("preview", help="offline preview of one or more stacks")
    pv.add_argument("--stack", action="append", required=True, help="repeat for several stacks")
    pv.add_argument("--mode", choices=MODES, default="preview")
    pv.add_argument("--program", default=".", help="directory holding Pulumi.yaml (default: .)")
    pv.add_argument("--out", default="out", help="output root; each stack writes to <out>/<stack>/")
    pv.add_argument("--policy-pack", default="policies", help="policy pack directory ('' to skip policies)")
    pv.add_argument("--policy-pack-config", default=None, metavar="FILE",
                    help="as the CLI's flag; '{stack}' in it is replaced by each stack, and such a file that is "
                         "absent means no pack config for that stack (default: none, the pack's own levels)")
    pv.add_argument("--changing", action="append", default=[], metavar="TYPE",
                    help="existing mode: a resource type that this change replaces (its outputs are unknown again), "
                         "e.g. aws:ecs/taskDefinition:TaskDefinition for a new image; repeatable")
    pv.add_argument("--quiet", action="store_true", help="no progress display")
    dg = sub.add_parser("diagram", help="write the curated README diagram of one stack (components, subnets and "
                                         "AZs, the security-group chain)")
    dg.add_argument("--stack", default="dev")
    dg.add_argument("--program", default=".")
    dg.add_argument("--output", default="docs/architecture.png", help="a .png or .svg file")
    args = p.parse_args(argv)
    program = Path(args.program).resolve()
    if args.command == "diagram":
        from .diagram import write_overview

        try:
            check_inputs(program, [args.stack], None)
        except UsageError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        return write_overview(program, args.stack, Path(args.output).resolve())
    pack = Path(args.policy_pack).resolve() if args.policy_pack else None
    if pack is not None and not (pack / "PulumiPolicy.yaml").exists():
        print(f"error: no policy pack at {pack}", file=sys.stderr)
        return 2
    stacks = list(dict.fromkeys(args.stack))
    if args.changing and args.mode != "existing":
        print(f"error: --changing applies to --mode existing only, not {args.mode}", file=sys.stderr)
        return 2
    bad = [t for t in args.changing if t.count(":") != 2]
    if bad:
        print(f"error: --changing {bad[0]!r}: expected a resource type token such as "
              "aws:ecs/taskDefinition:TaskDefinition", file=sys.stderr)
        return 2
    valid = known_stacks(program)
    unknown = [st for st in stacks if st not in valid]
    if unknown:  # checked first, cheaply: nothing runs and nothing is written for an unknown stack
        print(f"error: unknown stack {', '.join(unknown)}: {program} has "
              f"{', '.join(valid) or 'no Pulumi.<stack>.yaml'}", file=sys.stderr)
        return 2
    out_root = Path(args.out).resolve()
    progress = Progress(not args.quiet)
    progress.step(f"running the programs of {', '.join(stacks)} ({args.mode})")
    engines = start_engines(stacks, args.mode, program, out_root, tuple(args.changing))
    try:
        configs = check_inputs(program, stacks, args.policy_pack_config if pack is not None else None, out_root)
    except UsageError as exc:
        for engine in engines:
            engine.stop()
        progress.done()
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return preview(stacks, args.mode, program, out_root, pack, progress, engines, pack_configs=configs)
