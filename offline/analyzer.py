"""Run a Pulumi policy pack exactly as the Pulumi CLI does, and talk to it over the Analyzer gRPC protocol.

The CLI starts a Python pack as ``python -u -m pulumi.policy <engine-address> <pack directory>`` with the pack
directory as working directory; the pack prints the port of its Analyzer server on the first stdout line. This
module does the same, then calls the Analyzer service with the stubs in :mod:`pulumi.runtime.proto`. Which
interpreter and environment (the pack's virtualenv, ``PULUMI_*``) is :mod:`offline.packlaunch`'s business.

Two layers, both on :class:`PolicyPackProcess`:

* the wire layer, what an engine does: ``info()``, ``configure(config)``, ``configure_stack(request)``,
  ``analyze(AnalyzeRequest)`` and ``analyze_stack(AnalyzeStackRequest)``, returning the protobuf responses
  unchanged;
* a typed layer for tests and tools: ``pack_info()``, ``analyze_resource(...)`` and
  ``analyze_resources([...])``, returning plain dataclasses (:class:`PackInfo`, :class:`Analysis`,
  :class:`Violation`).

Values are sent as the engine sends them: camelCase property names in a ``google.protobuf.Struct`` (so every
number is a float), the unknown sentinel for values not known during preview (:func:`unknown`), and the secret
wrapper; both come from :mod:`offline.wire`, which is where callers import them from too.

About the engine address: ``pulumi.policy`` (pulumi 3.x, pulumi-policy 1.x) parses the argument but never
connects to it; logs go to stderr unless the ``PULUMI_*`` runtime variables are set. The harness still passes
the address of a small in-process Engine service (:class:`EngineLog`) so that any ``pulumi.log`` call that
does reach an engine is recorded instead of failing.

Example::

    from offline.analyzer import PolicyPackProcess

    with PolicyPackProcess("policies") as pack:
        pack.configure({"all": "advisory"})
        result = pack.analyze_resource("aws:rds/instance:Instance", "db", {"publiclyAccessible": True})
        for v in result.violations:
            print(v.policy_name, v.enforcement_level, v.message)
"""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
from concurrent import futures
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc, engine_pb2_grpc, plugin_pb2

from .wire import UNKNOWN, make_urn

__all__ = [
    "unknown", "to_struct",
    "Violation", "NotApplicable", "Analysis", "PolicyMeta", "PackInfo",
    "ResourceOptions", "Provider", "StackResource",
    "reconcile_config", "ConfigError", "PackStartError", "PolicyPackProcess", "EngineLog",
    "analyze_request", "stack_request", "stack_configure_request", "parse_response", "LEVELS", "SEVERITIES", "PREVIEW_SKIP",
]

LEVELS = {analyzer_pb2.ADVISORY: "advisory", analyzer_pb2.MANDATORY: "mandatory",
          analyzer_pb2.DISABLED: "disabled", analyzer_pb2.REMEDIATE: "remediate"}
_LEVEL_VALUES = {v: k for k, v in LEVELS.items()}
SEVERITIES = {analyzer_pb2.POLICY_SEVERITY_UNSPECIFIED: "", analyzer_pb2.POLICY_SEVERITY_LOW: "low",
              analyzer_pb2.POLICY_SEVERITY_MEDIUM: "medium", analyzer_pb2.POLICY_SEVERITY_HIGH: "high",
              analyzer_pb2.POLICY_SEVERITY_CRITICAL: "critical"}
#: The message pulumi-policy reports when a rule touched an unknown value during preview.
PREVIEW_SKIP = re.compile(r"^can't run policy '([^']+)' from policy pack '([^']+)' during preview: (.*)$", re.S)


def unknown() -> str:
    """The preview unknown sentinel, to put anywhere in props."""
    return UNKNOWN


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    raise TypeError(f"cannot send a {type(value).__name__} in a protobuf Struct")


def to_struct(props: Optional[Mapping[str, Any]]) -> struct_pb2.Struct:
    """A ``google.protobuf.Struct`` of ``props`` (numbers become floats, as on the wire)."""
    struct = struct_pb2.Struct()
    if props:
        struct.update(_jsonable(props))
    return struct


def _top_level_urn(type_: str, name: str) -> str:
    """The URN a request gets when the caller gives none: a top-level resource of stack ``dev``, project ``app``."""
    return make_urn("dev", "app", "", type_, name)


# ------------------------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class Violation:
    """One diagnostic from the pack."""

    policy_name: str
    message: str
    urn: str
    enforcement_level: str  # "advisory" | "mandatory" | "disabled" | "remediate"
    severity: str = ""
    description: str = ""

    @property
    def preview_skip(self) -> bool:
        """True for the SDK's advisory "can't run policy ... during preview" message (an unknown value)."""
        return bool(PREVIEW_SKIP.match(self.message))


@dataclass(frozen=True)
class NotApplicable:
    policy_name: str
    reason: str


@dataclass(frozen=True)
class Analysis:
    """What one Analyze or AnalyzeStack call returned."""

    diagnostics: Tuple[Violation, ...]
    not_applicable: Tuple[NotApplicable, ...] = ()

    @property
    def violations(self) -> Tuple[Violation, ...]:
        """Real findings: the diagnostics that are not preview skips."""
        return tuple(d for d in self.diagnostics if not d.preview_skip)

    @property
    def skipped(self) -> Tuple[Violation, ...]:
        """Preview skips: rules that touched an unknown value."""
        return tuple(d for d in self.diagnostics if d.preview_skip)

    def names(self) -> List[str]:
        """Sorted policy names of the violations (one entry per violation)."""
        return sorted(v.policy_name for v in self.violations)

    def mandatory(self) -> Tuple[Violation, ...]:
        return tuple(v for v in self.violations if v.enforcement_level == "mandatory")


@dataclass(frozen=True)
class PolicyMeta:
    name: str
    description: str
    enforcement_level: str
    severity: str
    policy_type: str  # "resource" | "stack"
    tags: Tuple[str, ...]
    url: str
    remediation_steps: str
    config_schema: Mapping[str, Any]
    required: Tuple[str, ...] = ()
    display_name: str = ""


@dataclass(frozen=True)
class PackInfo:
    name: str
    version: str
    description: str
    supports_config: bool
    policies: Tuple[PolicyMeta, ...]

    def policy(self, name: str) -> PolicyMeta:
        for p in self.policies:
            if p.name == name:
                return p
        raise KeyError(name)


def _pack_info(info: analyzer_pb2.AnalyzerInfo) -> PackInfo:
    policies = []
    for p in info.policies:
        policies.append(PolicyMeta(
            name=p.name, description=p.description, enforcement_level=LEVELS.get(p.enforcementLevel, ""),
            severity=SEVERITIES.get(p.severity, ""),
            policy_type="stack" if p.policy_type == analyzer_pb2.POLICY_TYPE_STACK else "resource",
            tags=tuple(p.tags), url=p.url, remediation_steps=p.remediation_steps,
            config_schema=json_format.MessageToDict(p.configSchema.properties),
            required=tuple(p.configSchema.required), display_name=p.displayName))
    return PackInfo(info.name, info.version, info.description, info.supportsConfig, tuple(policies))


def parse_response(response: analyzer_pb2.AnalyzeResponse, default_urn: str = "") -> Analysis:
    """An :class:`Analysis` of a raw AnalyzeResponse; diagnostics without a URN get ``default_urn``."""
    diags = tuple(Violation(d.policyName, d.message, d.urn or default_urn, LEVELS.get(d.enforcementLevel, ""),
                            SEVERITIES.get(d.severity, ""), d.description) for d in response.diagnostics)
    return Analysis(diags, tuple(NotApplicable(n.policy_name, n.reason) for n in response.not_applicable))


# ------------------------------------------------------------------------------------------------------------
# Requests


@dataclass(frozen=True)
class ResourceOptions:
    protect: bool = False
    ignore_changes: Tuple[str, ...] = ()
    delete_before_replace: Optional[bool] = None
    aliases: Tuple[str, ...] = ()
    additional_secret_outputs: Tuple[str, ...] = ()
    parent: str = ""
    custom_timeouts: Mapping[str, float] = field(default_factory=dict)  # seconds per operation (create, ...)

    def to_proto(self) -> analyzer_pb2.AnalyzerResourceOptions:
        timeouts = analyzer_pb2.AnalyzerResourceOptions.CustomTimeouts(**self.custom_timeouts)
        return analyzer_pb2.AnalyzerResourceOptions(
            protect=self.protect, ignoreChanges=list(self.ignore_changes),
            deleteBeforeReplace=bool(self.delete_before_replace),
            deleteBeforeReplaceDefined=self.delete_before_replace is not None,
            aliases=list(self.aliases), additionalSecretOutputs=list(self.additional_secret_outputs),
            parent=self.parent, customTimeouts=timeouts if self.custom_timeouts else None)


@dataclass(frozen=True)
class Provider:
    type: str
    name: str
    urn: str
    props: Mapping[str, Any] = field(default_factory=dict)

    def to_proto(self) -> analyzer_pb2.AnalyzerProviderResource:
        return analyzer_pb2.AnalyzerProviderResource(type=self.type, name=self.name, urn=self.urn,
                                                     properties=to_struct(self.props))


@dataclass(frozen=True)
class StackResource:
    """A resource as AnalyzeStack sees it (``props`` are its outputs)."""

    type: str
    name: str
    props: Mapping[str, Any] = field(default_factory=dict)
    urn: Optional[str] = None
    parent: Optional[str] = None
    dependencies: Tuple[str, ...] = ()
    property_dependencies: Mapping[str, Sequence[str]] = field(default_factory=dict)
    options: Optional[ResourceOptions] = None
    provider: Optional[Provider] = None

    @property
    def resolved_urn(self) -> str:
        return self.urn or _top_level_urn(self.type, self.name)


def analyze_request(type_: str, name: str, props: Optional[Mapping[str, Any]] = None, *,
                    urn: Optional[str] = None, options: Optional[ResourceOptions] = None,
                    provider: Optional[Provider] = None) -> analyzer_pb2.AnalyzeRequest:
    """An AnalyzeRequest for one resource's inputs."""
    kwargs: Dict[str, Any] = dict(type=type_, name=name, urn=urn or _top_level_urn(type_, name),
                                  properties=to_struct(props), options=(options or ResourceOptions()).to_proto())
    if provider is not None:
        kwargs["provider"] = provider.to_proto()
    return analyzer_pb2.AnalyzeRequest(**kwargs)


def stack_configure_request(stack: str, project: str, *, organization: str = "organization", dry_run: bool = True,
                            config: Optional[Mapping[str, str]] = None, secret_keys: Sequence[str] = (),
                            tags: Optional[Mapping[str, str]] = None) -> analyzer_pb2.AnalyzerStackConfigureRequest:
    """An AnalyzerStackConfigureRequest as the CLI sends it before analysing (config values decrypted)."""
    return analyzer_pb2.AnalyzerStackConfigureRequest(
        stack=stack, project=project, organization=organization, dry_run=dry_run, config=dict(config or {}),
        config_secret_keys=list(secret_keys), tags=dict(tags or {}))


def stack_request(resources: Sequence[StackResource]) -> analyzer_pb2.AnalyzeStackRequest:
    """An AnalyzeStackRequest for resources with outputs, parents and dependencies."""
    out = []
    for r in resources:
        opts = r.options or ResourceOptions(parent=r.parent or "")
        kwargs: Dict[str, Any] = dict(
            type=r.type, name=r.name, urn=r.resolved_urn, properties=to_struct(r.props), options=opts.to_proto(),
            parent=r.parent or "", dependencies=list(r.dependencies),
            propertyDependencies={k: analyzer_pb2.AnalyzerPropertyDependencies(urns=list(v))
                                  for k, v in r.property_dependencies.items()})
        if r.provider is not None:
            kwargs["provider"] = r.provider.to_proto()
        out.append(analyzer_pb2.AnalyzerResource(**kwargs))
    return analyzer_pb2.AnalyzeStackRequest(resources=out)


# ------------------------------------------------------------------------------------------------------------
# Pack config, reconciled as the engine does before it calls Configure.


class ConfigError(ValueError):
    """The pack config names an unknown policy, an unknown level, or does not match a policy's schema."""


def reconcile_config(info: Union[PackInfo, analyzer_pb2.AnalyzerInfo],
                     config: Optional[Mapping[str, Any]]) -> Dict[str, Tuple[str, Dict[str, Any]]]:
    """``{policy: (level, properties)}`` for every policy, from a ``--policy-pack-config`` style mapping.

    ``config`` looks like ``{"all": "advisory", "<policy>": "mandatory" | {"enforcementLevel": ..., <props>}}``.
    The level of a policy is its own entry, else ``all``, else the policy's default. Properties get the schema
    defaults, then the given values, and are validated against the schema (with ``jsonschema``). Unlike the
    engine, properties the schema does not declare are rejected too, so that a misspelt key fails loudly.
    """
    if not isinstance(info, PackInfo):
        info = _pack_info(info)
    config = dict(config or {})
    names = {p.name for p in info.policies}
    problems = [f"unknown policy {k!r}" for k in config if k != "all" and k not in names]
    all_level = config.get("all")
    if isinstance(all_level, Mapping):
        all_level = all_level.get("enforcementLevel")
    result: Dict[str, Tuple[str, Dict[str, Any]]] = {}
    for p in info.policies:
        entry = config.get(p.name)
        level = all_level or p.enforcement_level
        props: Dict[str, Any] = {k: v["default"] for k, v in p.config_schema.items()
                                 if isinstance(v, Mapping) and "default" in v}
        if isinstance(entry, str):
            level = entry
        elif isinstance(entry, Mapping):
            level = entry.get("enforcementLevel", level)
            props.update({k: v for k, v in entry.items() if k != "enforcementLevel"})
        elif entry is not None:
            problems.append(f"{p.name}: expected a level or an object, got {entry!r}")
        if level not in _LEVEL_VALUES:
            problems.append(f"{p.name}: unknown enforcement level {level!r}")
        problems += _schema_problems(p, props)
        result[p.name] = (level, props)
    if problems:
        raise ConfigError("invalid policy pack config:\n  " + "\n  ".join(problems))
    return result


def _schema_problems(policy: PolicyMeta, props: Mapping[str, Any]) -> List[str]:
    try:
        import jsonschema
    except ImportError:  # pragma: no cover - validation is best effort without jsonschema
        return []
    schema = {"type": "object", "properties": dict(policy.config_schema), "required": list(policy.required),
              "additionalProperties": False}
    validator = jsonschema.Draft7Validator(schema)
    return [f"{policy.name}: {'/'.join(str(x) for x in e.absolute_path) or '(root)'}: {e.message}"
            for e in validator.iter_errors(dict(props))]


# ------------------------------------------------------------------------------------------------------------
# The process


class PackStartError(RuntimeError):
    """The pack did not print its port in time, or exited; the message holds its stderr."""


class EngineLog(engine_pb2_grpc.EngineServicer):
    """A minimal Engine service that records ``Log`` calls (severity, message, urn)."""

    def __init__(self) -> None:
        self.messages: List[Tuple[int, str, str]] = []
        self._root = ""

    def Log(self, request, context):  # noqa: N802 - gRPC method name
        self.messages.append((request.severity, request.message, request.urn))
        return empty_pb2.Empty()

    def GetRootResource(self, request, context):  # noqa: N802
        from pulumi.runtime.proto import engine_pb2
        return engine_pb2.GetRootResourceResponse(urn=self._root)

    def SetRootResource(self, request, context):  # noqa: N802
        from pulumi.runtime.proto import engine_pb2
        self._root = request.urn
        return engine_pb2.SetRootResourceResponse()


class PolicyPackProcess:
    """A policy pack subprocess started as the CLI starts it, with typed Analyzer calls.

    Use as a context manager (or call :meth:`start` / :meth:`close`). One process serves any number of calls;
    :meth:`configure` may be called again to change the config.

    :param pack_dir: the pack directory (holding ``PulumiPolicy.yaml`` and ``__main__.py``).
    :param python: interpreter to run; default the current one (:mod:`offline.packlaunch` gives the pack's own).
    :param env: extra environment variables for the pack process.
    :param inherit_env: start from this process's environment (else ``env`` is the whole environment).
    :param start_timeout: seconds to wait for the port line.
    :param call_timeout: seconds per gRPC call.
    """

    def __init__(self, pack_dir: Union[str, Path], *, python: Optional[str] = None,
                 env: Optional[Mapping[str, str]] = None, inherit_env: bool = True, start_timeout: float = 60.0,
                 call_timeout: float = 60.0) -> None:
        self.pack_dir = Path(pack_dir).resolve()
        self.python = python or sys.executable
        self.extra_env = dict(env or {})
        self.inherit_env = inherit_env
        self.start_timeout = start_timeout
        self.call_timeout = call_timeout
        self.engine = EngineLog()
        self.port: Optional[int] = None
        self._proc: Optional[subprocess.Popen] = None
        self._channel: Optional[grpc.Channel] = None
        self._stub: Optional[analyzer_pb2_grpc.AnalyzerStub] = None
        self._engine_server: Optional[grpc.Server] = None
        self._stderr: List[str] = []
        self._stderr_thread: Optional[threading.Thread] = None
        self._info: Optional[analyzer_pb2.AnalyzerInfo] = None

    # -- lifecycle -------------------------------------------------------------------------------------------

    def __enter__(self) -> "PolicyPackProcess":
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @property
    def pid(self) -> Optional[int]:
        """The pack process's id, once started."""
        return self._proc.pid if self._proc is not None else None

    @property
    def stderr(self) -> str:
        """Everything the pack wrote to stderr so far."""
        return "".join(self._stderr)

    def start(self) -> None:
        if self._proc is not None:
            return
        self._engine_server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        engine_pb2_grpc.add_EngineServicer_to_server(self.engine, self._engine_server)
        engine_port = self._engine_server.add_insecure_port("127.0.0.1:0")
        self._engine_server.start()
        env = dict(os.environ) if self.inherit_env else {}
        env.update(self.extra_env)
        cmd = [self.python, "-u", "-m", "pulumi.policy", f"127.0.0.1:{engine_port}", str(self.pack_dir)]
        self._proc = subprocess.Popen(cmd, cwd=self.pack_dir, env=env, stdin=subprocess.DEVNULL,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        lines: "queue.Queue[Optional[str]]" = queue.Queue()
        threading.Thread(target=self._pump, args=(self._proc.stdout, lines), daemon=True).start()
        self._stderr_thread = threading.Thread(target=self._drain_stderr, daemon=True)
        self._stderr_thread.start()
        try:
            first = lines.get(timeout=self.start_timeout)
        except queue.Empty:
            self.close()
            raise PackStartError(f"policy pack printed no port within {self.start_timeout}s\n{self.stderr}") from None
        if not first or not first.strip().isdigit():
            if first is None:  # the pack exited: wait for it and for the rest of its stderr
                self._proc.wait(timeout=5)
                self._stderr_thread.join(timeout=5)
            stderr = self.stderr
            self.close()
            raise PackStartError(f"policy pack did not start (first stdout line {first!r})\n{stderr}")
        self.port = int(first.strip())
        self._channel = grpc.insecure_channel(f"127.0.0.1:{self.port}")
        grpc.channel_ready_future(self._channel).result(timeout=self.start_timeout)
        self._stub = analyzer_pb2_grpc.AnalyzerStub(self._channel)

    @staticmethod
    def _pump(stream: Any, out: "queue.Queue[Optional[str]]") -> None:
        for line in stream:
            out.put(line)
        out.put(None)

    def _drain_stderr(self) -> None:
        assert self._proc is not None and self._proc.stderr is not None
        for line in self._proc.stderr:
            self._stderr.append(line)

    def close(self) -> None:
        """Close the channel and stop the pack process (terminate, then kill after 5 s)."""
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.terminate()
                try:
                    self._proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self._proc.kill()
                    self._proc.wait(timeout=5)
            self._proc = None
        if self._engine_server is not None:
            self._engine_server.stop(0)
            self._engine_server = None

    def _call(self, method: str, request: Any) -> Any:
        if self._stub is None:
            raise RuntimeError("the policy pack is not started")
        try:
            return getattr(self._stub, method)(request, timeout=self.call_timeout)
        except grpc.RpcError as exc:
            raise RuntimeError(f"{method} failed: {exc}\n--- pack stderr ---\n{self.stderr}") from exc

    # -- wire layer (what the engine does) -------------------------------------------------------------------

    def plugin_info(self) -> plugin_pb2.PluginInfo:
        return self._call("GetPluginInfo", empty_pb2.Empty())

    def info(self) -> analyzer_pb2.AnalyzerInfo:
        """GetAnalyzerInfo, raw (cached)."""
        if self._info is None:
            self._info = self._call("GetAnalyzerInfo", empty_pb2.Empty())
        return self._info

    def configure(self, config: Optional[Mapping[str, Any]] = None) -> Dict[str, Tuple[str, Dict[str, Any]]]:
        """Reconciles ``config`` (see :func:`reconcile_config`) and sends Configure for every policy.

        Returns the effective ``{policy: (level, properties)}``.
        """
        effective = reconcile_config(self.info(), config)
        request = analyzer_pb2.ConfigureAnalyzerRequest(policyConfig={
            name: analyzer_pb2.PolicyConfig(enforcementLevel=_LEVEL_VALUES[level], properties=to_struct(props))
            for name, (level, props) in effective.items()})
        self._call("Configure", request)
        return effective

    def configure_stack(self, request: analyzer_pb2.AnalyzerStackConfigureRequest
                         ) -> analyzer_pb2.AnalyzerStackConfigureResponse:
        """``configure_stack(request)``: ConfigureStack with the stack, project, dry-run flag, config and stack
        tags (see :func:`stack_configure_request`). pulumi-policy keeps the tags as ``args.stack_tags``."""
        return self._call("ConfigureStack", request)

    def analyze(self, request: analyzer_pb2.AnalyzeRequest) -> analyzer_pb2.AnalyzeResponse:
        return self._call("Analyze", request)

    def remediate(self, request: analyzer_pb2.AnalyzeRequest) -> analyzer_pb2.RemediateResponse:
        """Remediate: the policies at level "remediate" return the resource's fixed properties."""
        return self._call("Remediate", request)

    def analyze_stack(self, request: analyzer_pb2.AnalyzeStackRequest) -> analyzer_pb2.AnalyzeResponse:
        return self._call("AnalyzeStack", request)

    # -- typed layer -----------------------------------------------------------------------------------------

    def pack_info(self) -> PackInfo:
        return _pack_info(self.info())

    def analyze_resource(self, type_: str, name: str, props: Optional[Mapping[str, Any]] = None, *,
                         urn: Optional[str] = None, options: Optional[ResourceOptions] = None,
                         provider: Optional[Provider] = None) -> Analysis:
        """Analyze one resource's inputs (camelCase engine names)."""
        request = analyze_request(type_, name, props, urn=urn, options=options, provider=provider)
        return parse_response(self.analyze(request), request.urn)

    def analyze_resources(self, resources: Sequence[StackResource]) -> Analysis:
        """AnalyzeStack over resources with their outputs, parents and dependencies."""
        return parse_response(self.analyze_stack(stack_request(resources)))
