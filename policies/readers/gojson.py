"""JSON as Go's ``encoding/json`` reads it into the AWS SDK's structs.

The AWS provider decodes a task definition's ``containerDefinitions`` string with ``json.Unmarshal`` into
``[]types.ContainerDefinition``. For a struct, that decoder

* matches an object key to a field case-insensitively, with Unicode simple folding (``strings.EqualFold``): so
  ``PRIVILEGED``, ``Privileged`` and ``privileged`` name one field, and so do ``ſecrets`` (U+017F) and
  ``secrets``, or ``linuxParameters`` written with the Kelvin sign ``K`` (U+212A) for a ``k``;
* sets the field once per occurrence, so when a key appears twice in any spelling the last one wins;
* accepts every valid JSON text (escapes in keys, any whitespace, exponents), and rejects ``NaN``/``Infinity``.

:func:`loads` returns plain lists and values, with every object as a :class:`GoObject`: a dict whose keys are
folded, so ``obj.get("readonlyRootFilesystem")`` finds the value whatever spelling the author used.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Tuple

# The two non-ASCII runes whose simple case-folding orbit contains an ASCII letter (Go's fold.go says the same):
# U+017F LATIN SMALL LETTER LONG S (s, S) and U+212A KELVIN SIGN (k, K).
_NON_ASCII_FOLDS = {"\u017f": "s", "\u212a": "k"}


def fold(name: str) -> str:
    """The folded form of a key: two keys name the same struct field exactly when their folds are equal.

    ASCII letters fold to lower case, the long s and the Kelvin sign to ``s`` and ``k``; every other rune stays
    itself (Go does not equate, for example, the dotless ``ı`` with ``i``).
    """
    return "".join(_NON_ASCII_FOLDS.get(c, c.lower() if c.isascii() else c) for c in name)


class GoObject(dict):
    """A decoded JSON object, keyed by :func:`fold` of each key; lookups fold the key they are given."""

    def __getitem__(self, key: Any) -> Any:
        return dict.__getitem__(self, fold(key) if isinstance(key, str) else key)

    def __contains__(self, key: Any) -> bool:
        return dict.__contains__(self, fold(key) if isinstance(key, str) else key)

    def get(self, key: Any, default: Any = None) -> Any:
        return dict.get(self, fold(key) if isinstance(key, str) else key, default)


def _object(pairs: Iterable[Tuple[str, Any]]) -> GoObject:
    obj = GoObject()
    for key, value in pairs:
        dict.__setitem__(obj, fold(key), value)  # the last occurrence in any spelling wins
    return obj


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def loads(text: str) -> Any:
    """Decodes ``text`` as Go would. Raises ``ValueError`` (or ``RecursionError``) for invalid JSON."""
    return json.loads(text, object_pairs_hook=_object, parse_constant=_reject_constant)


def view(value: Any) -> Any:
    """The same reading for a value that arrived already structured (a list or dict from the engine)."""
    if isinstance(value, dict):
        return _object((k, view(v)) for k, v in value.items() if isinstance(k, str))
    if isinstance(value, list):
        return [view(v) for v in value]
    return value
