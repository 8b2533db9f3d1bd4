"""Users, uids, ports and protocols in every form the container runtime or AWS accepts.

* A numeric user or group is parsed by the runtime with Go's ``strconv.Atoi``: an optional sign and decimal
  digits, so ``0``, ``00``, ``+0`` and ``-0`` are all uid 0.
* Ports and protocols reach the pack as floats (the engine's numbers), ints, or strings the provider converts:
  ``"22"``, ``"+22"``, ``"022"``, ``"22.0"``, ``"2.2e1"`` are port 22; ``"6"``, ``"06"``, ``6.0`` and ``"TCP"`` are
  tcp, ``-1``/``"-1"``/``"all"`` every protocol.
"""

from __future__ import annotations

import math
import re
from typing import Any, Optional

_ATOI = re.compile(r"[+-]?[0-9]+")


def atoi(text: Any) -> Optional[int]:
    """``strconv.Atoi``: an int for an optional sign followed by decimal digits (no spaces), else None."""
    if isinstance(text, str) and _ATOI.fullmatch(text):
        return int(text)
    return None


def number(value: Any) -> Optional[int]:
    """The integer a number is read as: ints, integral floats, and strings of either (signs, leading zeros,
    exponents, surrounding spaces). None for booleans, fractions, NaN/inf and anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        if _ATOI.fullmatch(text):
            return int(text)
        try:
            value = float(text)
        except ValueError:
            return None
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return None


def is_root_id(part: Any) -> bool:
    """True if one part of a container ``user`` (the user or the group) is root: the name ``root`` (any case,
    any padding) or any numeric form of 0, as ``strconv.Atoi`` or a float reading would take it."""
    if isinstance(part, bool):
        return False
    if isinstance(part, (int, float)):
        return number(part) == 0
    if not isinstance(part, str):
        return False
    text = part.strip()
    return text.lower() == "root" or number(text) == 0


_PROTOCOL_NUMBERS = {-1: "all", 1: "icmp", 6: "tcp", 17: "udp", 58: "icmpv6"}


def protocol_name(value: Any) -> Optional[str]:
    """``"all"``, ``"tcp"``, ``"udp"``, ``"icmp"``, ``"icmpv6"`` for the names and numbers of those protocols in
    any form; other protocols as their lower-cased name or decimal number; None if not a value."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    code = number(value)
    if code is not None:
        return _PROTOCOL_NUMBERS.get(code, str(code))
    if isinstance(value, str):
        text = value.strip().lower()
        return "all" if text in ("all", "-1") else text or None
    return None
