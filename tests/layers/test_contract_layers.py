"""The contract is a leaf; the server uses nothing else of the seat (issue 14: "one contract"). `semantic` (the
sentence encoder and its vector format, shared by server and seat like the contract) is a leaf too."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
OURS = ("contract", "semantic", "operator_app", "knowledge_base", "sync", "central_server", "ui", "benchmarks",
        "scripts", "tests")
ALLOWED = {
    "contract": {"contract"},
    "semantic": {"semantic"},
    "central_server": {"central_server", "contract", "semantic"},
}


def imported_roots(path: Path) -> set[str]:
    """Top-level package of every import in the file, wherever it stands (function bodies included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            roots.add(path.relative_to(REPO).parts[0])  # a relative import stays in its package
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "import_module" and node.args and isinstance(node.args[0], ast.Constant)):
            roots.add(str(node.args[0].value).split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_what_it_may(package: str) -> None:
    allowed = ALLOWED[package]
    offenders = {str(p.relative_to(REPO)): sorted((imported_roots(p) & set(OURS)) - allowed)
                 for p in (REPO / package).rglob("*.py")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    probe = REPO / "contract" / "_layer_probe_tmp.py"
    probe.write_text("def f():\n    from operator_app.paths import resources_dir\n    return resources_dir\n",
                     encoding="utf-8")
    try:
        assert "operator_app" in imported_roots(probe)
    finally:
        probe.unlink()


def test_importing_the_server_loads_no_seat_package() -> None:
    """At run time too: every central_server module imported, and no seat package among sys.modules."""
    code = (
        "import importlib, pkgutil, sys\n"
        "import central_server\n"
        "for info in pkgutil.walk_packages(central_server.__path__, 'central_server.'):\n"
        "    if info.name.endswith(('.migrations.env', '.__main__')):\n"
        "        continue\n"
        "    importlib.import_module(info.name)\n"
        "seat = ('operator_app', 'knowledge_base', 'sync', 'ui', 'PySide6')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in seat)\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, timeout=120)
