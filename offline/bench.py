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
"""

from __future__ import annotations

import argparse
import os
import re
import resource
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


def _run(stacks: tuple[str, ...], mode: str, out: Path, env: dict) -> tuple[float, float, float, str]:
    """One fresh preview: wall seconds, CPU seconds, load average before it, and its progress lines."""
    cmd = [sys.executable, "-m", "offline", "preview", *[a for st in stacks for a in ("--stack", st)], "--mode", mode,
           "--policy-pack-config", "policies/config/{stack}.json", "--out", str(out)]
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


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--mode", default="existing")
    args = p.parse_args(argv)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # warm means compiled (see above)
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
