"""Guards against a Qt binding that drops references to None/True/False (PySide6 6.12.0 on Python 3.11 did,
and a long shift then aborts the desk with 'deallocating None')."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel


def test_void_qt_calls_keep_singleton_refcounts(qtbot) -> None:  # type: ignore[no-untyped-def]
    label = QLabel()
    qtbot.addWidget(label)
    before = (sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False))
    for _ in range(2000):
        label.setText("工单")
        label.setEnabled(True)
        label.setVisible(False)
    after = (sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False))
    assert all(a - b > -50 for a, b in zip(after, before, strict=True)), (before, after)
