"""Strict Pulumi mocks for the webservice program: record every registration, answer known invokes only."""

from __future__ import annotations

import asyncio
import contextvars
import os
import runpy
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Optional

import pulumi
from google.protobuf import json_format
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

from offline import fakes, stackconfig
from offline.examples import with_examples
from offline.wire import is_secret, plain

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "webservice"
REGION = "us-east-1"
#: The registry password the fake cloud hands out (a secret on the wire).
ECR_PASSWORD = plain(fakes.invoke("aws:ecr/getAuthorizationToken:getAuthorizationToken", {}, REGION)["password"])


UnknownInvokeError = fakes.UnknownInvoke


@dataclass
class Registration:
    type: str
    name: str
    urn: str
    inputs: dict[str, Any]          # plain values (secrets unwrapped)
    wire: dict[str, Any]            # as sent, secrets still wrapped
    parent: str
    custom: bool
    provider: str
    dependencies: list[str]
    ignore_changes: list[str]
    protect: bool = False
    retain_on_delete: bool = False
    state: dict[str, Any] = field(default_factory=dict)
    delete_before_replace: bool = False
    custom_timeouts: dict[str, str] = field(default_factory=dict)
    id: str = ""                    # what the fake cloud answered


@dataclass
class Invocation:
    token: str
    args: dict[str, Any]


class StrictMocks(pulumi.runtime.Mocks):
    """Answers from the offline preview's fake cloud (offline/fakes.py), and only what it lists: an invoke not in
    ``invokes`` (default: the program's, ``fakes.PROGRAM_INVOKES``) or a resource type the fake cloud has no
    outputs for raises, naming it."""

    def __init__(self, invokes: Optional[Iterable[str]] = None):
        self.invokes = frozenset(fakes.PROGRAM_INVOKES if invokes is None else invokes)
        self.calls: list[Invocation] = []
        self.created: list[tuple[str, str]] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        self.created.append((args.typ, args.name))
        if args.typ.split(":")[0] == PROJECT:  # the program's own components: no provider computes anything
            return "", dict(args.inputs)
        # The fakes derive names and ids from a URN; the mock monitor does not pass one, type and name stand in.
        seed = f"{args.typ}::{args.name}"
        resource_id, state = fakes.outputs_for(args.typ, dict(args.inputs), args.name, seed, REGION, known=True,
                                               remote=not args.custom, strict=True)
        return resource_id, {**args.inputs, **state}

    def call(self, args: pulumi.runtime.MockCallArgs):
        self.calls.append(Invocation(args.token, dict(args.args)))
        if args.token not in self.invokes:
            raise UnknownInvokeError(f"unexpected invoke {args.token} with {args.args}")
        return fakes.invoke(args.token, dict(args.args), REGION)


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """The SDK's mock monitor, plus a record of parent, dependencies and options of each registration."""

    def __init__(self, mocks: StrictMocks):
        super().__init__(mocks)
        self.registrations: list[Registration] = []

    def RegisterResource(self, request):  # noqa: N802 - overrides the SDK monitor's gRPC method
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
        wire = json_format.MessageToDict(request.object)
        inputs = _unwrap(wire)
        self.registrations.append(Registration(
            type=request.type, name=request.name, urn=response.urn, inputs=inputs, wire=wire,
            parent=request.parent, custom=request.custom, provider=request.provider,
            dependencies=list(request.dependencies), ignore_changes=list(request.ignoreChanges),
            protect=request.protect, retain_on_delete=request.retainOnDelete,
            state=self.resources[response.urn].state if response.urn in self.resources else {},
            delete_before_replace=request.deleteBeforeReplace,
            custom_timeouts={k: v for k, v in (("create", request.customTimeouts.create),
                                               ("update", request.customTimeouts.update),
                                               ("delete", request.customTimeouts.delete)) if v},
            id=response.id,
        ))
        return response


def _unwrap(value: Any) -> Any:
    if isinstance(value, dict):
        if is_secret(value):
            return _unwrap(plain(value))
        return {k: _unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class Run:
    """What one program run registered and invoked."""

    def __init__(self, monitor: RecordingMonitor, mocks: StrictMocks, outputs: dict[str, Any]):
        self.registrations = monitor.registrations
        self.calls = mocks.calls
        self.outputs = outputs

    def all(self, typ: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == typ]

    def get(self, typ: str, name: str) -> Registration:
        found = [r for r in self.registrations if r.type == typ and r.name == name]
        if len(found) != 1:
            known = sorted(f"{r.type} {r.name}" for r in self.registrations)
            raise AssertionError(f"expected one {typ} named {name}, found {len(found)}; registered: {known}")
        return found[0]

    def one(self, typ: str) -> Registration:
        found = self.all(typ)
        if len(found) != 1:
            raise AssertionError(f"expected one {typ}, found {[r.name for r in found]}")
        return found[0]

    def by_urn(self, urn: str) -> Registration:
        return next(r for r in self.registrations if r.urn == urn)

    def types(self) -> set[str]:
        return {r.type for r in self.registrations}


def load_stack_config(stack: str, *, examples: bool = True) -> dict[str, str]:
    """Pulumi.yaml defaults overlaid with Pulumi.<stack>.yaml, read by the offline preview's reader (types and
    required keys checked as the CLI checks them), plus the offline example values (offline/examples.py) unless
    ``examples`` is false: then it is what a fresh clone's real `pulumi up` reads."""
    config = stackconfig.load_stack_config(ROOT, stack)
    return with_examples(config.project, stack, config.values)[0] if examples else dict(config.values)


def _quiet_expected_failures(loop: asyncio.AbstractEventLoop, context: dict) -> None:
    """A run that a strict mock failed on purpose leaves many resource futures holding that error; asyncio
    reports each one at garbage collection ("Future exception was never retrieved"), thousands of stderr
    tracebacks long after the test passed. Those reports, and only those, are dropped; the run itself still
    raises the error, so no failure is hidden."""
    if isinstance(context.get("exception"), (UnknownInvokeError, fakes.UnknownResourceType)):
        return
    loop.default_exception_handler(context)


def run_program(program: Callable[[], Any], *, stack: str = "test", config: Optional[Mapping[str, str]] = None,
                mocks: Optional[StrictMocks] = None, preview: bool = False) -> Run:
    """Run ``program`` under strict mocks in a fresh context, so that no runtime state leaks out."""
    mocks = mocks or StrictMocks()
    monitor = RecordingMonitor(mocks)
    _ensure_event_loop().set_exception_handler(_quiet_expected_failures)
    outputs: dict[str, Any] = {}

    def body() -> None:
        pulumi.runtime.settings.reset_options()
        pulumi.runtime.set_all_config(dict(config or {}), [])
        pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=preview, monitor=monitor)
        stack_resource = pulumi.runtime.settings.get_root_resource()

        async def main() -> None:
            program()

        _sync_await(run_pulumi_func(lambda: _sync_await(main())))
        # Exports land on the root stack resource as outputs.
        for key, value in getattr(stack_resource, "outputs", {}).items():
            outputs[key] = _sync_await(pulumi.Output.from_input(value).future())

    contextvars.copy_context().run(body)
    return Run(monitor, mocks, outputs)


def run_main(stack: str, *, overrides: Optional[Mapping[str, str]] = None,
             mocks: Optional[StrictMocks] = None, preview: bool = False, examples: bool = True,
             config_of: Optional[str] = None) -> Run:
    """Run ``__main__.py`` with the config of Pulumi.<stack>.yaml (plus overrides) from the project root.
    ``config_of`` reads another stack's file instead, to run a stack that has none (e.g. a new ``qa``)."""
    config = {**load_stack_config(config_of or stack, examples=examples), **(overrides or {})}
    config = {key: value for key, value in config.items() if value is not None}  # None removes a key
    cwd = os.getcwd()
    sys.path.insert(0, str(ROOT))
    try:
        os.chdir(ROOT)
        return run_program(lambda: runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__"),
                           stack=stack, config=config, mocks=mocks, preview=preview)
    finally:
        os.chdir(cwd)
        sys.path.remove(str(ROOT))
