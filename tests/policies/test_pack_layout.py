"""Where the pack's code lives: rules stand alone and import their service's home, never a sibling rule; the
explicit rule list in policies/pack.py is exactly the rule files on disk; core/ and readers/ import no rule."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from typing import List

import pytest

from policies.pack import RULE_MODULES

POLICIES_DIR = Path(__file__).resolve().parents[2] / "policies"
#: Packages under policies/ that are not services: shared helpers, readers and the README tool.
NOT_SERVICES = ("core", "readers", "tools")
SERVICES = sorted(d.name for d in POLICIES_DIR.iterdir()
                  if (d / "__init__.py").is_file() and d.name not in NOT_SERVICES)
RULE_FILES = sorted(f for s in SERVICES for f in (POLICIES_DIR / s).glob("*.py") if f.name != "__init__.py")


def rule_imports(path: Path) -> List[str]:
    """The rule modules (``<service>.<rule>``) that the file at ``path`` imports, however written: relative
    (``from .key_rotation import KEY``, ``from . import key_rotation``, ``from ..kms.key_rotation import KEY``) or
    absolute (``from policies.kms.key_rotation import KEY``, ``import policies.kms.key_rotation``)."""
    rules = {f"{f.parent.name}.{f.stem}" for f in RULE_FILES}
    here = [path.parent.name] if path.parent != POLICIES_DIR else []
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        targets: List[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name.removeprefix("policies.") for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[:len(here) - (node.level - 1)] if node.level - 1 <= len(here) else []
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = (node.module or "").removeprefix("policies.")
            targets = [module] + [f"{module}.{a.name}" if module else a.name for a in node.names]
        found += [t for t in targets if t in rules]
    return found


def test_the_import_check_sees_every_way_to_import_a_sibling(tmp_path):
    probe = tmp_path / "kms" / "probe.py"
    probe.parent.mkdir()
    for source in ["from .key_rotation import KEY", "from . import key_rotation", "from ..kms.key_rotation import KEY",
                   "from ..kms import key_rotation", "from policies.kms.key_rotation import KEY",
                   "import policies.kms.key_rotation", "def f():\n    from .key_rotation import KEY\n"]:
        probe.write_text(source + "\n")
        assert rule_imports(probe) == ["kms.key_rotation"], source
    for source in ["from . import KEY", "from ..core.rules import resource_rule", "from ..ec2 import SUBNET"]:
        probe.write_text(source + "\n")
        assert rule_imports(probe) == [], source


@pytest.mark.parametrize("path", RULE_FILES, ids=[f"{p.parent.name}/{p.name}" for p in RULE_FILES])
def test_a_rule_imports_no_other_rule(path):
    assert rule_imports(path) == [], (
        f"{path.parent.name}/{path.name} imports another rule file; move what it needs (a type token, a helper) "
        f"to policies/{path.parent.name}/__init__.py (or policies/core/ if every service needs it) and import it "
        "from there")


@pytest.mark.parametrize("path", sorted([*POLICIES_DIR.glob("*.py"), *(POLICIES_DIR / "core").glob("*.py"),
                                         *(POLICIES_DIR / "readers").glob("*.py"),
                                         *(POLICIES_DIR / s / "__init__.py" for s in SERVICES)]),
                         ids=lambda p: str(p.relative_to(POLICIES_DIR)))
def test_only_the_rule_list_imports_rule_files(path):
    if path.name in ("pack.py", "__main__.py"):
        return
    assert rule_imports(path) == [], f"{path.relative_to(POLICIES_DIR)} imports a rule file"


def test_the_rule_list_is_exactly_the_rule_files_on_disk():
    listed = [Path(inspect.getfile(m)).resolve() for m in RULE_MODULES]
    assert len(listed) == len(set(listed)), "a rule is listed twice in policies/pack.py"
    on_disk = [p.resolve() for p in RULE_FILES]
    assert sorted(set(on_disk) - set(listed)) == [], "rule files missing from RULE_MODULES in policies/pack.py"
    assert sorted(set(listed) - set(on_disk)) == [], "listed in policies/pack.py but not a rule file on disk"


def test_the_rule_list_is_written_as_imports_not_discovered():
    tree = ast.parse((POLICIES_DIR / "pack.py").read_text())
    imported = {a.asname or a.name for n in tree.body if isinstance(n, ast.ImportFrom) and n.level == 1
                for a in n.names}
    listing = next(n.value for n in tree.body if isinstance(n, ast.AnnAssign)
                   and isinstance(n.target, ast.Name) and n.target.id == "RULE_MODULES")
    assert isinstance(listing, ast.List)
    names = [e.id for e in listing.elts if isinstance(e, ast.Name)]
    assert len(names) == len(listing.elts) == len(RULE_MODULES), "RULE_MODULES lists imported modules by name"
    assert set(names) == imported
    assert not any(isinstance(n, ast.Call) and getattr(n.func, "attr", "") in ("import_module", "glob", "iterdir")
                   for n in ast.walk(tree))
