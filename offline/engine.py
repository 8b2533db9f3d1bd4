"""The offline engine: run a Pulumi program under a recording resource monitor.

Run it in a fresh process per stack (``python -m offline.engine``, which :mod:`offline.cli` does):
the Pulumi SDK keeps its runtime state in module globals, so one program run per process keeps
stacks from leaking into each other.

What the monitor records for every ``RegisterResource`` is what the Pulumi engine would see on
the wire (:class:`pulumi.runtime.proto.resource_pb2.RegisterResourceRequest`): type, name, parent,
custom/remote, the camelCase input ``Struct`` (secrets and unknowns in their wire form),
dependencies, property dependencies and the provider reference. On top of that it does what the
engine does and the stock ``MockMonitor`` does not:

* **URNs** are built from the parent chain: the type part of a child's URN is its parent's
  qualified type, ``$``, its own type (``webservice:index:Task$aws:iam/role:Role``), except under
  the root stack. The stock ``MockMonitor.make_urn`` keeps only the parent's last type segment.
* **Default providers** (``pulumi:providers:aws::default_7_51_1``) are created for every package
  a custom or remote resource uses without an explicit provider, with that package's config.
* **Modes**: ``preview`` is a dry run in which a new resource's computed outputs are unknown;
  ``update`` knows every output; ``existing`` is a dry run of an already deployed stack, so
  outputs are known.
* **Remote components**: the awsx ``ec2.Vpc`` registers the children awsx 3.11 creates for its arguments
  (:mod:`offline.awsx_vpc`, pinned from awsx's source), after the program's transforms on the component and its
  ancestors have run on them, as the engine runs them on a packaged component's children. Other remote
  components stay single resources.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import runpy
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Optional

from google.protobuf import json_format, struct_pb2

from . import MODES, awsx_vpc, check, fakes
from .examples import ORIGIN as EXAMPLE_ORIGIN, with_examples
from .stackconfig import StackConfig, load_stack_config
from .wire import STACK_TYPE, UNKNOWN, make_urn, plain, secret



@dataclass
class ResourceRecord:
    urn: str
    type: str
    name: str
    parent: str = ""
    custom: bool = False
    remote: bool = False
    provider: str = ""  # provider reference "urn::id", as the engine resolves it
    id: str = ""
    inputs: dict = field(default_factory=dict)  # wire form: camelCase keys, secret/unknown sentinels
    outputs: dict = field(default_factory=dict)
    dependencies: list = field(default_factory=list)
    property_dependencies: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)  # protect, ignoreChanges, ... as the analyzer receives them
    default_provider: bool = False  # created by the engine, not the program
    read: bool = False
    source: str = ""  # "file:line" of the registration in the program, when the SDK sends it
    generated_by: str = ""  # the remote component whose layout this child comes from (offline.awsx_vpc)
    checked: dict = field(default_factory=dict)  # what the provider's Check filled in (offline.check)
    seq: int = 0


def _package_version(dist: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return ""


def package_of(typ: str) -> str:
    if typ.startswith("pulumi:providers:"):
        return typ.split(":")[2]
    return typ.split(":")[0]


def _struct_to_wire(s: struct_pb2.Struct) -> dict:
    return json_format.MessageToDict(s, preserving_proto_field_name=True)


def _wire_to_struct(d: dict) -> struct_pb2.Struct:
    out = struct_pb2.Struct()
    json_format.ParseDict(d, out)
    return out


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def duration_seconds(text: str) -> float:
    """A Go duration string, as RegisterResource carries custom timeouts ("34m", "1h30m"), in seconds, as the
    engine passes them to analyzers. The engine rejects a registration whose timeout does not parse."""
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"custom timeout {text!r} is not a duration such as 30m or 1h30m")
    return sum(float(n) * _DURATION_UNITS[u] for n, u in parts)


def _alias_urns(request: Any, stack: str, project: str) -> list[str]:
    """The alias URNs the engine derives from a registration: URNs as given, specs resolved against the
    resource's own name, type, parent, stack and project (``Alias(name="old")`` -> the URN it had)."""
    urns = list(request.aliasURNs)
    for alias in request.aliases:
        if alias.urn:
            urns.append(alias.urn)
            continue
        spec = alias.spec
        which = spec.WhichOneof("parent")
        parent = "" if which == "noParent" and spec.noParent else (spec.parentUrn if which == "parentUrn"
                                                                   else request.parent)
        urns.append(make_urn(spec.stack or stack, spec.project or project, parent, spec.type or request.type,
                             spec.name or request.name))
    return list(dict.fromkeys(urns))


def _options(request: Any, stack: str, project: str) -> dict:
    """Every resource option the Python SDK sends in RegisterResource, camelCase. The analyzer receives the
    ones ``AnalyzerResourceOptions`` has (protect, ignoreChanges, deleteBeforeReplace, additionalSecretOutputs,
    aliases, customTimeouts, parent); the others are kept for the report."""
    opts: dict[str, Any] = {}
    if request.protect:
        opts["protect"] = True
    if request.ignoreChanges:
        opts["ignoreChanges"] = list(request.ignoreChanges)
    if request.deleteBeforeReplaceDefined:
        opts["deleteBeforeReplace"] = request.deleteBeforeReplace
        opts["deleteBeforeReplaceDefined"] = True
    if request.additionalSecretOutputs:
        opts["additionalSecretOutputs"] = list(request.additionalSecretOutputs)
    aliases = _alias_urns(request, stack, project)
    if aliases:
        opts["aliases"] = aliases
    if request.HasField("customTimeouts"):
        ct = request.customTimeouts
        timeouts = {k: getattr(ct, k) for k in ("create", "update", "delete", "read") if getattr(ct, k)}
        for key, text in timeouts.items():
            try:
                duration_seconds(text)
            except ValueError as exc:
                raise Exception(f"resource {request.name!r}: custom_timeouts.{key}: {exc}") from None
        if timeouts:
            opts["customTimeouts"] = timeouts
    if request.retainOnDelete:
        opts["retainOnDelete"] = True
    for key in ("replaceOnChanges", "hideDiffs", "replace_with"):
        if list(getattr(request, key)):
            opts[key] = list(getattr(request, key))
    if request.deletedWith:
        opts["deletedWith"] = request.deletedWith
    if request.importId:
        opts["importId"] = request.importId
    return opts


class RecordingMonitor:
    """A resource monitor for the Python SDK's mock path: it records and answers every call."""

    def __init__(self, cfg: StackConfig, mode: str, changing: tuple = ()):
        self.cfg = cfg
        self.mode = mode
        self.known = mode != "preview"
        # existing mode: resources of these types change (a new image replaces the task definition), so their
        # computed outputs are unknown again, as in the engine's preview of an update.
        self.changing = frozenset(changing)
        self.region = cfg.values.get("aws:region", "us-east-1")
        self.lock = threading.Lock()
        self.resources: dict[str, ResourceRecord] = {}
        self.invokes: list[dict] = []
        self.stack_outputs: dict = {}
        self.seq = 0
        self.transforms: dict[str, list] = {}  # urn -> the Callback messages of its transforms
        self.stack_transforms: list = []

    # -- helpers -------------------------------------------------------------------------------
    def _next(self) -> int:
        self.seq += 1
        return self.seq

    def _provider_ref(self, typ: str, custom: bool, remote: bool, explicit: str, version: str) -> str:
        if explicit:
            return explicit
        if not (custom or remote) or typ.startswith("pulumi:providers:"):
            return ""
        pkg = package_of(typ)
        name = "default" + ("_" + version.replace(".", "_") if version else "")
        urn = make_urn(self.cfg.stack, self.cfg.project, "", f"pulumi:providers:{pkg}", name)
        if urn not in self.resources:
            inputs: dict[str, Any] = {k.split(":", 1)[1]: v for k, v in self.cfg.values.items()
                                      if k.startswith(pkg + ":")}
            for k in list(inputs):
                if f"{pkg}:{k}" in self.cfg.secret_keys:
                    inputs[k] = secret(inputs[k])
            if version:
                inputs["version"] = version
            pid = fakes.fake_uuid(urn) if self.known else UNKNOWN
            self.resources[urn] = ResourceRecord(
                urn=urn, type=f"pulumi:providers:{pkg}", name=name, custom=True, id=pid,
                inputs=inputs, outputs=dict(inputs), default_provider=True, seq=self._next())
        return f"{urn}::{self.resources[urn].id}"

    # -- the ResourceMonitor surface the SDK calls ---------------------------------------------
    def SupportsFeature(self, request):  # noqa: N802 (gRPC method names)
        has = request.id != "outputValues"
        return type("SupportsFeatureResponse", (object,), {"hasSupport": has})

    def GetDeploymentInfo(self, request):  # noqa: N802
        from pulumi.runtime.mocks import MockMonitor

        return MockMonitor.GetDeploymentInfo(self, request)

    def RegisterResource(self, request):  # noqa: N802
        from pulumi.runtime.proto import resource_pb2

        urn = make_urn(self.cfg.stack, self.cfg.project, request.parent, request.type, request.name)
        inputs, checked = _struct_to_wire(request.object), {}
        if request.custom:  # the provider's Check, approximated: autonames, defaults, validators
            inputs, checked = check.check_inputs(request.type, request.name, urn, inputs)
        source = ""
        if request.HasField("sourcePosition") and request.sourcePosition.uri:
            source = f"{request.sourcePosition.uri}:{request.sourcePosition.line}"
        with self.lock:
            provider = self._provider_ref(request.type, request.custom, request.remote,
                                          request.provider, request.version)
            rec = ResourceRecord(
                urn=urn, type=request.type, name=request.name, parent=request.parent,
                custom=request.custom, remote=request.remote, provider=provider, inputs=inputs,
                dependencies=sorted(set(request.dependencies)),
                property_dependencies={k: sorted(set(v.urns)) for k, v in request.propertyDependencies.items()},
                options=_options(request, self.cfg.stack, self.cfg.project), source=source, checked=checked,
                seq=self._next())
            if urn in self.resources and not self.resources[urn].default_provider:
                raise Exception(f"Duplicate resource URN '{urn}'; try giving it a unique name")
            self.resources[urn] = rec
            if request.transforms:
                self.transforms[urn] = list(request.transforms)
        if request.type == STACK_TYPE:
            return resource_pb2.RegisterResourceResponse(urn=urn)
        if not request.custom and not request.remote:
            # A local component: the engine returns no state; outputs come from register_outputs.
            return resource_pb2.RegisterResourceResponse(urn=urn, id="", object=struct_pb2.Struct())
        if request.type.startswith("pulumi:providers:"):
            rid, state = (fakes.fake_uuid(urn) if self.known else ""), dict(inputs)
        else:
            rid, state = fakes.outputs_for(request.type, inputs, request.name, urn, self.region,
                                           self.known and request.type not in self.changing,
                                           remote=request.remote)
        for key in request.additionalSecretOutputs:  # the engine marks these outputs secret
            if key in state and plain(state[key]) == state[key]:
                state[key] = secret(state[key])
        rec.id = rid if rid else UNKNOWN
        rec.outputs = state
        if request.remote and request.type == "awsx:ec2:Vpc":
            self._register_awsx_vpc_children(rec, request.version)
        return resource_pb2.RegisterResourceResponse(urn=urn, id=rid, object=_wire_to_struct(state))

    # -- the awsx Vpc's children ---------------------------------------------------------------------------
    def _transforms_for(self, parent_urn: str) -> list:
        """The transforms the engine runs on a child of ``parent_urn``: its ancestors' (nearest first), then the
        stack's."""
        found, urn = [], parent_urn
        while urn:
            found += self.transforms.get(urn, [])
            urn = self.resources[urn].parent if urn in self.resources else ""
        return found + self.stack_transforms

    def _run_transform(self, callback: Any, typ: str, name: str, parent: str, props: dict) -> dict:
        """Call one of the program's transforms (it lives in the SDK's callback server, in this process)."""
        import asyncio

        from pulumi.runtime._callbacks import _CallbackServicer
        from pulumi.runtime.proto import resource_pb2

        # The SDK's callback server has no public lookup by target: its private registry is the only way in.
        servicers = _CallbackServicer._servicers  # noqa: SLF001
        servicer = next((sv for sv in servicers if sv._target == callback.target), None)  # noqa: SLF001
        function = servicer._callbacks.get(callback.token) if servicer is not None else None  # noqa: SLF001
        if function is None:
            raise Exception(f"transform {callback.token} of the program is not registered")
        request = resource_pb2.TransformRequest(type=typ, name=name, custom=True, parent=parent,
                                                properties=_wire_to_struct(props))
        future = asyncio.run_coroutine_threadsafe(function(request.SerializeToString()),
                                                  servicer._loop)  # noqa: SLF001
        response = future.result(timeout=60)
        return _struct_to_wire(response.properties)

    def _register_awsx_vpc_children(self, component: ResourceRecord, version: str) -> None:
        args = {k: plain(v) for k, v in component.inputs.items()}
        if UNKNOWN in json.dumps(args):
            raise Exception(f"awsx Vpc {component.name!r}: arguments unknown at preview cannot be laid out offline")
        azs = args.get("availabilityZoneNames")
        if not azs:
            count = int(args.get("numberOfAvailabilityZones") or 3)
            names = fakes.invoke("aws:index/getAvailabilityZones:getAvailabilityZones", {}, self.region)["names"]
            if len(names) < count:
                raise Exception(f"The configured region for this provider does not have at least {count} "
                                "Availability Zones.")
            azs = names[:count]
        try:
            children = awsx_vpc.layout(component.name, args, list(azs))
        except awsx_vpc.UnsupportedVpcArgs as exc:
            raise Exception(f"awsx Vpc {component.name!r}: {exc}") from None
        transforms = self._transforms_for(component.urn)
        by_key: dict[str, ResourceRecord] = {"": component}
        for child in children:
            parent = by_key[child.parent]
            urn = make_urn(self.cfg.stack, self.cfg.project, parent.urn, child.type, child.name)
            inputs = dict(child.inputs)
            prop_deps: dict[str, list] = {}
            for prop, (key, output) in child.refs.items():
                source = by_key[key]
                value = source.id if output == "id" else source.outputs.get(output, UNKNOWN)
                inputs[prop] = value if value not in ("", None) else UNKNOWN
                prop_deps[prop] = [source.urn]
            for callback in transforms:
                inputs = self._run_transform(callback, child.type, child.name, parent.urn, inputs)
            deps = sorted({by_key[k].urn for k in child.depends_on} | {u for us in prop_deps.values() for u in us})
            with self.lock:
                # For real the children use the default provider of the @pulumi/aws awsx bundles; offline, the one
                # of the program's pulumi_aws (the same package, possibly another version).
                provider = self._provider_ref(child.type, True, False, "", _package_version("pulumi_aws"))
                rec = ResourceRecord(urn=urn, type=child.type, name=child.name, parent=parent.urn, custom=True,
                                     provider=provider, inputs=inputs, dependencies=deps,
                                     property_dependencies=prop_deps, seq=self._next(),
                                     source=component.source, generated_by=component.urn)
                if urn in self.resources:
                    raise Exception(f"Duplicate resource URN '{urn}'; try giving it a unique name")
                self.resources[urn] = rec
            rid, state = fakes.outputs_for(child.type, inputs, child.name, urn, self.region,
                                           self.known and child.type not in self.changing)
            rec.id = rid if rid else UNKNOWN
            rec.outputs = state
            by_key[child.key] = rec

    def RegisterResourceOutputs(self, request):  # noqa: N802
        from google.protobuf import empty_pb2

        outputs = _struct_to_wire(request.outputs)
        with self.lock:
            rec = self.resources.get(request.urn)
            if rec is not None and not rec.custom:
                rec.outputs = outputs
            if request.urn.split("::")[2] == STACK_TYPE:
                self.stack_outputs = outputs
        return empty_pb2.Empty()

    def ReadResource(self, request):  # noqa: N802
        from pulumi.runtime.proto import resource_pb2

        urn = make_urn(self.cfg.stack, self.cfg.project, request.parent, request.type, request.name)
        inputs = _struct_to_wire(request.properties)
        _, state = fakes.outputs_for(request.type, inputs, request.name, urn, self.region, True)
        with self.lock:
            self.resources[urn] = ResourceRecord(
                urn=urn, type=request.type, name=request.name, parent=request.parent, custom=True,
                provider=self._provider_ref(request.type, True, False, request.provider, request.version),
                id=request.id, inputs=inputs, outputs=state, read=True, seq=self._next())
        return resource_pb2.ReadResourceResponse(urn=urn, properties=_wire_to_struct(state))

    def Invoke(self, request):  # noqa: N802
        from pulumi.runtime.proto import resource_pb2

        args = _struct_to_wire(request.args)
        if request.tok == "pulumi:pulumi:getResource":
            rec = self.resources.get(args.get("urn", ""))
            if rec is None:
                raise Exception(f"unknown resource {args.get('urn')}")
            ret = {"urn": rec.urn, "id": rec.id, "state": rec.outputs}
        else:
            ret = fakes.invoke(request.tok, args, self.region)
        with self.lock:
            self.invokes.append({"token": request.tok, "args": args})
        return resource_pb2.ResourceInvokeResponse(**{"return": _wire_to_struct(ret)})

    def Call(self, request):  # noqa: N802
        raise Exception(f"the offline engine cannot run method call {request.tok!r}")

    def RegisterStackTransform(self, request):  # noqa: N802
        from google.protobuf import empty_pb2

        with self.lock:
            self.stack_transforms.append(request)
        return empty_pb2.Empty()

    def RegisterStackInvokeTransform(self, request):  # noqa: N802
        from google.protobuf import empty_pb2

        return empty_pb2.Empty()

    def RegisterResourceHook(self, request):  # noqa: N802
        from google.protobuf import empty_pb2

        return empty_pb2.Empty()

    def RegisterErrorHook(self, request):  # noqa: N802
        from google.protobuf import empty_pb2

        return empty_pb2.Empty()

    def RegisterPackage(self, request):  # noqa: N802
        from pulumi.runtime.proto import resource_pb2

        return resource_pb2.RegisterPackageResponse(ref=f"offline-{request.name}-{request.version}")

    def SignalAndWaitForShutdown(self, request):  # noqa: N802
        from google.protobuf import empty_pb2

        return empty_pb2.Empty()


class RecordingEngine:
    """The engine's Log endpoint: keeps the program's diagnostics for the report."""

    def __init__(self):
        self.messages: list[dict] = []

    def Log(self, request):  # noqa: N802
        from pulumi.runtime.proto import engine_pb2

        level = {engine_pb2.DEBUG: "debug", engine_pb2.INFO: "info", engine_pb2.WARNING: "warning",
                 engine_pb2.ERROR: "error"}.get(request.severity, "info")
        if level != "debug":
            self.messages.append({"severity": level, "message": request.message, "urn": request.urn})


@dataclass
class RunResult:
    project: str
    stack: str
    mode: str
    program: str
    stack_file: str
    resources: list
    stack_outputs: dict
    invokes: list
    diagnostics: list
    config_keys: dict
    config_values: dict  # non-secret values only: decrypted secrets never leave the engine process
    secret_keys: list
    undecrypted_secret_keys: list
    error: Optional[str] = None
    seconds: float = 0.0
    changing: list = field(default_factory=list)


def run_program(program_dir: str | Path, stack: str, mode: str = "preview",
                passphrase: Optional[str] = None, changing: tuple = ()) -> RunResult:
    """Run ``__main__.py`` of ``program_dir`` for ``stack`` in this process. Call once per process."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    started = time.perf_counter()
    cfg = load_stack_config(program_dir, stack, passphrase)
    values, examples = with_examples(cfg.project, cfg.stack, cfg.values)
    cfg = replace(cfg, values=values, origin={**cfg.origin, **{k: EXAMPLE_ORIGIN for k in examples}})

    import pulumi  # noqa: F401
    from pulumi.runtime import config as pconfig
    from pulumi.runtime import settings as psettings
    from pulumi.runtime.mocks import MockSettings
    from pulumi.runtime.stack import run_in_stack
    from pulumi.runtime.sync_await import _sync_await
    from google.protobuf import empty_pb2

    monitor = RecordingMonitor(cfg, mode, changing)
    engine = RecordingEngine()
    settings = MockSettings(
        monitor=monitor,
        monitor_features=set(monitor.GetDeploymentInfo(empty_pb2.Empty()).supportedFeatures),
        engine=engine,
        project=cfg.project,
        stack=cfg.stack,
        dry_run=mode != "update",
        organization="organization",
        callbacks=None,
        root_directory=str(cfg.program_dir),
    )
    psettings.configure(settings)
    pconfig.set_all_config(dict(cfg.values), list(cfg.secret_keys))

    old_cwd, old_path = os.getcwd(), list(sys.path)
    os.chdir(cfg.main.parent)
    sys.path.insert(0, str(cfg.main.parent))
    error = None
    try:
        _sync_await(run_in_stack(lambda: runpy.run_path(str(cfg.main), run_name="__main__")))
    except BaseException as exc:  # noqa: BLE001 (reported, and the CLI exits non-zero)
        error = _describe_error(exc)
    finally:
        os.chdir(old_cwd)
        sys.path[:] = old_path
    for msg in engine.messages:
        if msg["severity"] == "error" and error is None:
            error = msg["message"]
    return RunResult(
        project=cfg.project, stack=cfg.stack, mode=mode, program=str(cfg.main),
        stack_file=str(cfg.stack_file),
        # Shallow: the fields are already JSON values, and asdict's deep copy of every input cost 0.1 s a stack.
        resources=[dict(vars(r)) for r in sorted(monitor.resources.values(), key=lambda r: r.seq)],
        stack_outputs=monitor.stack_outputs, invokes=monitor.invokes, diagnostics=engine.messages,
        config_keys={k: cfg.origin.get(k, "") for k in sorted(cfg.values)},
        config_values={k: v for k, v in sorted(cfg.values.items()) if k not in cfg.secret_keys},
        secret_keys=list(cfg.secret_keys), undecrypted_secret_keys=list(cfg.undecrypted),
        error=error, seconds=round(time.perf_counter() - started, 3), changing=sorted(changing))


def _describe_error(exc: BaseException) -> str:
    if isinstance(exc, check.CheckFailed):  # the engine's own message: a provider rejected inputs, not a bug
        return str(exc)
    tb = traceback.extract_tb(exc.__traceback__)
    where = ""
    for frame in reversed(tb):
        if "site-packages" not in frame.filename and "/offline/" not in frame.filename:
            where = f" ({frame.filename}:{frame.lineno})"
            break
    return f"{type(exc).__name__}: {exc}{where}"


_AWS_MODULE_RE = re.compile(r"\b(?:aws|pulumi_aws)\.([a-z][a-z0-9_]*)\.")


def aws_modules_used(program_dir: Path) -> list[str]:
    """The ``pulumi_aws`` submodules the program's own sources mention (``aws.ec2.Vpc`` -> ``ec2``).

    Only a speed hint for :func:`preload`; a module missed here is simply imported later. The walk never enters
    hidden directories, virtualenvs (a ``pyvenv.cfg``), ``node_modules`` or the tests and the policy pack: a
    project's virtualenv alone holds tens of thousands of files.
    """
    found: set[str] = set()
    for top, dirs, files in os.walk(program_dir):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in _NOT_PROGRAM
                   and not os.path.exists(os.path.join(top, d, "pyvenv.cfg"))]
        for name in files:
            if name.endswith(".py"):
                try:
                    with open(os.path.join(top, name), encoding="utf-8", errors="ignore") as src:
                        found.update(_AWS_MODULE_RE.findall(src.read()))
                except OSError:
                    continue
    return sorted(found)


_NOT_PROGRAM = frozenset(("tests", "venv", "node_modules", "policies", "__pycache__"))


def preload(program_dir: Optional[Path] = None) -> None:
    """Import the SDKs once (``pulumi_aws`` loads its modules lazily, on first attribute access)."""
    import pulumi
    import pulumi.runtime.mocks
    import pulumi.runtime.stack  # noqa: F401

    try:
        import pulumi_aws
    except ImportError:
        return
    for mod in aws_modules_used(program_dir) if program_dir else ():
        try:
            # pulumi_aws's submodules are lazy: any non-introspection attribute loads the whole module.
            getattr(getattr(pulumi_aws, mod), "_utilities", None)
        except Exception:  # noqa: BLE001 (a module missed here only costs time later)
            pass
    for name in ("pulumi_awsx", "pulumi_docker"):
        try:
            module = __import__(name)
            for attr in dir(module):
                if not attr.startswith("_"):
                    getattr(module, attr)
        except Exception:  # noqa: BLE001
            pass


def _run_to_file(program: str, stack: str, mode: str, passphrase: Optional[str], target: Path,
                 changing: tuple = ()) -> None:
    try:
        data = dict(vars(run_program(program, stack, mode, passphrase, changing)))
    except Exception as exc:  # noqa: BLE001 (config errors are program errors for the report)
        data = {"stack": stack, "mode": mode, "error": f"{type(exc).__name__}: {exc}", "resources": []}
    target.write_text(json.dumps(data, default=str))


def run_stacks(program: str, stacks: list[str], mode: str, passphrase: Optional[str], work_dir: Path,
               changing: tuple = ()) -> dict:
    """Run several stacks in parallel: preload the SDKs once, then fork one child per stack.

    Each child is a fresh Pulumi runtime (the fork happens before any runtime state exists) and
    writes its recording to ``work_dir/<stack>.json``. Returns ``{stack: recording}``.
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    if len(stacks) == 1 or not hasattr(os, "fork"):
        results = {}
        for st in stacks:
            _run_to_file(program, st, mode, passphrase, work_dir / f"{st}.json", changing)
            results[st] = json.loads((work_dir / f"{st}.json").read_text())
        return results
    preload(Path(program))
    gc.freeze()  # the preloaded modules are never collected: keep the children from scanning them
    pids = {}
    for st in stacks:
        target = work_dir / f"{st}.json"
        target.unlink(missing_ok=True)
        pid = os.fork()
        if pid == 0:  # child: short-lived, so the cycle collector would only cost time
            gc.disable()
            code = 0
            try:
                _run_to_file(program, st, mode, passphrase, target, changing)
            except BaseException:  # noqa: BLE001
                code = 1
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        pids[pid] = st
    results = {}
    for pid, st in pids.items():
        os.waitpid(pid, 0)
        target = work_dir / f"{st}.json"
        if target.exists():
            results[st] = json.loads(target.read_text())
        else:
            results[st] = {"stack": st, "mode": mode, "error": "the engine process died", "resources": []}
    return results


def main(argv: Optional[list[str]] = None) -> int:
    p = argparse.ArgumentParser(description="Run stacks' programs offline; write each recording as JSON.")
    p.add_argument("--program", default=".")
    p.add_argument("--stack", action="append", required=True)
    p.add_argument("--mode", choices=MODES, default="preview")
    p.add_argument("--work-dir", required=True, help="writes <stack>.json here")
    p.add_argument("--changing", action="append", default=[], help="existing mode: a resource type that changes")
    args = p.parse_args(argv)
    gc.disable()  # a short-lived process that allocates heavily while importing the SDKs
    run_stacks(args.program, args.stack, args.mode, os.environ.get("PULUMI_CONFIG_PASSPHRASE") or None,
               Path(args.work_dir), tuple(args.changing))
    return 0


if __name__ == "__main__":
    sys.exit(main())
