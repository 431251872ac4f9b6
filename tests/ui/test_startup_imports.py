"""The login window comes up without the libraries the desk loads later on worker threads (ARCHITECTURE.md,
Threads): pydantic (the sync protocol), requests, numpy (routing) and the embedded server cost the GUI thread
~0.1 s each at start-up. The team lead's workbench and its charts load only when a lead's desk opens it."""

from __future__ import annotations

import os
import subprocess
import sys


def test_importing_the_desk_loads_no_sync_protocol_http_or_numpy() -> None:
    code = ("import sys, ui.shell.app\n"
            "late = ('pydantic', 'requests', 'numpy', 'central_server', 'fastapi')\n"
            "print(sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in late}))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_an_operators_desk_loads_neither_the_workbench_nor_charts(qtbot, controller, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """In a fresh process: the desk module, then an operator signed in (the workspace table names the workbench)."""
    code = ("import sys\n"
            "from ui.shell import desk_window, workspaces\n"
            "print(sorted(m for m in sys.modules if m.startswith(('ui.lead', 'PySide6.QtCharts', 'pyqtgraph'))))\n")

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
    # Other tests in this process may have loaded them: forget them here, so a load at sign-in would show.
    for name in [m for m in sys.modules if m.startswith(("ui.lead", "PySide6.QtCharts"))]:
        monkeypatch.delitem(sys.modules, name)
    controller.show_login()
    controller.login("1001")
    assert controller.desk is not None and controller.desk.intake
    assert not [m for m in sys.modules if m.startswith(("ui.lead", "PySide6.QtCharts"))]

