"""Launch a Python policy pack as ``pulumi preview --policy-pack <dir>`` launches it.

What the CLI does, checked in pulumi/pulumi's source:

* **Interpreter.** ``NewPolicyAnalyzer`` (``pkg/resource/plugin/analyzer_plugin.go``) hands the pack directory to
  the Python language host's ``RunPlugin`` (``sdk/python/cmd/pulumi-language-python/main.go``), which resolves
  ``runtime.options.virtualenv`` of ``PulumiPolicy.yaml`` against the pack directory (an absolute path stays as it
  is) and runs ``<virtualenv>/bin/python -u -m pulumi.policy <engine address> <pack directory>`` in the pack
  directory, with the virtualenv activated (``VIRTUAL_ENV`` set, its ``bin`` first on ``PATH``, ``PYTHONHOME``
  dropped: ``sdk/python/toolchain``). Without the option it runs ``python3`` (or ``$PULUMI_PYTHON_CMD``) from
  ``PATH``.
* **Creating the virtualenv.** ``pulumi install`` in the pack directory (and ``pulumi policy new``) runs
  ``python3 -m venv <virtualenv>`` and ``<virtualenv>/bin/python -m pip install -r requirements.txt``
  (``sdk/python/toolchain/pip.go``: ``InstallDependencies``); ``pulumi preview`` expects it to exist. Offline it is
  created, or brought up to date, when it is missing or its requirements changed since it was last installed (a
  copy of ``requirements.txt`` kept in the virtualenv is the stamp), so a warm run pays nothing. The CLI also
  upgrades pip, setuptools and wheel first; offline does not.
* **Environment and ConfigureStack.** The engine decrypts the stack's config (``pkg/engine/update.go``:
  ``target.Config.Decrypt``) and sends ``ConfigureStack`` with organization, project, stack, dry run, the
  config (``namespace:key`` -> string, secrets decrypted), the secret keys and the stack's tags. The language host
  answers it through a proxy (``sdk/policy_proxy.go``) *before* it starts the pack, starts the pack with
  ``PULUMI_ORGANIZATION``, ``PULUMI_PROJECT``, ``PULUMI_STACK``, ``PULUMI_DRY_RUN`` and ``PULUMI_CONFIG`` (that
  config as JSON) set, each only when not empty, then forwards the same ``ConfigureStack`` to it first.
* **One process per run.** Each ``pulumi preview`` (each stack) loads its own analyzer; ``pulumi up`` runs a
  preview (dry run) and then the update (not a dry run), each with its own pack process.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Optional

from .examples import with_examples
from .stackconfig import load_stack_config, read_yaml

#: The copy of ``requirements.txt`` that says what the virtualenv was last installed from.
STAMP = ".requirements.txt"
#: diy backends always send this organization (``pkg/backend/diy/state.go``); Pulumi Cloud sends the stack's owner.
DEFAULT_ORGANIZATION = "organization"


class PackRuntimeError(Exception):
    """The pack's runtime cannot be prepared: an unsupported runtime or option, or a failed venv or pip step."""


@dataclass(frozen=True)
class PackRuntime:
    """The interpreter that runs the pack, and how it was obtained."""

    pack_dir: Path
    python: Path
    virtualenv: Optional[Path]  # None: no virtualenv option, the interpreter on PATH
    action: str  # "reused", "created", "updated" (requirements changed) or "no virtualenv option"

    def env(self, base: Mapping[str, str]) -> dict[str, str]:
        """``base`` with the virtualenv activated, as the toolchain's ``ActivateVirtualEnv`` does."""
        env = dict(base)
        if self.virtualenv is None:
            return env
        env.pop("PYTHONHOME", None)
        env["PATH"] = os.pathsep.join(filter(None, [str(self.virtualenv / "bin"), env.get("PATH")]))
        env["VIRTUAL_ENV"] = str(self.virtualenv)
        return env

    def describe(self) -> str:
        if self.virtualenv is None:
            return f"{self.python} (PulumiPolicy.yaml sets no virtualenv: the interpreter on PATH)"
        return f"{self.python} (virtualenv {self.virtualenv} from PulumiPolicy.yaml, {self.action})"


def _runtime_options(pack_dir: Path) -> dict:
    path = pack_dir / "PulumiPolicy.yaml"
    doc = read_yaml(path) or {}
    runtime = doc.get("runtime")
    name, options = (runtime.get("name"), runtime.get("options") or {}) if isinstance(runtime, dict) else (runtime, {})
    if name != "python":
        raise PackRuntimeError(f"{path}: runtime: {name!r}: only a python pack can run offline")
    toolchain = options.get("toolchain", "pip")
    if toolchain != "pip":
        raise PackRuntimeError(f"{path}: runtime.options.toolchain: {toolchain!r}: only pip is supported offline "
                               "(the CLI also knows poetry and uv)")
    if "virtualenv" in options and not isinstance(options["virtualenv"], str):
        raise PackRuntimeError(f"{path}: runtime.options.virtualenv: must be a string (a directory)")
    return options


def base_python() -> str:
    """The interpreter the CLI creates virtualenvs with: ``$PULUMI_PYTHON_CMD``, else ``python3``, else
    ``python`` on ``PATH`` (``sdk/python/toolchain/pip.go``: ``CommandPath``)."""
    names = [os.environ["PULUMI_PYTHON_CMD"]] if os.environ.get("PULUMI_PYTHON_CMD") else ["python3", "python"]
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    raise PackRuntimeError(f"failed to locate any of {names} on PATH to create the policy pack's virtualenv")


def _run(cmd: list[str], cwd: Path, env: Mapping[str, str], what: str) -> None:
    proc = subprocess.run(cmd, cwd=cwd, env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        raise PackRuntimeError(f"{what} failed ({' '.join(cmd)}, exit status {proc.returncode}):\n"
                               f"{proc.stdout.strip()[-3000:]}")


def ensure_runtime(pack_dir: Path | str, log: Callable[[str], None] = lambda _msg: None) -> PackRuntime:
    """The pack's interpreter: its virtualenv from ``PulumiPolicy.yaml``, created or updated first when it is
    missing or ``requirements.txt`` changed since the last install; reused as it is otherwise."""
    pack_dir = Path(pack_dir).resolve()
    options = _runtime_options(pack_dir)
    if "virtualenv" not in options:
        return PackRuntime(pack_dir, Path(base_python()), None, "no virtualenv option")
    venv = (pack_dir / options["virtualenv"]).resolve()  # an absolute path stays as it is
    python = venv / "bin" / "python"
    requirements = pack_dir / "requirements.txt"
    wanted = requirements.read_text() if requirements.exists() else ""

    def current() -> bool:
        stamp = venv / STAMP
        return python.exists() and stamp.exists() and stamp.read_text() == wanted

    if current():
        return PackRuntime(pack_dir, python, venv, "reused")
    venv.mkdir(parents=True, exist_ok=True)
    with open(venv / ".offline-lock", "w") as lock:  # several previews may start at once: one builds, the rest wait
        fcntl.flock(lock, fcntl.LOCK_EX)
        if current():
            return PackRuntime(pack_dir, python, venv, "reused")
        action = "updated" if python.exists() else "created"
        (venv / STAMP).unlink(missing_ok=True)  # a failed install must not look current next time
        runtime = PackRuntime(pack_dir, python, venv, action)
        log(f"policy pack virtualenv {venv}: {'requirements.txt changed, ' if action == 'updated' else ''}"
            f"python -m venv + pip install -r requirements.txt (as `pulumi install` does)")
        _run([base_python(), "-m", "venv", str(venv)], pack_dir, os.environ, "creating the pack's virtualenv")
        if requirements.exists():
            _run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r",
                  "requirements.txt"], pack_dir, runtime.env(os.environ), "installing the pack's requirements")
        (venv / STAMP).write_text(wanted)
    return runtime


@dataclass(frozen=True)
class StackLaunch:
    """What the CLI tells a pack about the stack it analyses: ConfigureStack and the ``PULUMI_*`` environment."""

    organization: str
    project: str
    stack: str
    dry_run: bool
    config: Mapping[str, str]  # decrypted where a passphrase was given
    secret_keys: tuple[str, ...] = ()
    undecrypted: tuple[str, ...] = ()  # secure values sent as a placeholder (no passphrase)
    tags: Mapping[str, str] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        """``PULUMI_*`` as the language host sets them (a variable whose value is empty is left out)."""
        values = {"PULUMI_ORGANIZATION": self.organization, "PULUMI_PROJECT": self.project,
                  "PULUMI_STACK": self.stack, "PULUMI_DRY_RUN": "true" if self.dry_run else "false",
                  "PULUMI_CONFIG": json.dumps(dict(self.config), separators=(",", ":"))}
        return {k: v for k, v in values.items() if v}

    def configure_request(self) -> Any:
        from .analyzer import stack_configure_request

        return stack_configure_request(self.stack, self.project, organization=self.organization,
                                       dry_run=self.dry_run, config=self.config, secret_keys=self.secret_keys,
                                       tags=self.tags)

    def describe(self) -> dict:
        """For the report: names and flags, never a config value."""
        return {"organization": self.organization, "project": self.project, "stack": self.stack,
                "dryRun": self.dry_run, "environment": sorted(self.env()), "configKeys": sorted(self.config),
                "secretKeys": list(self.secret_keys), "undecryptedSecretKeys": list(self.undecrypted),
                "tags": dict(self.tags)}


def stack_tags(program: Path, config: Mapping[str, str]) -> dict[str, str]:
    """The tags the CLI derives from ``Pulumi.yaml`` and the ``pulumi:tags`` config (``pkg/backend/stack.go``:
    ``GetEnvironmentTagsForCurrentStack``); its git metadata tags (``vcs:*``) are not derived offline."""
    doc = read_yaml(program / "Pulumi.yaml") or {}
    runtime = doc.get("runtime")
    tags = {"pulumi:project": str(doc.get("name") or ""),
            "pulumi:runtime": str(runtime.get("name") if isinstance(runtime, dict) else runtime or "")}
    if doc.get("description"):
        tags["pulumi:description"] = str(doc["description"])
    extra = config.get("pulumi:tags")
    if extra:
        try:
            given = json.loads(extra)
        except ValueError:
            given = None
        if not isinstance(given, dict) or not all(isinstance(v, str) for v in given.values()):
            raise PackRuntimeError("config pulumi:tags must be an object of strings, as the CLI requires")
        tags.update(given)
    return tags


def stack_launch(program: Path | str, stack: str, dry_run: bool, passphrase: Optional[str] = None) -> StackLaunch:
    """The stack's launch as the CLI sends it: project defaults merged with ``Pulumi.<stack>.yaml``, ``secure:``
    values decrypted with ``passphrase`` (else a placeholder, and listed as undecrypted), plus the example values the
    offline preview gives the program (:mod:`offline.examples`), as the program sees them too."""
    program = Path(program).resolve()
    cfg = load_stack_config(program, stack, passphrase)
    values, _ = with_examples(cfg.project, cfg.stack, cfg.values)
    return StackLaunch(DEFAULT_ORGANIZATION, cfg.project, cfg.stack, dry_run, dict(sorted(values.items())),
                       cfg.secret_keys, cfg.undecrypted, stack_tags(program, values))


@dataclass
class LaunchedPack:
    """One stack's pack process (:class:`offline.analyzer.PolicyPackProcess`), and how it was launched."""

    pack: Any
    runtime: PackRuntime
    launch: StackLaunch

    @property
    def pid(self) -> int:
        return int(self.pack.pid)

    def close(self) -> None:
        self.pack.close()


def start_pack(runtime: PackRuntime, launch: StackLaunch, **kwargs: Any) -> LaunchedPack:
    """A started pack process for one stack: its interpreter, its environment, then ConfigureStack first, as the
    language host's proxy forwards it. A pack that does not implement ConfigureStack is accepted, as by the CLI."""
    from .analyzer import PolicyPackProcess

    env = runtime.env(os.environ)
    env.update(launch.env())
    pack = PolicyPackProcess(runtime.pack_dir, python=str(runtime.python), env=env, inherit_env=False, **kwargs)
    pack.start()
    try:
        pack.configure_stack(launch.configure_request())
    except RuntimeError as exc:
        if "UNIMPLEMENTED" not in str(exc):
            pack.close()
            raise
    return LaunchedPack(pack, runtime, launch)
