"""``python -m offline.bench`` (``make bench-preview``): how long ``make preview-all`` takes, warm, against a
baseline measured in the same run.

* **warm** means what a second ``make preview-all`` pays: the pack's virtualenv exists and the bytecode is
  compiled. One untimed run first makes it so; the runs are made without ``PYTHONDONTWRITEBYTECODE`` (some
  machines set it, and then every run compiles the project's modules again: about 2 CPU-seconds here).
* **baseline**: the same command for one stack (dev), a fresh process each time, as ``make preview`` runs it.
* **all**: dev, staging and prod in one fresh process, as ``make preview-all`` runs it.

Runs alternate (baseline, all, baseline, all, ...) so that both see the same machine. Each figure is printed
with the 1-minute load average before it and the CPU seconds of its processes (the preview's own plus the engine,
pack and dot processes it waits for): on a shared machine the wall time follows the load, the CPU time much less.
The ratio all/baseline says what the third and second stack cost on top of the first; 3.0 would mean no overlap.
The phases of the last run come from the preview's own progress lines.

``--floor`` measures instead what the policy runtime costs on its own: all stacks without a pack, with a pack whose
rules keep their names, kinds and levels but do nothing (written to a temporary directory, run in the real pack's
virtualenv), and with the real pack, alternating. Empty rules minus no pack is ``pulumi_policy``'s own work (start-up,
and deserialising a resource's properties once per rule); real minus empty is what our rules add.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STACKS = ("dev", "staging", "prod")
GOAL_SECONDS = 5.0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(stacks: tuple[str, ...], mode: str, out: Path, env: dict,
         pack: tuple[str, ...] = ("--policy-pack-config", "policies/config/{stack}.json")
         ) -> tuple[float, float, float, str]:
    """One fresh preview: wall seconds, CPU seconds, load average before it, and its progress lines."""
    cmd = [sys.executable, "-m", "offline", "preview", *[a for st in stacks for a in ("--stack", st)], "--mode", mode,
           *pack, "--out", str(out)]
    load, cpu, started = os.getloadavg()[0], _children_cpu(), time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          check=False)
    wall = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"bench: {' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return wall, _children_cpu() - cpu, load, proc.stderr


def _phases(progress: str) -> list[str]:
    """The ``[  2.5s] step`` progress lines: when each step started."""
    steps = re.findall(r"^\[\s*([\d.]+)s\] (.*)$", progress, re.M)
    return [f"{float(t):5.1f} s  {text}" for t, text in steps]


_EMPTY_RULES = """# Written by offline.bench --floor: the pack's policies with their names, kinds and levels, and bodies that do
# nothing, so that a preview with it costs what the policy SDK alone costs.
import importlib.util
import sys

from pulumi_policy import PolicyPack, ResourceValidationPolicy, StackValidationPolicy

spec = importlib.util.spec_from_file_location("policies", {init!r}, submodule_search_locations=[{pack!r}])
module = importlib.util.module_from_spec(spec)
sys.modules["policies"] = module
spec.loader.exec_module(module)
from policies.pack import POLICIES  # noqa: E402


def nothing(args, report_violation):
    return None


PolicyPack(name="empty-rules", policies=[
    (ResourceValidationPolicy if isinstance(p, ResourceValidationPolicy) else StackValidationPolicy)(
        name=p.name, description=p.description, validate=nothing, enforcement_level=p.enforcement_level)
    for p in POLICIES])
"""


def _empty_rules_pack(tmp: Path) -> Path:
    """A pack directory whose rules do nothing, run in the real pack's virtualenv."""
    real = ROOT / "policies"
    pack = tmp / "empty-rules"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text(
        f"description: the pack's rules with empty bodies\nruntime:\n  name: python\n  options:\n"
        f"    virtualenv: {real / 'venv'}\nversion: 1.0.0\n")
    (pack / "__main__.py").write_text(_EMPTY_RULES.format(init=str(real / "__init__.py"), pack=str(real)))
    # The same requirements, or the shared virtualenv would look out of date and be reinstalled for each pack.
    shutil.copyfile(real / "requirements.txt", pack / "requirements.txt")
    return pack


def floor(runs: int, mode: str, env: dict) -> int:
    """What the policy runtime alone costs: the three stacks without a pack, with a pack whose rules do nothing,
    and with the real pack, alternating; the differences are the pack runtime's share and the rules' share."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        empty = _empty_rules_pack(Path(tmp))
        variants = {
            "no pack": ("--policy-pack", ""),
            "pack, empty rules": ("--policy-pack", str(empty)),
            "pack, real rules": ("--policy-pack-config", "policies/config/{stack}.json"),
        }
        for pack in variants.values():
            _run(STACKS, mode, out, env, pack)  # warm-up
        cpu: dict[str, list[float]] = {name: [] for name in variants}
        wall: dict[str, list[float]] = {name: [] for name in variants}
        for _ in range(runs):
            for name, pack in variants.items():
                w, c, _, _ = _run(STACKS, mode, out, env, pack)
                cpu[name].append(c)
                wall[name].append(w)
    med = {name: statistics.median(v) for name, v in cpu.items()}
    print(f"offline preview, all stacks, mode {mode}: the policy runtime's share, {runs} alternating warm runs each, "
          f"{os.cpu_count()} CPUs")
    for name in variants:
        print(f"  {name:<20} {med[name]:5.2f} s CPU median ({', '.join(f'{c:.2f}' for c in cpu[name])}) | "
              f"{statistics.median(wall[name]):5.2f} s wall")
    print(f"  policy runtime (empty rules - no pack): {med['pack, empty rules'] - med['no pack']:5.2f} s CPU; "
          f"the rules (real - empty): {med['pack, real rules'] - med['pack, empty rules']:5.2f} s CPU")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--mode", default="existing")
    p.add_argument("--floor", action="store_true",
                   help="instead: the policy runtime's share (no pack, a pack whose rules do nothing, the real pack)")
    args = p.parse_args(argv)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # warm means compiled (see above)
    if args.floor:
        return floor(args.runs, args.mode, env)
    one, every = ("dev",), STACKS
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        _run(every, args.mode, out, env)  # warm-up: the pack's virtualenv, compiled bytecode, the page cache
        base: list[tuple[float, float, float]] = []
        alls: list[tuple[float, float, float]] = []
        progress = ""
        for _ in range(args.runs):
            base.append(_run(one, args.mode, out, env)[:3])
            wall, cpu, load, progress = _run(every, args.mode, out, env)
            alls.append((wall, cpu, load))

    def line(label: str, runs: list[tuple[float, float, float]]) -> str:
        walls = [w for w, _, _ in runs]
        return (f"{label:<24} {statistics.median(walls):5.2f} s wall median (best {min(walls):.2f})"
                f" | {statistics.median(c for _, c, _ in runs):5.2f} s CPU"
                f" | load {', '.join(f'{ld:.1f}' for _, _, ld in runs)}")

    ratio_wall = statistics.median(w for w, _, _ in alls) / statistics.median(w for w, _, _ in base)
    ratio_cpu = statistics.median(c for _, c, _ in alls) / statistics.median(c for _, c, _ in base)
    print(f"offline preview benchmark: mode {args.mode}, {args.runs} warm runs each, {os.cpu_count()} CPUs "
          "(load = 1-minute load average before each run; other work on the machine inflates the wall time)")
    print(line("baseline: dev alone", base))
    print(line("all: dev, staging, prod", alls))
    print(f"ratio all/baseline: {ratio_wall:.2f} wall, {ratio_cpu:.2f} CPU (3.00 would be three stacks one after "
          "another)")
    print("phases of the last all-stacks run:")
    print("\n".join(f"  {ph}" for ph in _phases(progress)))
    best = min(w for w, _, _ in alls)
    verdict = "met" if statistics.median(w for w, _, _ in alls) <= GOAL_SECONDS else "missed"
    print(f"goal: all stacks <= {GOAL_SECONDS:.0f} s warm: {verdict} here (median "
          f"{statistics.median(w for w, _, _ in alls):.2f} s, best {best:.2f} s, at load "
          f"{statistics.median(ld for _, _, ld in alls):.1f} on {os.cpu_count()} CPUs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
