"""``python -m offline.bench``: time the offline preview of dev, staging and prod, cold and warm.

* **cold**: ``python -m offline preview --stack dev --stack staging --stack prod`` as a fresh process
  each time (interpreter, SDK imports, pack process, engine process, dot), what ``make preview-all`` pays.
* **warm**: the same preview in one process whose engine (SDKs preloaded) and policy pack are already
  running, what a long-lived PR bot would pay per run.
* **baseline**: a bare ``python -c "import pulumi"`` process on this machine, so the figures can be
  compared across machines as a ratio.

Prints seconds for all stacks, seconds per stack, ms per resource analysed and the ratio to the
baseline; the goal is all three stacks in <= 5 s cold.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STACKS = ("dev", "staging", "prod")
GOAL_SECONDS = 5.0


def _timed(cmd: list[str], env: dict) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env=env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def _resources(out: Path) -> int:
    return sum(json.loads((out / st / "report.json").read_text())["policies"]["analyzed"] for st in STACKS
               if (out / st / "report.json").exists() and json.loads((out / st / "report.json").read_text())["policies"])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--mode", default="existing")
    args = p.parse_args(argv)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    stack_args = [a for st in STACKS for a in ("--stack", st)]

    # Fork the warm engine first, before this process opens any gRPC channel.
    from .engine import WarmEngine

    load_before = os.getloadavg()[0]
    warm_engine = WarmEngine().start()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        baseline = statistics.median(_timed([sys.executable, "-c", "import pulumi"], env) for _ in range(3))
        cold = []
        for _ in range(args.runs):
            cold.append(_timed([sys.executable, "-m", "offline", "preview", *stack_args, "--mode", args.mode,
                                "--policy-pack-config", "policies/config/{stack}.json", "--out", str(out),
                                "--quiet"], env))
        resources = _resources(out)

        from . import cli
        from .analyzer import PolicyPackProcess

        warm = []
        with PolicyPackProcess(ROOT / "policies") as pack:
            for i in range(args.runs + 1):
                t = time.perf_counter()
                with redirect_stdout(io.StringIO()):
                    cli.preview(list(STACKS), args.mode, ROOT, out, ROOT / "policies", cli.Progress(False),
                                engine=warm_engine, session=pack,
                                pack_configs={st: ROOT / "policies" / "config" / f"{st}.json" for st in STACKS})
                if i:  # the first pass warms the engine's fork and the pack's imports
                    warm.append(time.perf_counter() - t)
    warm_engine.close()

    def line(label: str, times: list[float]) -> str:
        best, med = min(times), statistics.median(times)
        return (f"{label:<5} all 3 stacks {med:5.2f} s median ({best:.2f} s best) | {med / len(STACKS):.2f} s per stack"
                f" | {1000 * med / max(resources, 1):.1f} ms per resource analysed | {med / baseline:.1f}x baseline")

    print(f"offline preview benchmark: {len(STACKS)} stacks, mode {args.mode}, {resources} resources analysed, "
          f"{args.runs} runs each, {os.cpu_count()} CPUs, load average {load_before:.1f} before / "
          f"{os.getloadavg()[0]:.1f} after (other work on the machine inflates every figure)")
    print(f"baseline: python -c 'import pulumi' = {baseline:.2f} s")
    print(line("cold", cold))
    print(line("warm", warm))
    verdict = "met" if statistics.median(cold) <= GOAL_SECONDS else "missed"
    print(f"goal: all stacks <= {GOAL_SECONDS:.0f} s cold: {verdict} (median {statistics.median(cold):.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
