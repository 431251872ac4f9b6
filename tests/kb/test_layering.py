"""knowledge_base never imports Qt, the UI or the server, nor pypinyin (a development tool: it reads the table
scripts/build_pinyin_initials.py writes)."""

from __future__ import annotations

import subprocess
import sys

from kb_helpers import DEMO, ROOT


def test_no_qt_ui_or_server_imports(tmp_path) -> None:
    code = (
        "import sys, knowledge_base, knowledge_base.cli_ops\n"
        "from knowledge_base import KnowledgeBase\n"
        f"kb = KnowledgeBase.open({str(tmp_path / 'kb.sqlite')!r})\n"
        f"kb.import_jsonl(__import__('pathlib').Path({str(DEMO)!r}))\n"  # indexing: titles' pinyin initials too
        "kb.search('医保')\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'ui', 'central_server', 'pypinyin')]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
