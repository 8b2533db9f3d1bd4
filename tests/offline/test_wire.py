"""The wire vocabulary is the SDK's own, and the one module every part reads it from."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

from pulumi.runtime import rpc

from offline import wire
from offline_support import ROOT


def test_sentinels_are_the_sdks_constants():
    assert wire.UNKNOWN is rpc.UNKNOWN
    assert wire.SECRET_SIG_KEY is rpc._special_sig_key  # noqa: SLF001 - what the module must mirror
    assert wire.SECRET_SIG is rpc._special_secret_sig  # noqa: SLF001 - as above


def test_a_secret_unwraps_to_its_value_even_when_wrapped_twice():
    assert wire.is_secret(wire.secret("pw")) and not wire.is_secret({"value": "pw"})
    assert wire.plain(wire.secret(wire.secret("pw"))) == "pw"
    assert wire.plain({"value": "pw"}) == {"value": "pw"}


def test_urns_chain_the_parent_type_except_under_the_stack():
    stack = "urn:pulumi:dev::app::pulumi:pulumi:Stack::app-dev"
    parent = "urn:pulumi:dev::app::awsx:ec2:Vpc::net"
    assert wire.make_urn("dev", "app", "", "aws:ec2/vpc:Vpc", "v") == "urn:pulumi:dev::app::aws:ec2/vpc:Vpc::v"
    assert wire.make_urn("dev", "app", stack, "aws:ec2/vpc:Vpc", "v") == "urn:pulumi:dev::app::aws:ec2/vpc:Vpc::v"
    assert wire.make_urn("dev", "app", parent, "aws:ec2/vpc:Vpc", "v") == \
        "urn:pulumi:dev::app::awsx:ec2:Vpc$aws:ec2/vpc:Vpc::v"


def test_no_copy_of_a_sentinel_value_is_left_in_the_tree():
    """The literal values live only in the SDK; the pack keeps what pulumi_policy gives it."""
    literals = [rpc.UNKNOWN, rpc._special_sig_key, rpc._special_secret_sig]  # noqa: SLF001 - the values sought
    found = subprocess.run(["git", "grep", "-l", *[arg for value in literals for arg in ("-e", value)], "--", "."],
                           cwd=ROOT, capture_output=True, text=True, check=False)
    assert found.returncode in (0, 1), found.stderr
    assert found.stdout.split() == []


def _wire_names() -> set[str]:
    """The public names offline/wire.py defines (constants and functions), read from its source."""
    tree = ast.parse((ROOT / "offline/wire.py").read_text())
    names = {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
    names |= {n.target.id for n in tree.body if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)}
    names |= {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    return {n for n in names if not n.startswith("_")}


def _imported_module(path: Path, node: ast.ImportFrom) -> str:
    """The absolute module an ``ImportFrom`` in the file at ``path`` (relative to ROOT) reads from."""
    if not node.level:
        return node.module or ""
    package = list(path.parent.parts)
    base = package[:len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def wire_reexports(path: Path, source: str, wire_names: set[str]) -> list[str]:
    """Where the file at ``path`` (relative to ROOT) takes a wire name from a module other than offline.wire
    (``from offline.fakes import UNKNOWN``, ``fakes.UNKNOWN``) or offers one for others to take
    (``from .wire import UNKNOWN as UNKNOWN``, ``__all__``)."""
    found, via_module = [], set()
    for node in ast.walk(ast.parse(source, str(path))):
        if isinstance(node, ast.ImportFrom):
            module = _imported_module(path, node)
            for alias in node.names:
                if module == "offline":
                    if alias.name != "wire":
                        via_module.add(alias.asname or alias.name)
                elif module == "offline.wire":
                    if alias.asname == alias.name:
                        found.append(f"{path}:{node.lineno} re-exports {alias.name} ('as {alias.name}')")
                elif module.startswith("offline.") and alias.name in wire_names:
                    found.append(f"{path}:{node.lineno} imports {alias.name} from {module}")
        elif isinstance(node, ast.Import):
            via_module |= {a.asname for a in node.names if a.asname and a.name.startswith("offline.")
                           and a.name != "offline.wire"}
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__"
                                                  for t in node.targets):
            listed = {e.value for e in getattr(node.value, "elts", []) if isinstance(e, ast.Constant)}
            found += [f"{path}:{node.lineno} lists {n} in __all__" for n in sorted(listed & wire_names)
                      if path != Path("offline/wire.py")]
    for node in ast.walk(ast.parse(source, str(path))):
        if (isinstance(node, ast.Attribute) and node.attr in wire_names and isinstance(node.value, ast.Name)
                and node.value.id in via_module):
            found.append(f"{path}:{node.lineno} reads {node.value.id}.{node.attr}")
    return found


def test_the_check_sees_every_way_to_reexport_a_wire_name():
    names = _wire_names()
    assert {"UNKNOWN", "SECRET_SIG", "SECRET_SIG_KEY", "plain"} <= names
    fakes = Path("offline/fakes.py")
    for source in ["from .wire import UNKNOWN as UNKNOWN", "__all__ = ['plain']"]:
        assert wire_reexports(fakes, source + "\n", names), source
    for path, source in [(Path("offline/engine.py"), "from . import fakes\nx = fakes.UNKNOWN"),
                         (Path("offline/engine.py"), "from .fakes import SECRET_SIG"),
                         (Path("tests/x.py"), "from offline import fakes\nx = fakes.plain(1)"),
                         (Path("tests/x.py"), "from offline.fakes import SECRET_SIG_KEY"),
                         (Path("tests/x.py"), "import offline.fakes as f\nx = f.UNKNOWN")]:
        assert wire_reexports(path, source + "\n", names), source
    for path, source in [(fakes, "from .wire import UNKNOWN, plain"),
                         (Path("tests/x.py"), "from offline.wire import UNKNOWN\nfrom offline import wire, fakes\n"
                                              "x = wire.UNKNOWN\ny = fakes.invoke"),
                         (Path("policies/x.py"), "from .values import plain")]:
        assert wire_reexports(path, source + "\n", names) == [], source


def test_every_user_takes_the_wire_names_from_offline_wire():
    """No module hands the sentinels on: a second spelling of one name (``fakes.UNKNOWN``) is how two
    vocabularies start."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    names = _wire_names()
    found = [hit for name in listed if (ROOT / name).is_file()
             for hit in wire_reexports(Path(name), (ROOT / name).read_text(), names)]
    assert found == []
