"""Pure readers for the GitHub Actions workflows and the Makefile, shared by the delivery tests.

Each check returns a list of problems (empty when the repo is consistent), so a test can run it against the
real files and against a deliberately broken copy.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
ACTIONS = ROOT / ".github" / "actions"
STACKS = ("dev", "staging", "prod")


@dataclass(frozen=True)
class Step:
    file: str  # path relative to the repo
    job: str  # job id, or "(composite)" for a local action
    step: dict


def workflow_files() -> list[Path]:
    return sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])


def action_files() -> list[Path]:
    return sorted(ACTIONS.glob("*/action.y*ml"))


def load(path: Path) -> dict:
    doc = yaml.safe_load(path.read_text())
    # YAML 1.1 reads the bare key `on` as True.
    if True in doc:
        doc["on"] = doc.pop(True)
    return doc


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def jobs(path: Path) -> dict[str, dict]:
    return load(path).get("jobs", {}) or {}


def steps() -> list[Step]:
    """Every step of every workflow job and of every local composite action."""
    found = []
    for path in workflow_files():
        for job_id, job in jobs(path).items():
            for step in job.get("steps", []) or []:
                found.append(Step(rel(path), job_id, step))
    for path in action_files():
        for step in load(path).get("runs", {}).get("steps", []) or []:
            found.append(Step(rel(path), "(composite)", step))
    return found


# --- make targets ---------------------------------------------------------------------------------------

_RULE = re.compile(r"^([A-Za-z0-9_.%/$()-][^:=#\t]*?)\s*::?(?!=)")


def makefile_targets(text: str) -> set[str]:
    """Explicit targets a Makefile defines (rule heads), without special (.PHONY) or pattern targets."""
    targets: set[str] = set()
    for line in text.splitlines():
        if line.startswith("\t") or line.lstrip().startswith("#"):
            continue
        match = _RULE.match(line)
        if not match:
            continue
        for name in match.group(1).split():
            if not name.startswith(".") and "%" not in name and "$" not in name:
                targets.add(name)
    return targets


# `make` as a command word: at the start of a line or after ; && || | ( or sudo / env VAR=x.
_MAKE = re.compile(r"(?:^|[;&|(]|\bsudo|\bexec)\s*make\b([^;&|)\n]*)", re.MULTILINE)
_OPTIONS_WITH_VALUE = {"-C", "-f", "-j", "-o", "-W", "-I", "--directory", "--file", "--jobs"}


def make_calls(script: str) -> list[str]:
    """The make targets a shell script calls, e.g. `make test`, `sudo make lint STACK=dev` -> [test, lint]."""
    calls = []
    for match in _MAKE.finditer(script):
        try:
            words = shlex.split(match.group(1), comments=True)
        except ValueError:
            words = match.group(1).split()
        skip = False
        for word in words:
            if skip:
                skip = False
                continue
            if word in _OPTIONS_WITH_VALUE:
                skip = True
                continue
            if word.startswith("-") or "=" in word:
                continue
            calls.append(word)
    return calls


def check_make_targets(all_steps: list[Step], makefile_text: str) -> list[str]:
    defined = makefile_targets(makefile_text)
    problems = []
    for s in all_steps:
        for target in make_calls(s.step.get("run", "") or ""):
            if target not in defined:
                problems.append(f"{s.file} job {s.job}: `make {target}` but the Makefile has no target {target!r}")
    return problems


# --- pulumi CLI calls -------------------------------------------------------------------------------------

_OPERATORS = {";", "&&", "||", "|", "&", "(", ")", "\n"}
PULUMI_VERBS = {"preview", "up", "update", "refresh", "destroy", "cancel", "config", "stack", "policy", "install"}


def shell_words(script: str) -> list[str]:
    """A shell script as words, with line continuations joined and operators (and newlines) as their own words."""
    joined = re.sub(r"\\\n", " ", script or "")
    words: list[str] = []
    for line in joined.splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|()")
        lexer.whitespace_split = True
        lexer.commenters = "#"
        try:
            words += list(lexer)
        except ValueError:
            words += line.split()
        words.append("\n")
    return words


def pulumi_calls(script: str) -> list[list[str]]:
    """Every `pulumi <verb> ...` command in a script, as its words from `pulumi` to the end of the command."""
    words = shell_words(script)
    calls = []
    for i, word in enumerate(words):
        if word == "pulumi" and i + 1 < len(words) and words[i + 1] in PULUMI_VERBS:
            end = next((j for j in range(i + 1, len(words)) if words[j] in _OPERATORS), len(words))
            calls.append(words[i:end])
    return calls


def flag_values(call: list[str], *names: str) -> list[str]:
    """Values of a repeated flag (`--flag value` or `--flag=value`)."""
    values = []
    for i, word in enumerate(call):
        for name in names:
            if word == name and i + 1 < len(call):
                values.append(call[i + 1])
            elif word.startswith(name + "="):
                values.append(word.split("=", 1)[1])
    return values


@dataclass(frozen=True)
class PulumiCall:
    step: Step
    words: tuple

    @property
    def verb(self) -> str:
        return self.words[1]


def pulumi_steps(all_steps: list[Step]) -> list[Step]:
    """Steps that use the pulumi/actions action (here: only to install the CLI)."""
    return [s for s in all_steps if str(s.step.get("uses", "")).startswith("pulumi/actions@")]


def pulumi_cli_calls(all_steps: list[Step]) -> list[PulumiCall]:
    return [PulumiCall(s, tuple(c)) for s in all_steps for c in pulumi_calls(s.step.get("run", "") or "")]


# --- policy packs ---------------------------------------------------------------------------------------

_STACK_EXPR = re.compile(r"\$\{\{\s*(matrix|inputs)\.stack\s*\}\}")
_STACK_VAR = re.compile(r"\$\{?STACK_SHORT\}?")


def stacks_for(s: Step) -> list[str]:
    """Values `${{ matrix.stack }}` / `${{ inputs.stack }}` take for this step's job."""
    if s.job == "(composite)":
        return []
    path = ROOT / s.file
    doc = load(path)
    job = doc["jobs"][s.job]
    matrix = ((job.get("strategy") or {}).get("matrix") or {}).get("stack")
    if matrix:
        return list(matrix)
    dispatch = ((doc["on"] or {}).get("workflow_dispatch") or {}) if isinstance(doc["on"], dict) else {}
    choice = ((dispatch.get("inputs") or {}).get("stack") or {}).get("options")
    if choice:
        return list(choice)
    # A reusable workflow: the values its callers pass as `with: stack:`.
    values = []
    for caller in workflow_files():
        for other in jobs(caller).values():
            if str(other.get("uses", "")).endswith(Path(s.file).name):
                values.append((other.get("with") or {}).get("stack"))
    return [v for v in values if v]


def expand(value: str, s: Step) -> list[str]:
    """A path with the stack in it (`${{ matrix.stack }}` or `$STACK_SHORT`) for each stack the job runs for."""
    if not (_STACK_EXPR.search(value) or _STACK_VAR.search(value)):
        return [value]
    return [_STACK_VAR.sub(stack, _STACK_EXPR.sub(stack, value)) for stack in stacks_for(s)]


def check_policy_packs(all_steps: list[Step], root: Path = ROOT) -> list[str]:
    """Every `pulumi preview` / `pulumi up` runs the pack with the stack's config, and both exist."""
    problems = []
    for call in pulumi_cli_calls(all_steps):
        if call.verb not in ("preview", "up", "update"):
            continue
        s, words = call.step, list(call.words)
        where = f"{s.file} job {s.job}: pulumi {call.verb}"
        packs = flag_values(words, "--policy-pack")
        configs = flag_values(words, "--policy-pack-config")
        if not packs:
            problems.append(f"{where} without --policy-pack")
        for pack in packs:
            if not (root / pack / "PulumiPolicy.yaml").is_file():
                problems.append(f"{where}: policy pack {pack}/PulumiPolicy.yaml does not exist")
        if len(configs) != len(packs):
            problems.append(f"{where}: {len(packs)} policy pack(s) but {len(configs)} config(s)")
        for config in configs:
            expanded = expand(config, s)
            if not expanded:
                problems.append(f"{where}: cannot resolve the stacks in {config}")
            for path in expanded:
                if not (root / path).is_file():
                    problems.append(f"{where}: policy pack config {path} does not exist")
    return problems


# --- helpers for testing the scripts ----------------------------------------------------------------------


def fake_commands(tmp_path: Path, source: str, *names: str) -> dict:
    """Install ``source`` as the commands ``names`` in a fresh bin directory; returns an environment that finds
    them first on PATH."""
    import os

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "fake").write_text(source)
    (bin_dir / "fake").chmod(0o755)
    for name in names:
        (bin_dir / name).symlink_to(bin_dir / "fake")
    return {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}


def load_script(path: Path):
    """A script file (named with dashes) imported as a module, to test its functions."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(path.stem.replace("-", "_"), path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
