"""Architecture diagram of the recorded graph, drawn with graphviz ``dot``.

* Every local component is a cluster (nested as the components nest); custom resources and
  remote components are nodes inside it. A remote component (awsx) is one node, labelled as such.
* Grey dashed edges are dependencies (explicit and property dependencies).
* Bold coloured edges are security-group reachability, worked out from the ingress rules in all
  their shapes (inline ``ingress``, ``ec2/securityGroupRule``, ``vpc/securityGroupIngressRule``):
  who may open a connection to whom, on which port: Internet -> ALB -> tasks -> DB.
  Security groups are matched through property dependencies, so this works at preview too,
  when the group ids are still unknown.

Colours are 6-digit hex: ``dot`` rejects the 3-digit form and paints black.
"""

from __future__ import annotations

import html
import shutil
import subprocess
from pathlib import Path
from typing import Iterable, Optional

from .wire import UNKNOWN, plain as _plain
from .awsx_vpc import HIDDEN_NOTE, LAID_OUT, NOTE
from .graph import edges_of, topo_order

COLOURS = {
    "cluster": "#eef3fb",
    "cluster_border": "#7a94c2",
    "node": "#ffffff",
    "remote": "#fff3d6",
    "internet": "#fde2e2",
    "dep": "#9a9a9a",
    "reach": "#c0392b",
    "font": "#222222",
}

SG_USERS = {
    # resource type -> the property whose dependencies name its security groups
    "aws:lb/loadBalancer:LoadBalancer": ("securityGroups",),
    "aws:alb/loadBalancer:LoadBalancer": ("securityGroups",),
    "aws:ecs/service:Service": ("networkConfiguration",),
    "aws:rds/instance:Instance": ("vpcSecurityGroupIds",),
}
SG_TYPES = {"aws:ec2/securityGroup:SecurityGroup"}
#: Types drawn as one node per component, so that a dozen alarms are one box, not a dozen.
GROUPED_TYPES = {"aws:cloudwatch/metricAlarm:MetricAlarm": "CloudWatch alarms"}
WORLD = {"0.0.0.0/0", "::/0"}



def _port(rule: dict) -> str:
    lo, hi = _plain(rule.get("fromPort")), _plain(rule.get("toPort"))
    proto = str(_plain(rule.get("ipProtocol") or rule.get("protocol")) or "tcp")
    if proto in ("-1", "all"):
        return "all"
    if lo is None or lo == UNKNOWN:
        return proto
    lo = int(float(lo))
    hi = int(float(hi)) if hi not in (None, UNKNOWN) else lo
    return f"{proto}/{lo}" if lo == hi else f"{proto}/{lo}-{hi}"


def reachability(resources: list[dict]) -> list[tuple[str, str, str]]:
    """Edges ``(source urn or 'internet', target urn, port label)`` allowed by security groups."""
    sgs = {r["urn"] for r in resources if r["type"] in SG_TYPES}
    users: dict[str, set[str]] = {sg: set() for sg in sgs}
    for r in resources:
        for prop in SG_USERS.get(r["type"], ()):
            for dep in (r.get("property_dependencies") or {}).get(prop, []):
                if dep in users:
                    users[dep].add(r["urn"])
    rules: list[tuple[str, str, str]] = []  # (target sg, source sg | 'internet', port)

    def deps(r: dict, prop: str) -> list[str]:
        return [d for d in (r.get("property_dependencies") or {}).get(prop, []) if d in sgs]

    for r in resources:
        p = r.get("inputs") or {}
        if r["type"] == "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
            for target in deps(r, "securityGroupId"):
                for source in deps(r, "referencedSecurityGroupId"):
                    rules.append((target, source, _port(p)))
                if _plain(p.get("cidrIpv4")) in WORLD or _plain(p.get("cidrIpv6")) in WORLD:
                    rules.append((target, "internet", _port(p)))
        elif r["type"] == "aws:ec2/securityGroupRule:SecurityGroupRule" and _plain(p.get("type")) == "ingress":
            for target in deps(r, "securityGroupId"):
                for source in deps(r, "sourceSecurityGroupId"):
                    rules.append((target, source, _port(p)))
                if set(_plain(p.get("cidrBlocks")) or []) & WORLD or set(_plain(p.get("ipv6CidrBlocks")) or []) & WORLD:
                    rules.append((target, "internet", _port(p)))
        elif r["type"] in SG_TYPES:
            ingress = _plain(p.get("ingress")) or []
            for rule in ingress if isinstance(ingress, list) else []:
                rule = _plain(rule) or {}
                for source in deps(r, "ingress"):
                    rules.append((r["urn"], source, _port(rule)))
                if set(_plain(rule.get("cidrBlocks")) or []) & WORLD:
                    rules.append((r["urn"], "internet", _port(rule)))
    edges: set[tuple[str, str, str]] = set()
    for target, source, port in rules:
        sources = {"internet"} if source == "internet" else users.get(source, set())
        for s in sources:
            for t in users.get(target, set()):
                if s != t:
                    edges.add((s, t, port))
    return sorted(edges)


def _node_id(urn: str) -> str:
    return "n_" + "".join(c if c.isalnum() else "_" for c in urn.split("::", 2)[-1])


def _label(r: dict) -> str:
    typ = r["type"]
    parts = typ.split(":")
    short = f"{parts[1].split('/')[0]}/{parts[2]}" if len(parts) == 3 else typ
    if r.get("remote"):
        return (f"<<b>{html.escape(r['name'])}</b><br/><font point-size='9'>{html.escape(typ)}</font>"
                f"<br/><font point-size='8'>{NOTE if typ in LAID_OUT else HIDDEN_NOTE}</font>>")
    return f"<<b>{html.escape(r['name'])}</b><br/><font point-size='9'>{html.escape(short)}</font>>"


def to_dot(resources: Iterable[dict], title: str) -> str:
    res = [r for r in topo_order(resources) if r["type"] != "pulumi:pulumi:Stack" and not r.get("default_provider")]
    by_urn = {r["urn"]: r for r in res}
    components = [r for r in res if not r.get("custom") and not r.get("remote")]
    comp_urns = {c["urn"] for c in components}
    members: dict[str, list[dict]] = {}
    for r in res:
        if r["urn"] in comp_urns:
            continue
        parent = r.get("parent") or ""
        while parent and parent not in comp_urns:
            parent = (by_urn.get(parent) or {}).get("parent") or ""
        members.setdefault(parent, []).append(r)
    sub: dict[str, list[dict]] = {}
    for c in components:
        parent = c.get("parent") or ""
        while parent and parent not in comp_urns:
            parent = (by_urn.get(parent) or {}).get("parent") or ""
        sub.setdefault(parent, []).append(c)

    out = [
        "digraph architecture {",
        f'  graph [rankdir=LR, fontname="Helvetica", fontsize=12, label="{html.escape(title)}", labelloc=t, '
        f'compound=true, fontcolor="{COLOURS["font"]}"];',
        f'  node [shape=box, style="rounded,filled", fillcolor="{COLOURS["node"]}", fontname="Helvetica", '
        f'fontsize=10, color="{COLOURS["cluster_border"]}", fontcolor="{COLOURS["font"]}"];',
        f'  edge [fontname="Helvetica", fontsize=9, color="{COLOURS["dep"]}"];',
    ]

    # Each resource's node; the grouped types share one node per component.
    node_of = {r["urn"]: _node_id(r["urn"]) for r in res}
    groups: dict[tuple[str, str], list[dict]] = {}
    for parent, rs in members.items():
        for r in rs:
            if r["type"] in GROUPED_TYPES:
                groups.setdefault((parent, r["type"]), []).append(r)
                node_of[r["urn"]] = f"{_node_id(parent or 'stack')}_{_node_id(r['type'])}"

    def emit(parent: str, indent: str) -> None:
        for r in members.get(parent, []):
            if r["type"] in GROUPED_TYPES:
                continue
            fill = COLOURS["remote"] if r.get("remote") else COLOURS["node"]
            out.append(f'{indent}{_node_id(r["urn"])} [label={_label(r)}, fillcolor="{fill}"];')
        for (group_parent, typ), rs in sorted(groups.items(), key=lambda kv: kv[0][1]):
            if group_parent == parent:
                names = "<br/>".join(html.escape(r["name"]) for r in rs)
                out.append(f'{indent}{node_of[rs[0]["urn"]]} [label=<<b>{len(rs)} {GROUPED_TYPES[typ]}</b><br/>'
                           f'<font point-size="8">{names}</font>>, fillcolor="{COLOURS["node"]}"];')
        for c in sub.get(parent, []):
            out.append(f'{indent}subgraph cluster_{_node_id(c["urn"])} {{')
            out.append(f'{indent}  label=<<b>{html.escape(c["name"])}</b> <font point-size="9">'
                       f'{html.escape(c["type"])}</font>>; style="rounded,filled"; '
                       f'fillcolor="{COLOURS["cluster"]}"; color="{COLOURS["cluster_border"]}";')
            if not members.get(c["urn"]) and not sub.get(c["urn"]):
                out.append(f'{indent}  {_node_id(c["urn"])}_empty [label="(no resources)", shape=plaintext];')
            emit(c["urn"], indent + "  ")
            out.append(f"{indent}}}")

    emit("", "  ")
    nodes = {r["urn"] for r in res if r["urn"] not in comp_urns}
    drawn: set[tuple[str, str]] = set()
    for r in res:
        if r["urn"] not in nodes:
            continue
        for d in sorted(edges_of(r) - {r.get("parent") or ""}):
            edge = (node_of.get(d, ""), node_of[r["urn"]])
            if d in nodes and edge[0] != edge[1] and edge not in drawn:
                drawn.add(edge)
                out.append(f'  {edge[0]} -> {edge[1]} [style=dashed, arrowsize=0.6];')
    reach = reachability(res)
    if any(s == "internet" for s, _, _ in reach):
        out.append(f'  internet [label="Internet", shape=ellipse, fillcolor="{COLOURS["internet"]}"];')
    for s, t, port in reach:
        src = "internet" if s == "internet" else _node_id(s)
        out.append(f'  {src} -> {_node_id(t)} [color="{COLOURS["reach"]}", penwidth=2.2, '
                   f'fontcolor="{COLOURS["reach"]}", label="{port}", constraint=true];')
    out.append("}")
    return "\n".join(out) + "\n"


def render(dot_text: str, out_dir: Path, stem: str = "architecture",
           pending: Optional[list] = None) -> dict[str, str]:
    """Write ``<stem>.dot`` and, when ``dot`` is installed, ``.svg``. No PNG: for a full graph of 100+ nodes it
    costs ``dot`` about 15 times the CPU of the SVG (0.9 s against 0.06 s for prod), the preview's largest cost
    after the programs and the pack, and the SVG is the same picture. ``make diagram`` draws the README's PNG.

    With a ``pending`` list the ``dot`` processes are started and appended to it instead of
    waited for (call :func:`wait` on the list), so several stacks render in parallel.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {"dot": str(out_dir / f"{stem}.dot")}
    Path(files["dot"]).write_text(dot_text)
    exe = shutil.which("dot")
    if exe is None:
        return files
    procs = []
    for fmt in ("svg",):
        target = out_dir / f"{stem}.{fmt}"
        procs.append(subprocess.Popen([exe, f"-T{fmt}", "-o", str(target), files["dot"]],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
        files[fmt] = str(target)
    if pending is None:
        wait(procs)
    else:
        pending.extend(procs)
    return files


def wait(procs: list) -> None:
    errors = []
    for proc in procs:
        _, err = proc.communicate()
        if proc.returncode:
            errors.append(f"{' '.join(proc.args)}: {err.strip()}")
    if errors:
        raise RuntimeError("graphviz failed:\n" + "\n".join(errors))


# ---------------------------------------------------------------------------------------------------------------
# The README's curated view: top-level components, the VPC's subnets per AZ, and the security-group chain.


def _top_level(r: dict, by_urn: dict) -> str:
    """The URN of the stack's direct child that holds ``r`` (``r`` itself at the top)."""
    urn = r["urn"]
    while True:
        parent = (by_urn.get(urn) or {}).get("parent") or ""
        if not parent or by_urn.get(parent, {}).get("type") == "pulumi:pulumi:Stack":
            return urn
        urn = parent


def overview_dot(resources: Iterable[dict], title: str) -> str:
    """A small graph readable at README width: one node per top-level component (with how many cloud
    resources it holds), the VPC's subnet tiers per AZ (from the awsx Vpc's inputs), and who may connect to
    whom through the security groups."""
    res = [r for r in resources if r["type"] != "pulumi:pulumi:Stack" and not r.get("default_provider")]
    by_urn = {r["urn"]: r for r in resources}
    tops: dict[str, int] = {}
    for r in res:
        top = _top_level(r, by_urn)
        tops[top] = tops.get(top, 0) + (1 if r.get("custom") else 0)
    out = [
        "digraph overview {",
        f'  graph [rankdir=LR, fontname="Helvetica", fontsize=12, label="{html.escape(title)}", labelloc=t, '
        'nodesep=0.3, ranksep=0.6];',
        f'  node [shape=box, style="rounded,filled", fillcolor="{COLOURS["node"]}", fontname="Helvetica", '
        f'fontsize=10, color="{COLOURS["cluster_border"]}"];',
        f'  edge [fontname="Helvetica", fontsize=9, color="{COLOURS["reach"]}", penwidth=2, '
        f'fontcolor="{COLOURS["reach"]}"];',
    ]
    vpcs = {_top_level(r, by_urn): r for r in res if r.get("remote") and r["type"] == "awsx:ec2:Vpc"}
    for urn, count in tops.items():
        r = by_urn[urn]
        if urn in vpcs:
            vpc = vpcs[urn]
            p = vpc.get("inputs") or {}
            azs = _plain(p.get("availabilityZoneNames")) or []
            n = len(azs) if isinstance(azs, list) and azs else int(float(_plain(p.get("numberOfAvailabilityZones"))
                                                                          or 3))
            specs = _plain(p.get("subnetSpecs")) or [{"type": "Public"}, {"type": "Private"}]
            tiers = ", ".join(str((_plain(sp) or {}).get("type", "?")).lower() for sp in specs)
            nat = str((_plain(p.get("natGateways")) or {}).get("strategy", "OnePerAz"))
            kind = r["type"].split(":")[-1]
            out.append(f'  subgraph cluster_{_node_id(urn)} {{ label=<<b>{html.escape(r["name"])}</b> '
                       f'<font point-size="9">{html.escape(kind)}: awsx Vpc, NAT {html.escape(nat)}, '
                       f'{count} cloud resources</font>>; '
                       f'style="rounded,filled"; fillcolor="{COLOURS["cluster"]}"; '
                       f'color="{COLOURS["cluster_border"]}";')
            for i in range(n):
                az = azs[i] if i < len(azs) else f"AZ {chr(ord('a') + i)}"
                out.append(f'    {_node_id(urn)}_az{i} [label="{html.escape(str(az))}\\n{tiers}", '
                           f'fillcolor="{COLOURS["remote"]}"];')
            out.append(f'    {_node_id(urn)} [label="", shape=point, style=invis];')
            out.append("  }")
            continue
        kind = r["type"].split(":")[-1]
        out.append(f'  {_node_id(urn)} [label=<<b>{html.escape(r["name"])}</b><br/><font point-size="9">'
                   f'{html.escape(kind)}, {count} cloud resources</font>>];')
    edges: set[tuple[str, str, str]] = set()
    for s, t, port in reachability(res):
        src = "internet" if s == "internet" else _node_id(_top_level(by_urn[s], by_urn))
        dst = _node_id(_top_level(by_urn[t], by_urn))
        if src != dst:
            edges.add((src, dst, port))
    if any(s == "internet" for s, _, _ in edges):
        out.append(f'  internet [label="Internet", shape=ellipse, fillcolor="{COLOURS["internet"]}"];')
    uses: set[tuple[str, str]] = set()
    for r in res:
        for d in edges_of(r):
            if d in by_urn and by_urn[d]["type"] != "pulumi:pulumi:Stack" and not by_urn[d].get("default_provider"):
                a, b = _top_level(by_urn[d], by_urn), _top_level(r, by_urn)
                if a != b and a in tops and b in tops:
                    uses.add((_node_id(a), _node_id(b)))
    for a, b in sorted(uses):
        out.append(f'  {a} -> {b} [color="{COLOURS["dep"]}", style=dashed, penwidth=1, arrowsize=0.6];')
    for s, t, port in sorted(edges):
        out.append(f'  {s} -> {t} [label="{port}"];')
    out.append("}")
    return "\n".join(out) + "\n"


def write_overview(program: Path, stack: str, output: Path) -> int:
    """Run ``stack`` (a deployed stack's view: ``existing``) and write its overview to ``output``, through a
    temporary file: a failed run leaves ``output`` as it was. Returns the exit status."""
    import sys
    import tempfile

    from .cli import EngineProcess

    exe = shutil.which("dot")
    if exe is None:
        print("error: graphviz's dot is not installed (apt-get install graphviz)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        run = EngineProcess(program, [stack], "existing", Path(tmp)).result()[stack]
        if run.get("error"):
            print(f"error: the program failed, {output} is unchanged: {run['error']}", file=sys.stderr)
            return 1
        dot_file = Path(tmp) / "overview.dot"
        dot_file.write_text(overview_dot(run["resources"], f"{run.get('project')} / {stack}"))
        target = Path(tmp) / f"overview{output.suffix or '.png'}"
        proc = subprocess.run([exe, f"-T{(output.suffix or '.png')[1:]}", "-Gdpi=96", "-o", str(target),
                               str(dot_file)], capture_output=True, text=True)
        if proc.returncode:
            print(f"error: dot failed, {output} is unchanged: {proc.stderr.strip()}", file=sys.stderr)
            return 1
        output.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target, output)
    print(f"wrote {output}")
    return 0
