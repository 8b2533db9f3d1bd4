"""Network exposure by coverage: "open to the world" means the union of the sources covers the whole IPv4 or IPv6
address space, however it is split into blocks (``0.0.0.0/1`` + ``128.0.0.0/1``, 256 ``/8`` blocks, ``::0/0``)
and across however many rules, of whichever shape, admit the same port.

The functions take security-group rules in the normalised shape of ``policies.core.securitygroups.SgRule`` (``cidrs``,
``port_range()``, ``all_protocols``, ``label``) and never look at how they were written.
"""

from __future__ import annotations

import ipaddress
from itertools import pairwise
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

_WORLD = {4: ipaddress.ip_network("0.0.0.0/0"), 6: ipaddress.ip_network("::/0")}


def _networks(cidrs: Iterable[Any]) -> Dict[int, List[Any]]:
    out: Dict[int, List[Any]] = {4: [], 6: []}
    for cidr in cidrs:
        if not isinstance(cidr, str):
            continue
        try:
            net = ipaddress.ip_network(cidr.strip(), strict=False)
        except ValueError:
            continue  # AWS rejects it; nothing is opened
        out[net.version].append(net)
    return out


def world_spaces(cidrs: Iterable[Any]) -> List[str]:
    """``["0.0.0.0/0"]``, ``["::/0"]``, both or neither: the address spaces the CIDRs cover entirely together."""
    found = []
    for version, nets in _networks(cidrs).items():
        if nets and list(ipaddress.collapse_addresses(nets)) == [_WORLD[version]]:
            found.append(str(_WORLD[version]))
    return found


class Exposure:
    """Ports (and all protocols) that a set of ingress rules opens to a whole address space, with the rules
    that together open them."""

    def __init__(self, rules: Sequence[Any]) -> None:
        self.rules = [r for r in rules if r.cidrs]

    def all_protocols(self) -> Tuple[List[str], List[str]]:
        """(world spaces, labels) for the rules that admit every protocol."""
        rules = [r for r in self.rules if r.all_protocols]
        return world_spaces(c for r in rules for c in r.cidrs), [r.label for r in rules]

    def port(self, port: int) -> Tuple[List[str], List[str]]:
        """(world spaces, labels) for the rules that admit TCP/UDP ``port`` (all-protocol rules included)."""
        rules = [r for r in self.rules if _covers(r, port)]
        spaces = world_spaces(c for r in rules for c in r.cidrs)
        if not spaces:
            return [], []
        labels = [r.label for r in rules if world_spaces(r.cidrs) or _contributes(r, rules, spaces)]
        return spaces, labels or [r.label for r in rules]

    def open_ranges(self) -> List[Tuple[int, int, List[str], List[str]]]:
        """Maximal port ranges open to a whole space: (low, high, spaces, labels), for TCP/UDP and all-protocol
        rules; ICMP and other protocols are judged per rule by :meth:`other_protocols`."""
        ranges = [r.port_range() for r in self.rules]
        points = sorted({lo for rng in ranges if rng for lo in (rng[0], rng[1] + 1)})
        out: List[Tuple[int, int, List[str], List[str]]] = []
        for lo, nxt in pairwise(points):
            spaces, labels = self.port(lo)
            if not spaces:
                continue
            if out and out[-1][1] == lo - 1 and out[-1][2] == spaces and out[-1][3] == labels:
                out[-1] = (out[-1][0], nxt - 1, spaces, labels)
            else:
                out.append((lo, nxt - 1, spaces, labels))
        return out

    def other_protocols(self) -> List[Tuple[Any, List[str], str]]:
        """(rule, world spaces, label) for rules of a protocol without ports (ICMP, ESP...) open to the world."""
        return [(r, world_spaces(r.cidrs), r.label) for r in self.rules
                if r.port_range() is None and world_spaces(r.cidrs)]


def _covers(rule: Any, port: int) -> bool:
    rng = rule.port_range()
    return rng is not None and rng[0] <= port <= rng[1]


def _contributes(rule: Any, rules: Sequence[Any], spaces: Sequence[str]) -> bool:
    """True if leaving ``rule`` out shrinks the coverage (so it is one of the rules that open the port)."""
    others = [c for r in rules if r is not rule for c in r.cidrs]
    return world_spaces(others) != list(spaces)


def first_unknown(rules: Sequence[Any]) -> Optional[str]:
    """The label of the first rule whose CIDRs, protocol or ports are unknown, or None."""
    for r in rules:
        if r.unknown:
            return r.label
    return None
