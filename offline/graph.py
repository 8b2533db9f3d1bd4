"""Ordering and shape of the recorded resource graph.

The SDK registers resources from several threads, so the order the monitor sees them in varies
between runs. :func:`topo_order` gives the one order every report uses: a resource comes after
its parent, its provider, its dependencies and property dependencies; ties are broken by URN.
"""

from __future__ import annotations

import heapq
from typing import Iterable


def provider_urn(ref: str) -> str:
    """``urn:...::default_7_51_1::<id>`` -> the provider's URN (the id is the last ``::`` part)."""
    return ref.rsplit("::", 1)[0] if ref else ""


def edges_of(r: dict) -> set[str]:
    deps = set(r.get("dependencies") or [])
    for urns in (r.get("property_dependencies") or {}).values():
        deps.update(urns)
    if r.get("parent"):
        deps.add(r["parent"])
    if r.get("provider"):
        deps.add(provider_urn(r["provider"]))
    deps.discard(r["urn"])
    return deps


def topo_order(resources: Iterable[dict]) -> list[dict]:
    """Kahn's algorithm with a URN-ordered heap; a cycle (impossible in Pulumi) falls back to URN order."""
    res = {r["urn"]: r for r in resources}
    preds = {u: {d for d in edges_of(r) if d in res} for u, r in res.items()}
    succs: dict[str, list[str]] = {u: [] for u in res}
    for u, ds in preds.items():
        for d in ds:
            succs[d].append(u)
    indeg = {u: len(ds) for u, ds in preds.items()}
    heap = [u for u, n in indeg.items() if n == 0]
    heapq.heapify(heap)
    out: list[dict] = []
    while heap:
        u = heapq.heappop(heap)
        out.append(res[u])
        for s in succs[u]:
            indeg[s] -= 1
            if indeg[s] == 0:
                heapq.heappush(heap, s)
    if len(out) != len(res):
        seen = {r["urn"] for r in out}
        out.extend(res[u] for u in sorted(res) if u not in seen)
    return out


def children_map(resources: Iterable[dict]) -> dict[str, list[dict]]:
    kids: dict[str, list[dict]] = {}
    for r in resources:
        kids.setdefault(r.get("parent") or "", []).append(r)
    return kids


def component_of(r: dict, by_urn: dict[str, dict]) -> str:
    """URN of the nearest enclosing local component (not the stack), or ''."""
    p = r.get("parent") or ""
    while p:
        pr = by_urn.get(p)
        if pr is None:
            return ""
        if not pr.get("custom") and not pr.get("remote") and pr["type"] != "pulumi:pulumi:Stack":
            return p
        p = pr.get("parent") or ""
    return ""
