"""Resources and stacks as the rules see them: plain props, this rule's config with its schema defaults, and
(in stack rules) the resource graph.

Property access works on plain values (the SDK's proxy is unwrapped once). A rule touches only the properties
it needs through :meth:`Resource.get`; if one of those is an unknown preview value, :meth:`Resource.get` raises
the SDK's own ``UnknownValueError``, which the SDK reports as an advisory "can't run policy ... during preview"
message. :meth:`Resource.peek` returns :data:`~.values.UNKNOWN` instead, for rules that can still decide.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from .values import UNKNOWN, dig, is_unknown, plain, raise_unknown


@dataclass
class Resource:
    """One resource: type, name, URN, plain props, this rule's config and (in stack rules) the graph."""

    type: str
    name: str
    urn: str
    props: Dict[str, Any]
    _config: Mapping[str, Any] = field(default_factory=dict, repr=False)
    _schema: Mapping[str, Any] = field(default_factory=dict, repr=False)
    parent: Optional[str] = None
    dependencies: Tuple[str, ...] = ()
    property_dependencies: Mapping[str, Tuple[str, ...]] = field(default_factory=dict)

    def get(self, *path: Any) -> Any:
        """The value at ``path`` (None if missing). Raises UnknownValueError if it is unknown."""
        value = dig(self.props, *path)
        if is_unknown(value):
            raise_unknown(path, value)
        return value

    def peek(self, *path: Any) -> Any:
        """The value at ``path`` (None if missing, :data:`UNKNOWN` if unknown). Never raises."""
        value = dig(self.props, *path)
        return UNKNOWN if is_unknown(value) else value

    def config(self, key: str) -> Any:
        return config_value(self._config, self._schema, key)

    def depends_on(self, prop: str) -> Tuple[str, ...]:
        """URNs the property ``prop`` depends on (stack rules only)."""
        return tuple(self.property_dependencies.get(prop, ()))


def config_value(config: Mapping[str, Any], schema: Mapping[str, Any], key: str) -> Any:
    """The configured value of ``key``, else the schema default."""
    if isinstance(config, Mapping) and key in config and config[key] is not None:
        return config[key]
    return dict(schema.get(key, {})).get("default")


class LazyResource(Resource):
    """A :class:`Resource` whose props are unwrapped from the SDK's proxy on first use, once. Stack rules get
    these: a stack rule sees every resource of the stack but reads only a few, and unwrapping all of them for each
    of the pack's stack rules was a quarter of the pack's time in AnalyzeStack."""

    def __init__(self, raw: Any, *args: Any, **kwargs: Any) -> None:
        self._raw: Any = raw
        self._plain: Optional[Dict[str, Any]] = None
        super().__init__(*args, **kwargs)

    @property
    def props(self) -> Dict[str, Any]:
        if self._plain is None:
            self._plain = plain(self._raw)
        return self._plain

    @props.setter
    def props(self, value: Optional[Dict[str, Any]]) -> None:
        self._plain = value


@dataclass
class Stack:
    """What a stack rule sees: all resources as :class:`Resource`, plus this rule's config."""

    resources: List[Resource]
    _config: Mapping[str, Any]
    _schema: Mapping[str, Any]

    def of_type(self, *types: str) -> List[Resource]:
        return [r for r in self.resources if r.type in types]

    def by_urn(self, urn: str) -> Optional[Resource]:
        for r in self.resources:
            if r.urn == urn:
                return r
        return None

    def config(self, key: str) -> Any:
        return config_value(self._config, self._schema, key)

    def resolve(self, consumer: Resource, prop: str, candidates: Sequence[Resource],
                keys: Sequence[str] = ("id",)) -> Tuple[List[Resource], bool]:
        """The candidates ``consumer.<prop>`` refers to, by value (a string or a list of strings matched against
        each candidate's ``keys``) or by property dependency on the candidate's URN.

        Returns ``(found, unresolved)``; ``unresolved`` is True when some referring value is unknown and the
        engine sent no dependency for the property, so the reference cannot be followed.
        """
        deps = set(consumer.depends_on(prop))
        raw = consumer.peek(prop)
        values = raw if isinstance(raw, list) else [raw]
        found = []
        for cand in candidates:
            ids = {i for i in (cand.peek(k) for k in keys) if isinstance(i, str) and i}
            if cand.urn in deps or any(isinstance(v, str) and v in ids for v in values):
                found.append(cand)
        unresolved = any(is_unknown(v) for v in values) and not deps
        return found, unresolved

    def ancestors(self, res: Resource) -> List[str]:
        """URNs of ``res``'s parents, nearest first."""
        seen: List[str] = []
        current = res.parent
        while current and current not in seen:
            seen.append(current)
            parent = self.by_urn(current)
            current = parent.parent if parent else None
        return seen


class NotApplicable(Exception):
    """Raise from a rule body to mark the rule not applicable to this resource, with a reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def unset(res: Resource, *path: Any) -> bool:
    """True if the value at ``path`` is missing or empty; an unknown value counts as set."""
    value = res.peek(*path)
    return value is not UNKNOWN and not value
