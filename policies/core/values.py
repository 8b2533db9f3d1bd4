"""Values as the engine sends them: the preview's unknown sentinels, and coercion of numbers that arrive as floats,
booleans sometimes as strings and lists sometimes as scalars."""

from __future__ import annotations

import fnmatch
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence

from pulumi_policy.deserialize import serialize_properties
from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)

from ..readers.numbers import number

_SENTINELS = frozenset({
    UNKNOWN_BOOLEAN_VALUE, UNKNOWN_NUMBER_VALUE, UNKNOWN_STRING_VALUE, UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE, UNKNOWN_ARCHIVE_VALUE, UNKNOWN_OBJECT_VALUE,
})


class _Unknown:
    """Marker returned by :meth:`Resource.peek` for a value that is unknown during preview."""

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN = _Unknown()


def is_unknown(value: Any) -> bool:
    """True for the preview sentinels and for :data:`UNKNOWN`."""
    return value is UNKNOWN or (isinstance(value, str) and value in _SENTINELS)


def contains_unknown(value: Any) -> bool:
    """True if the value or anything nested in it is unknown."""
    if is_unknown(value):
        return True
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknown(v) for v in value)
    return False


def plain(props: Any) -> Dict[str, Any]:
    """Unwraps the SDK's unknown-checking proxy into plain dicts and lists; sentinels stay as strings."""
    try:
        value = serialize_properties(props)
    except Exception:  # noqa: BLE001 - odd values (assets) must not break the rule
        value = {}
    return dict(value) if isinstance(value, Mapping) else {}


def as_bool(value: Any) -> Optional[bool]:
    """True/False for booleans and "true"/"false" strings; None for anything else (missing, unknown, odd)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and not is_unknown(value):
        low = value.strip().lower()
        if low in ("true", "1", "yes", "on", "enabled"):
            return True
        if low in ("false", "0", "no", "off", "disabled"):
            return False
    if isinstance(value, (int, float)):
        return bool(value)
    return None


def as_int(value: Any) -> Optional[int]:
    """An int for ints, integral floats and digit strings; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value == value and abs(value) != float("inf") else None
    if isinstance(value, str) and not is_unknown(value):
        try:
            return int(float(value.strip()))
        except ValueError:
            return None
    return None


def as_list(value: Any) -> List[Any]:
    """A list for lists, [] for None, [value] for a scalar."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, tuple):
        return list(value)
    return [value]


def as_str(value: Any) -> Optional[str]:
    return value if isinstance(value, str) and not is_unknown(value) else None


def dig(value: Any, *path: Any) -> Any:
    """Walks dicts (str keys) and lists (int keys); None when a step is missing. Unknowns come back as-is."""
    for key in path:
        if is_unknown(value):
            return value
        if isinstance(key, int):
            if not isinstance(value, list) or not -len(value) <= key < len(value):
                return None
            value = value[key]
        else:
            if not isinstance(value, dict):
                return None
            value = value.get(key)
    return value


def raise_unknown(path: Sequence[Any], sentinel: Any = UNKNOWN_STRING_VALUE) -> None:
    """Raises the SDK's UnknownValueError, so the SDK reports its advisory "can't run during preview" message."""
    sentinel = sentinel if isinstance(sentinel, str) and sentinel in _SENTINELS else UNKNOWN_STRING_VALUE
    raise UnknownValueError(sentinel, [str(p) for p in path])


def port_list(value: Any) -> List[int]:
    return [p for p in (number(v) for v in as_list(value)) if p is not None]


def matches_any(name: str, patterns: Iterable[Any]) -> bool:
    return any(isinstance(p, str) and fnmatch.fnmatchcase(name, p) for p in patterns)


def tags_match(tags: Any, wanted: Any) -> bool:
    """True if every key/value in ``wanted`` is among ``tags`` (and ``wanted`` is not empty)."""
    if not isinstance(wanted, Mapping) or not wanted or not isinstance(tags, Mapping):
        return False
    return all(tags.get(k) == v for k, v in wanted.items())
