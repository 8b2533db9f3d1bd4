"""``python -m offline preview --stack dev [--stack prod ...] --mode preview|update|existing``

1. Starts the policy pack (through the shared harness) while the stacks' programs run in a
   separate engine process (``python -m offline.engine``: SDKs imported once, one forked child
   per stack, so stacks run in parallel and never share Pulumi runtime state).
2. Per stack: dependency order, policies as the engine runs them, cost, diagram, reports.
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

from .engine import MODES

# The heavier modules (report -> policyrun -> analyzer -> grpc, pulumi) are imported inside
# preview(), after the engine process has been started, so that both start up in parallel.

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


class PackStarter(threading.Thread):
    """Start the pack in the background; ``.session`` or ``.error`` once joined."""

    def __init__(self, pack_dir: Path):
        super().__init__(daemon=True)
        self.pack_dir = pack_dir
        self.session: Any = None
        self.error: Optional[str] = None

    def run(self) -> None:
        try:
            from .analyzer import PolicyPackProcess

            session = PolicyPackProcess(self.pack_dir)
            session.start()
            self.session = session
        except Exception as exc:  # noqa: BLE001 (reported as a tooling error)
            self.error = f"{type(exc).__name__}: {exc}"


def _label(urn: str) -> str:
    """``name (module/Type)`` for a URN: names alone can repeat across types."""
    if not urn:
        return "(stack)"
    parts = urn.split("::")
    typ = parts[2].split("$")[-1].split(":")
    short = f"{typ[1].split('/')[0]}/{typ[2]}" if len(typ) == 3 else parts[2]
    return f"{parts[-1]} ({short})"


def _tree_lines(ordered: list[dict], mode: str) -> list[str]:
    from . import report
    from .graph import children_map

    op = report.OPS[mode][0]
    kids = children_map([r for r in ordered if not r.get("default_provider")])
    lines: list[str] = []

    def walk(parent: str, prefix: str) -> None:
        items = kids.get(parent, [])
        for i, r in enumerate(items):
            last = i == len(items) - 1
            branch = ("└─ " if last else "├─ ") if parent else ""
            note = "  (remote component: children not visible offline)" if r.get("remote") else ""
            mark = ">" if r.get("read") else op  # a read (Resource.get) is never created
            lines.append(f"  {mark} {prefix}{branch}{r['type']}  {r['name']}{note}")
            walk(r["urn"], prefix + (("   " if last else "│  ") if parent else ""))

    walk("", "")
    providers = [r for r in ordered if r.get("default_provider")]
    for r in providers:
        lines.append(f"  {op} {r['type']}  {r['name']}  (default provider, created by the engine)")
    return lines


def render_terminal(rep: dict, ordered: list[dict], outcome: Any, est: Any) -> str:
    from . import report

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
    out.extend(_tree_lines(ordered, mode))
    remote = [r for r in ordered if r.get("remote")]
    if remote:
        out.append("Note: remote components are single resources offline; their children exist only in the "
                   "component provider and are neither shown nor judged by the policies.")
    if outcome is not None:
        cfg = os.path.relpath(outcome.config_file) if outcome.config_file else "pack defaults"
        out.append("")
        out.append(f"Policies: {outcome.pack.get('name')} v{outcome.pack.get('version')} ({len(outcome.rules)} rules, "
                   f"config {cfg}); {outcome.analyzed} resources analysed")
        for level, items in (("MANDATORY", outcome.mandatory), ("ADVISORY", outcome.advisory)):
            out.append(f"  {level} ({len(items)})")
            for v in items:
                out.append(f"    x {v['policy']}  [{v['severity']}]  {_label(v['urn'])}")
                msg_lines = v["message"].strip().splitlines() or [v["description"]]
                out.append(f"      {' '.join(msg_lines[1:]) if len(msg_lines) > 1 else msg_lines[0]}")
                if v.get("remediation"):
                    out.append(f"      fix: {' '.join(v['remediation'].split())}")
        out.append(f"  SKIPPED DURING PREVIEW ({len(outcome.skipped)})"
                   + (": values unknown until the resources exist (the CLI reports these as advisory)"
                      if outcome.skipped else ""))
        grouped: dict[tuple[str, str], list[str]] = {}
        for sk in outcome.skipped:
            key = (_label(sk["urn"]), sk["reason"])
            grouped.setdefault(key, []).append(sk["policy"])
        for (name, reason), policies in grouped.items():
            out.append(f"    - {name}: {reason}")
            out.append(f"      {len(policies)} rule{'s' if len(policies) > 1 else ''}: {', '.join(policies)}")
        if outcome.stopped_at:
            out.append(f"  The update stopped at {outcome.stopped_at} (first mandatory violation), as the engine does.")
    if est is not None:
        out.append("")
        out.append(f"Cost estimate ({est.currency}/month, {est.region}):")
        width = max((len(line.item) for line in est.lines), default=10)
        for line in est.lines:
            out.append(f"  {line.item:<{width}}  {line.usd:>9,.2f}   {line.quantity}")
        out.append(f"  {'Total':<{width}}  {est.total:>9,.2f}")
        out.append("  Assumptions:")
        out.extend(f"   - {a}" for a in est.assumptions)
    return "\n".join(out)


def _engine_cmd(program: Path, stacks: list[str], mode: str, work: Path) -> tuple[list[str], dict]:
    cmd = [sys.executable, "-m", "offline.engine", "--program", str(program), "--mode", mode, "--work-dir", str(work)]
    for st in stacks:
        cmd += ["--stack", st]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return cmd, env


class EngineProcess:
    """The engine as a fresh process (``python -m offline.engine``), started at once, joined later."""

    def __init__(self, program: Path, stacks: list[str], mode: str, work: Path):
        self.stacks, self.mode, self.work = stacks, mode, work
        cmd, env = _engine_cmd(program, stacks, mode, work)
        for st in stacks:
            (work / f"{st}.json").unlink(missing_ok=True)
        self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

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


def preview(stacks: list[str], mode: str, program: Path, out_root: Path, pack_dir: Optional[Path],
            progress: Progress, docs_png: Optional[Path], engine: Any = None, session: Any = None) -> int:
    """Preview ``stacks``; ``engine`` (default: a fresh engine process) and ``session`` (default: a
    freshly started pack) can be passed in to reuse warm ones (see :mod:`offline.bench`)."""
    own_session = session is None
    work = out_root / ".engine"
    work.mkdir(parents=True, exist_ok=True)
    progress.step(f"running the program for {', '.join(stacks)} ({mode})")
    fresh = EngineProcess(program, stacks, mode, work) if engine is None else None
    starter = None
    if pack_dir is not None and session is None:
        progress.step(f"starting policy pack {pack_dir}")
        starter = PackStarter(pack_dir)
        starter.start()
    from . import cost as costmod
    from . import diagram, report
    from .graph import topo_order
    from .policyrun import run_policies

    runs = fresh.result() if fresh is not None else engine(program, stacks, mode, work)
    with contextlib.suppress(OSError):
        work.rmdir()  # empty once the recordings are read
    if starter is not None:
        starter.join()
        if starter.error:
            print(f"error: cannot start the policy pack: {starter.error}", file=sys.stderr)
            return 2
        session = starter.session
    prices = costmod.load_prices()
    pending: list = []  # dot processes, one per stack and format, all running in parallel
    docs_copy = None
    worst = 0
    texts, totals = [], []
    try:
        for st in stacks:
            run = runs[st]
            ordered = topo_order(run.get("resources") or [])
            outcome = None
            if session is not None and not run.get("error"):
                progress.step(f"{st}: analysing {len(ordered)} resources with the policy pack")
                outcome = run_policies(session, ordered, mode, st, pack_dir, run)
            est = None
            if not run.get("error"):
                est = costmod.estimate(costmod.usage_from_resources(ordered, prices), prices)
            code = 1 if run.get("error") or (outcome and outcome.mandatory) else 0
            worst = max(worst, code)
            out_dir = out_root / st
            progress.step(f"{st}: drawing the diagram and writing reports")
            files = {}
            if ordered:
                files = diagram.render(diagram.to_dot(ordered, f"{run.get('project')} / {st}"), out_dir,
                                       pending=pending)
            rep = report.build_report(run, ordered, outcome, est, files, code)
            program_dir = Path(run.get("program") or program / "__main__.py").parent
            stack_file = Path(run.get("stack_file") or program / f"Pulumi.{st}.yaml")
            sarif = report.build_sarif(rep, ordered, program_dir, stack_file)
            written = report.write_outputs(out_dir, rep, sarif, report.build_summary_md(rep))
            if docs_png is not None and st == "dev" and mode == "preview" and "png" in files:
                docs_copy = (files["png"], docs_png)
                files["docs"] = str(docs_png)
            text = render_terminal(rep, ordered, outcome, est)
            listed = list(dict.fromkeys(list(written.values()) + [v for k, v in files.items() if k != "dot"]))
            text += "\n\nFiles:\n" + "\n".join(f"  {os.path.relpath(p)}" for p in listed)
            texts.append(text)
            totals.append((st, est.total if est else None, code))
    finally:
        if session is not None and own_session:
            session.close()
    diagram.wait(pending)
    if docs_copy is not None:
        src, dst = Path(docs_copy[0]), docs_copy[1]
        dst.parent.mkdir(parents=True, exist_ok=True)
        if not dst.exists() or dst.read_bytes() != src.read_bytes():
            shutil.copyfile(src, dst)
    progress.done()
    print("\n\n".join(texts))
    if len(stacks) > 1:
        print("\nStacks:")
        for st, total, code in totals:
            money = f"${total:,.2f}/month" if total is not None else "no estimate"
            print(f"  {st:<10} {'FAILED' if code else 'ok':<7} {money}")
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
    pv.add_argument("--docs-png", default="docs/architecture.png",
                    help="copy dev's diagram here after a dev preview ('' to skip)")
    pv.add_argument("--quiet", action="store_true", help="no progress display")
    args = p.parse_args(argv)
    program = Path(args.program).resolve()
    pack = Path(args.policy_pack).resolve() if args.policy_pack else None
    if pack is not None and not (pack / "PulumiPolicy.yaml").exists():
        print(f"error: no policy pack at {pack}", file=sys.stderr)
        return 2
    stacks = list(dict.fromkeys(args.stack))
    return preview(stacks, args.mode, program, Path(args.out).resolve(), pack, Progress(not args.quiet),
                   Path(args.docs_png).resolve() if args.docs_png else None)
