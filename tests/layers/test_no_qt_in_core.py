"""operator_app, knowledge_base, semantic and sync never import Qt (DESIGN.md convention 1)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.layers.test_contract_layers import imported_roots

REPO = Path(__file__).resolve().parents[2]
CORE = ("operator_app", "knowledge_base", "semantic", "sync")
FORBIDDEN = ("PySide6", "shiboken6", "ui")


@pytest.mark.parametrize("package", CORE)
def test_no_source_file_imports_qt_or_ui(package: str) -> None:
    offenders = {str(p.relative_to(REPO)): sorted(imported_roots(p) & set(FORBIDDEN))
                 for p in (REPO / package).rglob("*.py")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_importing_every_core_module_loads_no_qt() -> None:
    code = (
        "import importlib, pkgutil, sys\n"
        f"for pkg in {CORE!r}:\n"
        "    mod = importlib.import_module(pkg)\n"
        "    for info in pkgutil.walk_packages(mod.__path__, pkg + '.'):\n"
        "        if info.name.endswith(('.migrations.env',)):\n"
        "            continue\n"
        "        importlib.import_module(info.name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'ui'))\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, timeout=120)


@pytest.mark.slow
def test_core_tests_pass_with_pyside6_absent(tmp_path: Path) -> None:
    """Runs tests/core in a child interpreter where importing PySide6 raises ImportError."""
    shutil.copy(Path(__file__).with_name("no_qt_sitecustomize.py"), tmp_path / "sitecustomize.py")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), str(REPO)]))
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:pytest-qt", "-p", "no:cacheprovider", "tests/core"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout
