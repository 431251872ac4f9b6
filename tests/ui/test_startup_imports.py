"""The login window comes up without the libraries the desk loads later on worker threads (ARCHITECTURE.md,
Threads): pydantic (the sync protocol), requests, numpy (routing) and the embedded server cost the GUI thread
~0.1 s each at start-up."""

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


def test_an_operators_start_loads_no_charts() -> None:
    """QtCharts (PySide6-Addons) belongs to the team lead's workbench (ui/lead): an operator never pays for it."""
    code = ("import sys, ui.shell.app\n"
            "print(sorted(m for m in sys.modules if m.startswith(('PySide6.QtCharts', 'ui.lead'))))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
